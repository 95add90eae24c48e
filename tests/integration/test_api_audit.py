"""The auditor's reads over HTTP: full history, past states (by version and as known at a moment),
the global log page by page, and every write of one user. On both stores.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from support.world.api import ApiWorld, open_world

from registry.application import Registry


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


def test_history_says_what_who_when_effective_date_and_why(world: ApiWorld) -> None:
    mentor = world.mentor(world.org_a, as_="curator")
    world.write(f"/mentors/{mentor}/suspend", {"reason": "Длительный отпуск", "effective_date": "2021-01-10"})
    training = world.training(mentor)
    world.write(
        f"/mentors/{mentor}/trainings/{training}/correct",
        {"course": "Наставничество в ОО", "provider": "ХК ИРО", "hours": 72, "completed_on": "2021-03-01",
         "reason": "В удостоверении 72 часа"},
    )
    response = world.get(f"/audit/aggregates/{mentor}/history")
    assert response.status_code == 200
    history = response.json()
    assert history["aggregate_type"] == "Mentor" and history["version"] == 5
    assert int(response.headers["X-Log-Position"]) == history["position"] == world.position()
    events = history["events"]
    assert [e["version"] for e in events] == [1, 2, 3, 4, 5]
    assert [e["type"] for e in events] == [
        "Mentor.Applied", "Mentor.Approved", "Mentor.Suspended", "Mentor.TrainingCompleted",
        "Mentor.TrainingCorrected",
    ]
    recorded = [datetime.fromisoformat(e["recorded_at"]) for e in events]
    assert recorded == sorted(recorded) and all(t.utcoffset() == timedelta(0) for t in recorded)
    assert [e["effective_date"] for e in events] == [
        "2020-09-01", "2020-09-15", "2021-01-10", "2021-03-01", "2021-03-01"
    ]
    assert events[2]["reason"] == "Длительный отпуск"
    assert events[4]["reason"] == "В удостоверении 72 часа"
    assert events[4]["data"]["corrects_version"] == 4, "a correction says what it corrects"
    assert events[4]["data"]["record"]["hours"] == 72
    assert [e["who"]["user_id"] for e in events] == [world.user_ids["curator"]] + [world.user_ids["admin"]] * 4
    assert events[0]["who"]["role"] == "curator" and events[0]["who"]["organization_id"] == world.org_a
    assert all(e["who"]["command_id"] for e in events)


def test_state_at_a_version_and_as_known_at_a_moment(world: ApiWorld) -> None:
    mentor = world.mentor(world.org_a, approve=False)
    time.sleep(0.01)
    world.write(f"/mentors/{mentor}/approve", {"effective_date": "2020-09-15"})
    world.write(f"/mentors/{mentor}/suspend", {"reason": "Отпуск", "effective_date": "2021-01-10"})

    def state(**params: object) -> dict:
        response = world.get(f"/audit/aggregates/{mentor}/state", **params)
        assert response.status_code == 200, response.text
        assert int(response.headers["X-Log-Position"]) == response.json()["position"]
        return dict(response.json())

    assert state()["state"]["status"] == "suspended" and state()["version"] == 3
    first = state(version=1)
    assert first["version"] == 1 and first["state"]["status"] == "pending"
    assert first["state"]["person"]["full_name"].startswith("Иванова Мария")
    assert state(version=2)["state"]["status"] == "active"

    events = world.get(f"/audit/aggregates/{mentor}/history").json()["events"]
    applied_at = datetime.fromisoformat(events[0]["recorded_at"])
    approved_at = datetime.fromisoformat(events[1]["recorded_at"])
    between = applied_at + (approved_at - applied_at) / 2
    known = state(as_known_at=between.isoformat())
    assert known["version"] == 1 and known["state"]["status"] == "pending"
    assert datetime.fromisoformat(known["as_known_at"]) == between
    assert state(as_known_at=approved_at.isoformat())["state"]["status"] == "active"
    naive_utc = approved_at.replace(tzinfo=None).isoformat()  # a moment without a zone is UTC
    assert state(as_known_at=naive_utc)["version"] == 2
    before_it = world.get(
        f"/audit/aggregates/{mentor}/state", as_known_at=(applied_at - timedelta(seconds=1)).isoformat()
    )
    assert before_it.status_code == 404 and before_it.json()["errors"][0]["field"] == "as_known_at"


def test_the_log_reads_page_by_page_in_position_order(world: ApiWorld) -> None:
    for _ in range(3):
        world.mentee(world.org_a)
    head = world.position()
    seen = []
    after = 0
    while True:
        response = world.get("/audit/log", after=after, limit=7)
        assert response.status_code == 200
        page = response.json()
        assert page["head"] == head == int(response.headers["X-Log-Position"])
        if not page["items"]:
            break
        assert len(page["items"]) <= 7
        seen += page["items"]
        after = page["next_after"]
    positions = [item["position"] for item in seen]
    assert positions == sorted(positions) and len(positions) == len(set(positions))
    assert positions[-1] == head
    types = [item["type"] for item in seen]
    assert types[0] == "ReferenceList.Created" and types[-1] == "Mentee.Registered"
    assert seen[0]["who"]["user_id"] == "system"
    assert {item["type"] for item in seen} >= {"User.Added", "Municipality.Registered", "Organization.Registered"}
    grants = [item for item in seen if item["type"] == "User.Added"]
    assert all(set(g["data"]) == {"name", "role", "organization_id", "municipality_id", "token_sha256"} for g in grants)
    assert all(g["who"]["user_id"] == "cli:test" for g in grants)


def test_every_write_of_a_user_page_by_page(world: ApiWorld) -> None:
    for _ in range(3):
        world.mentee(world.org_a, as_="curator")
    curator = world.user_ids["curator"]
    everything = world.get(f"/audit/users/{curator}/writes").json()
    assert everything["complete"] is True and everything["scanned_to"] == everything["head"]
    assert [e["type"] for e in everything["items"]] == ["Mentee.Registered"] * 3
    pages = []
    after = 0
    while True:
        page = world.get(f"/audit/users/{curator}/writes", after=after, limit=2).json()
        pages.append(page["items"])
        if page["complete"]:
            break
        after = page["scanned_to"]
    flat = [e for items in pages for e in items]
    assert [e["position"] for e in flat] == [e["position"] for e in everything["items"]]
    assert len(pages[0]) == 2
    admin_writes = world.get(f"/audit/users/{world.user_ids['admin']}/writes").json()["items"]
    assert {e["type"] for e in admin_writes} == {"Region.Registered", "Municipality.Registered", "Organization.Registered"}
    assert world.get("/audit/users/cli:test/writes").json()["items"][0]["type"] == "User.Added"
