"""Schemathesis against the API's own OpenAPI: whatever it is sent, no 500, and every answer is
one the document promises (status, content type, body schema). Bounded: a few examples per
operation, derandomized, on each store. Covers every route: writes, audit, and the reads
(registry, indicators, the dynamics report in each format).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support.stores import POSTGRES_URL, fresh_schema
from support.world import TODAY
from support.world.api import ApiWorld

from api.app import create_app
from ops.storage import open_registry

SPEC = create_app(None).openapi()  # type: ignore[arg-type]  # the document needs no store
#: SQLite gets schemathesis' coverage phase too (every boundary and wrong type of every field,
#: ~30 s); PostgreSQL gets the bounded random phases only, to keep the whole under a minute.
thorough = schemathesis.openapi.from_dict(
    SPEC, config=schemathesis.Config.from_dict({"phases": {"coverage": {"unexpected-methods": []}}})
)
quick = schemathesis.openapi.from_dict(
    SPEC, config=schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
BOUNDED = settings(
    max_examples=5, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def _served(url: str, pg_schema: str | None) -> Iterator[ApiWorld]:
    registry = open_registry(url, pg_schema, clock=lambda: TODAY)
    world = ApiWorld(registry)
    mentor = world.mentor(world.org_a)
    program = world.program(world.org_a)
    world.known = {  # type: ignore[attr-defined]
        "municipality_id": world.municipality_id,
        "organization_id": world.org_a,
        "mentor_id": mentor,
        "mentee_id": world.mentee(world.org_a),
        "pair_id": world.pair(world.org_a),
        "program_id": program,
        "user_id": world.user(),
    }
    try:
        yield world
    finally:
        world.close()
        registry.close()


@pytest.fixture(scope="module")
def on_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiWorld]:
    """One region for the whole module: the generated requests share it."""
    yield from _served(f"sqlite:///{Path(tmp_path_factory.mktemp('schemathesis')) / 'reestr.sqlite3'}", None)


@pytest.fixture(scope="module")
def on_postgres() -> Iterator[ApiWorld]:
    with fresh_schema() as pg_schema:
        yield from _served(POSTGRES_URL, pg_schema)


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _aim(case: schemathesis.Case, world: ApiWorld) -> None:
    """Point about half of the well-formed ids at things that exist, so that generated requests
    also reach the domain rules, not only "not found"."""
    known: dict[str, str] = world.known  # type: ignore[attr-defined]
    for where in (case.path_parameters, case.body, case.query):
        if not isinstance(where, dict):
            continue
        for name, value in list(where.items()):
            if name in known and _is_uuid(value) and int(str(value)[-1], 16) % 2 == 0:
                where[name] = known[name]
    unit = case.query.get("unit") if isinstance(case.query, dict) else None
    if isinstance(unit, str) and len(unit) % 2 == 0:  # reads of indicators and reports: a real unit
        kind = unit.partition(":")[0]
        case.query["unit"] = {
            "municipality": f"municipality:{known['municipality_id']}",
            "organization": f"organization:{known['organization_id']}",
        }.get(kind, "region")
    if isinstance(case.body, dict) and isinstance(case.body.get("mentee_ids"), list):
        ids = case.body["mentee_ids"]
        if ids and all(_is_uuid(i) for i in ids) and int(str(ids[0])[-1], 16) % 2 == 0:
            case.body["mentee_ids"] = [known["mentee_id"]]


def _check(case: schemathesis.Case, world: ApiWorld) -> None:
    _aim(case, world)
    case.call_and_validate(app=world.app, headers=world.headers("admin"), checks=CHECKS)


@thorough.parametrize()
@BOUNDED
def test_the_api_keeps_its_openapi_promises_on_sqlite(case: schemathesis.Case, on_sqlite: ApiWorld) -> None:
    _check(case, on_sqlite)


@pytest.mark.postgres
@quick.parametrize()
@BOUNDED
def test_the_api_keeps_its_openapi_promises_on_postgres(case: schemathesis.Case, on_postgres: ApiWorld) -> None:
    _check(case, on_postgres)
