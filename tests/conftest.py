"""Fixtures: a registry on each real store. PostgreSQL tests get their own schema, dropped after.

In CI (`CI=true`) an unreachable PostgreSQL fails the run; elsewhere those tests skip and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from ops.storage import open_registry
from registry.application import Registry

POSTGRES_URL = os.environ.get("REESTR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TODAY = date(2023, 6, 1)


def _postgres_unreachable_reason() -> str | None:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as error:  # any failure to talk to the server means: no PostgreSQL here
        return f"PostgreSQL at {POSTGRES_URL} is not reachable ({type(error).__name__}: {error})"
    return None


_PG_REASON: list[str | None] = []


def require_postgres() -> None:
    """Skip (or, in CI, fail) a test that needs PostgreSQL when none answers."""
    if not _PG_REASON:
        _PG_REASON.append(_postgres_unreachable_reason())
    reason = _PG_REASON[0]
    if reason:
        if IN_CI:
            pytest.fail(f"CI requires PostgreSQL: {reason}")
        pytest.skip(reason)


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A fresh schema in the test database, dropped with everything in it afterwards."""
    require_postgres()
    schema = f"reestr_test_{uuid.uuid4().hex[:12]}"
    try:
        yield schema
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


StoreFactory = Callable[[], Registry]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
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
