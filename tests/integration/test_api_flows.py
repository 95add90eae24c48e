"""A curator's day and the institute's approval, end to end over HTTP, then audited.

Real HTTP requests (FastAPI TestClient) on the real registry, on both stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.world.api import ApiWorld, open_world

from registry.application import Registry


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


@pytest.fixture
def served_world(registry: Registry) -> Iterator[ApiWorld]:
    """The same world, reached over a real socket from a uvicorn server on 127.0.0.1."""
    yield from open_world(registry, served=True)


def _ok(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = dict(response.json())
    assert int(response.headers["X-Log-Position"]) == body["position"]
    return body


def test_a_curators_day_and_the_admins_approval(served_world: ApiWorld) -> None:
    world = served_world
    org = world.org_a
    positions = []

    # Morning: the curator files a mentor's application for the school.
    applied = _ok(
        world.post(
            "/mentors",
            {
                "organization_id": org,
                "person": {"full_name": "  Иванова   Мария Петровна ", "email": "ivanova@school1.ru"},
                "profile": {
                    "position": "учитель математики",
                    "mentor_type": "teacher",
                    "forms": ["pupil_pupil"],
                    "subjects": ["математика", "физика"],
                },
                "capacity": 2,
                "applied_on": "2020-09-01",
            },
            as_="curator",
        ),
        201,
    )
    mentor = applied["aggregate_id"]
    assert applied["version"] == 1 and applied["replayed"] is False
    positions.append(applied["position"])

    # A pending mentor cannot lead a pair yet: a domain rule, 422 in Russian, nothing recorded.
    pupil = _ok(
        world.post(
            "/mentees",
            {
                "organization_id": org,
                "category": "pupil",
                "person": {"full_name": "Сидоров Семён"},
                "birth_year": 2008,
                "registered_on": "2020-09-01",
            },
            as_="curator",
        ),
        201,
    )["aggregate_id"]
    before = world.position()
    refused = world.post(
        "/pairs",
        {"organization_id": org, "mentor_id": mentor, "mentee_ids": [pupil], "form": "pupil_pupil",
         "started_on": "2020-10-01"},
        as_="curator",
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "rule_violation"
    assert problem["errors"] == [
        {"field": "mentor_id", "rule": "mentor_in_registry", "message": problem["detail"]}
    ]
    assert "Наставник не может вести пару" in problem["detail"]
    assert world.position() == before

    # The institute approves the application; the curator may not.
    assert world.post(f"/mentors/{mentor}/approve", {"effective_date": "2020-09-20"}, as_="curator").status_code == 403
    approved = _ok(world.post(f"/mentors/{mentor}/approve", {"effective_date": "2020-09-20"}), 200)
    assert approved["aggregate_id"] == mentor and approved["version"] == 2
    positions.append(approved["position"])

    # Afternoon: a second mentee, the pair (then a group), a program and its output.
    second = _ok(
        world.post(
            "/mentees",
            {
                "organization_id": org,
                "category": "pupil",
                "person": {"full_name": "Петров Пётр", "birth_date": "2007-03-08"},
                "registered_on": "2020-09-01",
            },
            as_="curator",
        ),
        201,
    )["aggregate_id"]
    pair = _ok(
        world.post(
            "/pairs",
            {"organization_id": org, "mentor_id": mentor, "mentee_ids": [pupil], "form": "pupil_pupil",
             "kind": "traditional", "started_on": "2020-10-01"},
            as_="curator",
        ),
        201,
    )
    positions.append(pair["position"])
    grown = _ok(
        world.post(f"/pairs/{pair['aggregate_id']}/mentees", {"mentee_id": second, "joined_on": "2020-11-02"},
                   as_="curator"),
        200,
    )
    assert grown["version"] == 2
    program = _ok(
        world.post(
            "/programs",
            {"organization_id": org, "title": "Программа «Шаг вперёд»", "forms": ["pupil_pupil"],
             "starts_on": "2020-09-01", "order": {"number": "101-од", "issued_on": "2020-08-28"}},
            as_="curator",
        ),
        201,
    )["aggregate_id"]
    output = _ok(
        world.post(
            f"/programs/{program}/outputs",
            {"kind": "project", "title": "Проект «Школьный музей»", "produced_on": "2021-04-20",
             "evidence_link": "https://school1.example/museum", "pair_id": pair["aggregate_id"]},
            as_="curator",
        ),
        201,
    )
    assert output["item_id"], "the new output's id is returned so it can be retracted later"
    completed = _ok(
        world.post(f"/pairs/{pair['aggregate_id']}/complete",
                   {"ended_on": "2021-05-25", "outcome": "Призёр муниципальной олимпиады"}, as_="curator"),
        200,
    )
    positions += [grown["position"], output["position"], completed["position"]]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)

    # The curator's own organization only: another school's curator is refused, nothing recorded.
    before = world.position()
    other = world.post(f"/pairs/{pair['aggregate_id']}/correct-start",
                       {"started_on": "2020-10-02", "reason": "Дата приказа"}, as_="curator_other")
    assert other.status_code == 403 and world.position() == before

    # The auditor sees who did what: the curator applied, the institute approved.
    history = world.get(f"/audit/aggregates/{mentor}/history").json()
    kinds = [(e["type"], e["who"]["user_id"], e["who"]["user_name"]) for e in history["events"]]
    assert kinds[:2] == [
        ("Mentor.Applied", world.user_ids["curator"], "Куратор школы № 1"),
        ("Mentor.Approved", world.user_ids["admin"], "Администратор ИРО"),
    ]
    assert [e["type"] for e in history["events"]] == [
        "Mentor.Applied", "Mentor.Approved", "Mentor.MenteesTaken", "Mentor.MenteesTaken",
        "Mentor.PairReleased",
    ]
    approval = history["events"][1]
    assert approval["effective_date"] == "2020-09-20"
    assert approval["who"]["role"] == "admin"
    assert history["events"][0]["data"]["person"]["full_name"] == "Иванова Мария Петровна"
    assert history["events"][0]["who"]["organization_id"] == org

    writes = world.get(f"/audit/users/{world.user_ids['curator']}/writes").json()
    assert writes["complete"] is True
    assert {e["type"] for e in writes["items"]} >= {
        "Mentor.Applied", "Mentee.Registered", "Pair.Formed", "Pair.MenteeAdded", "Program.Adopted",
        "Program.OutputRecorded", "Pair.Completed",
    }
    assert "Mentor.Approved" not in {e["type"] for e in writes["items"]}
    assert all(e["who"]["user_id"] == world.user_ids["curator"] for e in writes["items"])


def test_an_after_commit_subscriber_runs_once_per_successful_write_and_its_failure_does_not_undo_it(
    registry: Registry,
) -> None:
    seen: list[list] = []  # type: ignore[type-arg]

    def observer(recordings: list) -> None:  # type: ignore[type-arg]
        seen.append(list(recordings))
        if len(seen) == 1:
            raise RuntimeError("projection down")

    worlds = open_world(registry)
    world = next(worlds)
    registry.after_commit.subscribe("observer", observer)
    try:
        refused = world.post("/mentors/not-a-uuid/approve", {"effective_date": "2020-09-20"})
        assert refused.status_code == 422 and seen == []
        failed_for_the_observer = world.mentee(world.org_a)
        assert len(seen) == 1 and str(seen[0][0].domain_event.originator_id) == failed_for_the_observer
        assert world.get(f"/mentees/{failed_for_the_observer}").status_code == 200  # recorded all the same
        mentee = world.mentee(world.org_a)
        assert len(seen) == 2 and str(seen[1][0].domain_event.originator_id) == mentee
    finally:
        worlds.close()
