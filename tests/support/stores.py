"""The stores tests run on: the PostgreSQL server (`REESTR_TEST_POSTGRES_URL`), whether CI makes it
mandatory, and fresh stores of each kind for fixtures wider than one test (the `registry` fixture
of tests/conftest.py gives one per test).

    with fresh_registry("postgres", tmp_path) as registry:   # a new schema, dropped after
        ...
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from ops.storage import open_registry
from registry.application import Registry
from support.world.region import TODAY

POSTGRES_URL = os.environ.get("REESTR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
"""The store kinds, as the params of a fixture wider than one test."""


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


def drop_schema(schema: str) -> None:
    """Drop a schema of the test database with everything in it."""
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def fresh_schema() -> Iterator[str]:
    """The name of a new schema in the test database, dropped with everything in it afterwards."""
    require_postgres()
    schema = f"reestr_test_{uuid.uuid4().hex[:12]}"
    try:
        yield schema
    finally:
        drop_schema(schema)


@contextmanager
def store_location(kind: str, directory: Path) -> Iterator[tuple[str, str | None]]:
    """(database URL, schema) of a fresh store of a kind, for fixtures wider than one test."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'reestr-{uuid.uuid4().hex[:8]}.sqlite3'}", None
        return
    with fresh_schema() as schema:
        yield POSTGRES_URL, schema


@contextmanager
def fresh_registry(kind: str, directory: Path) -> Iterator[Registry]:
    """A registry on a fresh store of a kind, `today` fixed to TODAY; closed (and dropped) after."""
    with store_location(kind, directory) as (url, schema):
        registry = open_registry(url, schema, clock=lambda: TODAY)
        try:
            yield registry
        finally:
            registry.close()
