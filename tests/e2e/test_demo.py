"""The demo region: loads through the registry's own commands, deterministically, once."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from ops.demo import LAST_DAY, DemoSummary, load_demo, region_data_found
from ops.storage import open_registry
from registry import commands as c
from registry.application import Registry
from registry.values import Actor, Role

_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _log(registry: Registry) -> list[tuple[str, dict[str, Any]]]:
    """Every event after the seeded reference lists, ids replaced by their order of appearance.

    The registry draws ids with uuid4 and stamps events with the recording time; everything
    else in a demo load must follow from the seed.
    """
    aliases: dict[UUID, str] = {}

    def canon(value: Any) -> Any:
        if isinstance(value, UUID):
            return aliases.setdefault(value, f"#{len(aliases)}")
        if isinstance(value, str) and _ID.fullmatch(value):
            return canon(UUID(value))
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: canon(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, dict):
            return {canon(k): canon(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [canon(v) for v in value]
        return value

    events = []
    start = 1
    while batch := registry.recorder.select_notifications(start=start, limit=2000):
        for notification in batch:
            if notification.topic.startswith("reestr:ReferenceList"):
                continue
            event = registry.mapper.to_domain_event(notification)
            payload = {k: v for k, v in vars(event).items() if k != "timestamp"}
            events.append((notification.topic, canon(payload)))
        start = batch[-1].id + 1
    return events


def _dates(value: Any) -> list[date]:
    if isinstance(value, date):
        return [value]
    if isinstance(value, dict):
        return [d for v in value.values() for d in _dates(v)]
    if isinstance(value, list):
        return [d for v in value for d in _dates(v)]
    return []


def test_demo_loads_the_same_region_every_time_and_only_once(memory_registry: Registry) -> None:
    calls: list[tuple[int, int]] = []
    before = memory_registry.position()
    summary = load_demo(memory_registry, progress=lambda done, total: calls.append((done, total)))

    assert isinstance(summary, DemoSummary)
    assert (summary.municipalities, summary.organizations) == (3, 20)
    assert 180 <= summary.mentors <= 260
    assert 1300 <= summary.mentees <= 1700
    assert 1200 <= summary.pairs <= 1900
    assert 40 <= summary.programs <= 100
    assert 80 <= summary.outputs <= 130
    assert summary.events == memory_registry.position() - before > 8000
    assert summary.seconds > 0
    assert calls and calls[-1][0] == calls[-1][1] and all(a < b for (a, _), (b, _) in zip(calls, calls[1:]))

    log = _log(memory_registry)
    topics = Counter(topic for topic, _ in log)
    assert topics["reestr:Pair.Formed"] == summary.pairs
    assert topics["reestr:Mentee.Registered"] == summary.mentees
    for outcome in ("Rejected", "Suspended", "Removed", "Reinstated", "ConsentWithdrawn"):
        assert topics[f"reestr:Mentor.{outcome}"] >= 1, outcome
    assert topics["reestr:Pair.Completed"] > 0 and topics["reestr:Pair.Dissolved"] > 0
    assert topics["reestr:Pair.MenteeAdded"] > 0
    assert topics["reestr:Organization.ContingentReported"] == 20 * 3 - 1  # one left missing
    assert topics["reestr:TargetPlan.TargetSet"] == 16

    formed = [payload for topic, payload in log if topic == "reestr:Pair.Formed"]
    assert {p["form"] for p in formed} == {
        "pupil_pupil", "teacher_teacher", "student_pupil", "employer_pupil",
        "student_student", "educator_student", "employer_student", "educator_educator",
    }
    by_year = Counter(p["started_on"].year for p in formed)
    assert by_year[2021] > 2 * by_year[2020] > 0
    assert any(len(p["mentee_ids"]) > 1 for p in formed)
    # What happened is dated 2020–2022; births and first working days may come before.
    life = ("person", "work_started_on")
    effective = [d for _, p in log for d in _dates({k: v for k, v in p.items() if k not in life})]
    assert min(effective) >= date(2020, 1, 1) and max(effective) <= LAST_DAY
    assert max(d for _, p in log for d in _dates(p)) <= LAST_DAY

    with pytest.raises(RuntimeError, match="уже"):
        load_demo(memory_registry)
    assert memory_registry.position() == before + summary.events

    again = open_registry("sqlite:///:memory:", clock=memory_registry.clock)
    try:
        second = load_demo(again)
        assert dataclasses.replace(second, seconds=0) == dataclasses.replace(summary, seconds=0)
        assert _log(again) == log
    finally:
        again.close()


def test_demo_refuses_a_registry_already_in_use(memory_registry: Registry) -> None:
    admin = Actor("admin", Role.ADMIN)
    memory_registry.execute(c.RegisterRegion(code="27", name="Хабаровский край"), admin)
    before = memory_registry.position()
    with pytest.raises(RuntimeError, match="пуст"):
        load_demo(memory_registry)
    assert memory_registry.position() == before


def test_users_granted_before_the_demo_do_not_block_it(memory_registry: Registry) -> None:
    memory_registry.execute(
        c.AddUser(name="Администратор ХК ИРО", role=c.UserRole.ADMIN, token_sha256="a" * 64,
                  command_id="grant-first-admin"),
        Actor("system", Role.ADMIN),
    )
    assert region_data_found(memory_registry) is None  # users are not region data


def test_demo_refuses_a_clock_before_its_last_day() -> None:
    registry = open_registry("sqlite:///:memory:", clock=lambda: date(2022, 6, 1))
    try:
        before = registry.position()
        with pytest.raises(RuntimeError, match="в будущем"):
            load_demo(registry)
        assert registry.position() == before
    finally:
        registry.close()
