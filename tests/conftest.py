"""Fixtures of every test folder: a registry on each real store. PostgreSQL tests get their own
schema, dropped after. In CI (`CI=true`) an unreachable PostgreSQL fails the run; elsewhere those
tests skip and say why (tests/support/stores.py). Tests import helpers from `support`, never from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from support.stores import POSTGRES_URL, STORES, fresh_schema
from support.world import TODAY

from ops.storage import open_registry
from registry.application import Registry


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A fresh schema in the test database, dropped with everything in it afterwards."""
    with fresh_schema() as schema:
        yield schema


StoreFactory = Callable[[], Registry]


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """(database URL, schema) of a fresh store of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reestr.sqlite3'}", None
    else:
        schema = request.getfixturevalue("postgres_schema")
        yield POSTGRES_URL, schema


@pytest.fixture
def open_store(store_url: tuple[str, str | None]) -> Iterator[Callable[..., Registry]]:
    """Open (and reopen) registries on one fresh store; all are closed at the end."""
    opened: list[Registry] = []

    def _open(clock: Callable[[], date] = lambda: TODAY) -> Registry:
        registry = open_registry(store_url[0], store_url[1], clock=clock)
        opened.append(registry)
        return registry

    yield _open
    for registry in opened:
        registry.close()


@pytest.fixture
def registry(open_store: Callable[..., Registry]) -> Registry:
    """A registry with default reference lists, on each store, with `today` fixed to TODAY."""
    return open_store()


@pytest.fixture
def memory_registry() -> Iterator[Registry]:
    """A fast in-memory SQLite registry for unit scenarios of domain rules."""
    registry = open_registry("sqlite:///:memory:", clock=lambda: TODAY)
    yield registry
    registry.close()
