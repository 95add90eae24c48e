"""Retries and races over HTTP: an Idempotency-Key makes a retried POST safe, and of two writers
racing on one aggregate exactly one wins, the other gets a problem, never a 500.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from support.world.api import ApiWorld, open_world

from registry.application import Registry


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


APPLICATION = {
    "person": {"full_name": "Иванова Мария Петровна"},
    "profile": {"position": "учитель", "mentor_type": "teacher", "forms": ["pupil_pupil"]},
    "applied_on": "2021-01-15",
}


def test_a_retried_post_returns_the_first_response_and_records_nothing_new(world: ApiWorld) -> None:
    body = {"organization_id": world.org_a, **APPLICATION}
    first = world.post("/mentors", body, as_="curator", key="7f1c-apply-ivanova")
    assert first.status_code == 201, first.text
    after_first = world.position()

    retry = world.post("/mentors", body, as_="curator", key="7f1c-apply-ivanova")
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert world.position() == after_first, "the retry recorded something"
    same = {k: v for k, v in first.json().items() if k not in ("replayed", "events")}
    assert {k: v for k, v in retry.json().items() if k not in ("replayed", "events")} == same
    assert retry.json()["replayed"] is True and retry.json()["events"] == 0
    assert int(retry.headers["X-Log-Position"]) == first.json()["position"]


def test_a_key_reused_for_another_command_is_a_conflict_and_records_nothing(world: ApiWorld) -> None:
    assert world.post("/mentors", {"organization_id": world.org_a, **APPLICATION}, as_="curator",
                      key="k-1").status_code == 201
    before = world.position()
    other = {"organization_id": world.org_a, **APPLICATION, "applied_on": "2021-01-16"}
    reused = world.post("/mentors", other, as_="curator", key="k-1")
    assert reused.status_code == 409
    assert reused.headers["content-type"] == "application/problem+json"
    assert reused.json()["code"] == "idempotency_key_reused"
    assert world.position() == before


def test_keys_are_per_user(world: ApiWorld) -> None:
    body = {"organization_id": world.org_a, **APPLICATION}
    by_curator = world.post("/mentors", body, as_="curator", key="same-key")
    by_admin = world.post("/mentors", body, as_="admin", key="same-key")
    assert by_curator.status_code == by_admin.status_code == 201
    assert by_admin.json()["replayed"] is False
    assert by_admin.json()["aggregate_id"] != by_curator.json()["aggregate_id"]


def test_a_retried_grant_names_the_same_user_and_never_shows_a_second_token(world: ApiWorld) -> None:
    body = {"name": "Куратор колледжа", "role": "curator", "organization_id": world.org_b}
    first = world.post("/users", body, key="grant-1")
    assert first.status_code == 201, first.text
    token = first.json()["token"]
    assert token and first.json()["user_id"] == first.json()["aggregate_id"]
    retry = world.post("/users", body, key="grant-1")
    assert retry.status_code == 201 and retry.json()["replayed"] is True
    assert retry.json()["user_id"] == first.json()["user_id"] and retry.json()["token"] is None
    # The token works, with the role and scope granted.
    mine = world.post("/mentors", {"organization_id": world.org_b, **APPLICATION}, as_=token)
    assert mine.status_code == 201
    theirs = world.post("/mentors", {"organization_id": world.org_a, **APPLICATION}, as_=token)
    assert theirs.status_code == 403


def _race(n: int, send: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """Send n requests at once from n threads; their responses in order."""
    barrier = threading.Barrier(n)
    responses: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        responses[i] = send(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_of_concurrent_approvals_exactly_one_is_recorded(world: ApiWorld) -> None:
    mentor = world.mentor(world.org_a, approve=False)
    responses = _race(6, lambda i: world.post(f"/mentors/{mentor}/approve", {"effective_date": "2020-09-15"}))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 1, [(r.status_code, r.text) for r in responses]
    assert set(statuses) <= {200, 409, 422}, statuses
    for refused in (r for r in responses if r.status_code != 200):
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] in ("conflict", "rule_violation")
    approvals = [e for e in world.history(mentor) if type(e).__name__ == "Approved"]
    assert len(approvals) == 1


def test_two_curators_racing_for_the_last_place_of_a_mentor_get_one_pair(world: ApiWorld) -> None:
    mentor = world.mentor(world.org_a, capacity=1)
    mentees = [world.mentee(world.org_a) for _ in range(4)]

    def form(i: int) -> httpx.Response:
        return world.post(
            "/pairs",
            {"organization_id": world.org_a, "mentor_id": mentor, "mentee_ids": [mentees[i]],
             "form": "pupil_pupil", "started_on": "2020-10-01"},
            as_="curator" if i % 2 else "admin",
        )

    responses = _race(4, form)
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1, [(r.status_code, r.text) for r in responses]
    assert set(statuses) <= {201, 409, 422}
    taken = [e for e in world.history(mentor) if type(e).__name__ == "MenteesTaken"]
    assert len(taken) == 1, "the mentor's capacity held under concurrency"


def test_concurrent_deliveries_of_one_keyed_request_record_it_once(world: ApiWorld) -> None:
    body = {"organization_id": world.org_a, **APPLICATION}
    before = world.position()
    responses = _race(5, lambda i: world.post("/mentors", body, as_="curator", key="retry-storm"))
    assert all(r.status_code == 201 for r in responses), [(r.status_code, r.text) for r in responses]
    assert len({r.json()["aggregate_id"] for r in responses}) == 1
    assert sum(not r.json()["replayed"] for r in responses) == 1
    assert world.position() == before + 2  # the application and the command record


def test_concurrent_deliveries_of_one_keyed_approval_all_get_its_result(world: ApiWorld) -> None:
    for attempt in range(5):
        mentor = world.mentor(world.org_a, approve=False)

        def approve(i: int, mentor: str = mentor, key: str = f"approve-{attempt}") -> httpx.Response:
            return world.post(f"/mentors/{mentor}/approve", {"effective_date": "2020-09-15"}, key=key)

        responses = _race(4, approve)
        assert all(r.status_code == 200 for r in responses), [(r.status_code, r.text) for r in responses]
        assert sum(not r.json()["replayed"] for r in responses) == 1
