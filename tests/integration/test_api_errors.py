"""Errors are RFC 9457 problems: a machine code, a Russian detail, and per-field errors."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from support.world.api import API, ApiWorld, open_world

from registry.application import Registry

_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@pytest.fixture
def world(memory_registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(memory_registry)


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = dict(response.json())
    assert problem["status"] == status and problem["code"] == code
    assert problem["type"] == f"urn:reestr:problem:{code}"
    assert _CYRILLIC.search(problem["title"]) and _CYRILLIC.search(problem["detail"])
    for error in problem["errors"]:
        assert _CYRILLIC.search(error["message"]), error
    return problem


def test_an_unknown_id_is_404_naming_the_field(world: ApiWorld) -> None:
    missing = uuid.uuid4()
    problem = _problem(world.post(f"/mentors/{missing}/approve", {"effective_date": "2020-09-15"}), 404, "not_found")
    assert problem["errors"][0]["field"] == "mentor_id"
    assert str(missing) in problem["detail"]
    assert problem["instance"] == f"{API}/mentors/{missing}/approve"


def test_every_problem_of_a_body_is_reported_at_once_by_field_in_russian(world: ApiWorld) -> None:
    before = world.position()
    response = world.post(
        "/mentors",
        {
            "organization_id": "not-an-id",
            "person": {"full_name": " ", "snils": "123"},
            "profile": {"mentor_type": "Учитель"},
            "applied_on": "2021-02-30",
            "director": "Иванов",
        },
    )
    problem = _problem(response, 422, "invalid_command")
    fields = {e["field"]: e for e in problem["errors"]}
    assert set(fields) == {
        "organization_id", "person.full_name", "person.snils", "profile.position", "profile.mentor_type",
        "applied_on", "director",
    }
    assert fields["person.snils"]["message"] == "СНИЛС — 11 цифр (например 112-233-445 95)"
    assert fields["profile.position"]["rule"] == "missing"
    assert fields["applied_on"]["message"] == "Некорректная дата (нужен формат ГГГГ-ММ-ДД)"
    assert fields["director"]["rule"] == "extra_forbidden"
    assert world.position() == before


def test_path_parameters_body_and_headers_are_validated_too(world: ApiWorld) -> None:
    bad_id = _problem(world.post("/mentors/42/approve", {"effective_date": "2020-09-15"}), 422, "invalid_command")
    assert bad_id["errors"] == [{"field": "mentor_id", "rule": "uuid_parsing", "message": "Некорректный идентификатор"}]

    no_body = _problem(world.post(f"/mentors/{uuid.uuid4()}/approve"), 422, "invalid_command")
    assert no_body["errors"][0]["rule"] == "missing"

    not_json = world.client.post(
        f"{API}/mentees", content=b"{not json", headers={**world.headers("admin"), "Content-Type": "application/json"}
    )
    assert _problem(not_json, 422, "invalid_command")["errors"][0]["message"] == "Некорректный JSON в теле запроса"

    bad_key = world.post("/mentors", {}, key="a key with spaces")
    assert "header.Idempotency-Key" in {e["field"] for e in _problem(bad_key, 422, "invalid_command")["errors"]}

    bad_code = world.post(f"/reference-lists/{'Формы'}/entries", {"code": "x", "title": "y"})
    assert _problem(bad_code, 422, "invalid_command")["errors"][0]["field"] == "list_kind"


def test_a_domain_rule_is_422_with_its_rule_and_field(world: ApiWorld) -> None:
    mentor = world.mentor(world.org_a, approve=False)
    response = world.post(f"/mentors/{mentor}/approve", {"effective_date": "2023-06-02"})
    problem = _problem(response, 422, "rule_violation")
    assert problem["errors"] == [
        {"field": "effective_date", "rule": "date_not_in_future", "message": "Дата 02.06.2023 ещё не наступила"}
    ]


def test_a_forbidden_write_names_the_role(world: ApiWorld) -> None:
    response = world.post("/municipalities", {"name": "Район", "region": "Край"}, as_="auditor")
    problem = _problem(response, 403, "forbidden")
    assert "аудитор" in problem["detail"]


def test_unknown_routes_and_methods_are_problems_too(world: ApiWorld) -> None:
    _problem(world.client.get(f"{API}/nowhere"), 404, "not_found")
    _problem(world.client.delete(f"{API}/mentors", headers=world.headers("admin")), 405, "method_not_allowed")


def test_audit_reads_refuse_unknown_ids_versions_and_contradictory_questions(world: ApiWorld) -> None:
    missing = uuid.uuid4()
    _problem(world.get(f"/audit/aggregates/{missing}/history"), 404, "not_found")
    _problem(world.get(f"/audit/aggregates/{missing}/state"), 404, "not_found")
    too_far = _problem(world.get(f"/audit/aggregates/{world.org_a}/state", version=9), 404, "not_found")
    assert too_far["errors"][0]["field"] == "version"
    both = world.get(f"/audit/aggregates/{world.org_a}/state", version=1, as_known_at="2023-01-01T00:00:00Z")
    _problem(both, 422, "invalid_command")
    _problem(world.get(f"/audit/users/{missing}/writes"), 404, "not_found")
    _problem(world.get("/audit/log", limit=100_000), 422, "invalid_command")


def test_the_openapi_describes_every_write_with_its_body_and_problems(world: ApiWorld) -> None:
    spec = world.client.get("/openapi.json").json()
    writes = {
        (path, method): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method == "post"
        and path != f"{API}/reports/reproduce"  # a computation: records nothing
        and not path.endswith("/reminders/send")  # sends mail, records nothing
    }
    assert len(writes) == 46
    for (path, _), op in writes.items():
        assert path.startswith(API)
        assert set(op["responses"]) >= {"401", "403", "404", "409", "422"}, path
        assert op["responses"]["422"]["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
        assert {p["name"] for p in op.get("parameters", [])} >= {"Idempotency-Key"}
        assert op["security"] == [{"token": []}]
    assert "requestBody" in writes[(f"{API}/mentors", "post")]
    assert world.client.get("/docs").status_code == 200
