"""A log written by version 0.1.0 must replay forever: the guard on topics and event schemas.

`fixtures/event_log_v1.jsonl` was recorded once, by the first release, from a scenario that uses
every event type (a municipality renamed, a school with a corrected contingent, a mentor who was
approved, trained, suspended, reinstated, lost consent and was removed, a group completed, a pair
dissolved, an output retracted...). Never regenerate it: if a change breaks this test, the change
needs an upcaster (`class_version` + `upcast_v1_v2`) or a `register_topic` alias instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic

from ops.storage import eventsourcing_env, parse_database_url
from registry.application import Registry
from registry.base import RegistryAggregate
from registry.mentees import Mentee
from registry.mentors import Mentor
from registry.organizations import Municipality, Organization
from registry.pairs import Pair
from registry.programs import Program, TargetPlan, target_plan_id
from registry.reference import ReferenceList, reference_list_id

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "event_log_v1.jsonl"

IDS = {
    "municipality": "1d704a46-538e-4d45-b5d1-5f06d5251f21",
    "school": "a806ba9a-f891-4cc4-a8ee-33a6c0a082a1",
    "extra": "3c2fedfe-2ca1-4896-835b-431734b29793",
    "mentor": "21bd467a-8fbb-4ab4-a032-82f72b237842",
    "rejected": "63f845ba-c205-4bf7-b710-006c814395ab",
    "pupil2": "cccaf640-659b-49df-98c3-d2eb47edd617",
    "young_teacher": "22c36b03-badd-430d-9dbc-0d099e5dc976",
    "program": "1a915d22-c8e6-415b-af28-6d084b43f0e5",
    "group": "5496f3c5-4aa9-4df4-aa95-0c63397acd00",
    "teacher_pair": "0b2202ab-ac9f-4cbe-85d2-d3807629e06d",
}


def _records() -> list[dict[str, object]]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def restored() -> Iterator[Registry]:
    """A bare store (no seeded lists: the v1 log has its own) holding the v1 records, inserted raw."""
    bare = Registry(env=eventsourcing_env(parse_database_url("sqlite:///:memory:")))
    bare.recorder.insert_events(
        [
            StoredEvent(
                originator_id=UUID(str(r["originator_id"])),
                originator_version=int(str(r["originator_version"])),
                topic=str(r["topic"]),
                state=str(r["state"]).encode("utf-8"),
            )
            for r in _records()
        ]
    )
    yield bare
    bare.close()


def _get(registry: Registry, key: str) -> RegistryAggregate:
    return registry.repository.get(UUID(IDS[key]))


def test_every_stored_event_of_v1_decodes_with_its_attribution(restored: Registry) -> None:
    notifications = restored.recorder.select_notifications(start=1, limit=10_000)
    assert len(notifications) == len(_records())
    for notification in notifications:
        event = restored.mapper.to_domain_event(notification)
        assert event.meta.user_id in {"system", "admin-1", "curator-1"}
        assert event.meta.command_id


def test_v1_aggregates_rebuild_to_their_recorded_state(restored: Registry) -> None:
    municipality = _get(restored, "municipality")
    assert isinstance(municipality, Municipality)
    assert municipality.name == "городской округ «Город Хабаровск»"

    school = _get(restored, "school")
    assert isinstance(school, Organization)
    assert school.name == "МБОУ СОШ № 3 им. Героя"
    assert school.contingents["2020"].students_total == 910
    assert school.contingent_sources["2020"] == 4  # the correction is now the source of the figures
    assert set(school.checklist) == {"curator_appointed"}
    assert school.checklist["curator_appointed"]["document"].issued_on == date(2020, 9, 1)
    extra = _get(restored, "extra")
    assert isinstance(extra, Organization) and extra.closed_on == date(2022, 8, 31)

    mentor = _get(restored, "mentor")
    assert isinstance(mentor, Mentor)
    assert (mentor.status, mentor.status_reason) == ("removed", "Переезд в другой регион")
    assert mentor.consented_fields == []
    assert mentor.person.snils is None and mentor.person.birth_date == date(1980, 3, 4)
    assert mentor.profile.subjects == ["математика", "физика"]
    assert mentor.trainings["training-ivanova-1"].hours == 72
    assert mentor.active_pairs == {}
    rejected = _get(restored, "rejected")
    assert isinstance(rejected, Mentor) and rejected.status == "rejected"

    pupil = _get(restored, "pupil2")
    assert isinstance(pupil, Mentee)
    assert (pupil.person.full_name, pupil.birth_year, pupil.active_pairs) == ("Кузнецова Ксения", 2006, {})

    group = _get(restored, "group")
    assert isinstance(group, Pair)
    assert (group.status, group.started_on, group.ended_on) == ("completed", date(2020, 9, 25), date(2021, 5, 25))
    assert sorted(group.mentees.values()) == [date(2020, 9, 25), date(2020, 11, 1)]
    pair = _get(restored, "teacher_pair")
    assert isinstance(pair, Pair) and (pair.status, pair.end_reason) == ("dissolved", "Наставляемый уволился")

    program = _get(restored, "program")
    assert isinstance(program, Program)
    assert list(program.outputs) == ["output-meteo"]

    plan = restored.repository.get(target_plan_id("pupils_10_19", "region", "27"))
    assert isinstance(plan, TargetPlan) and plan.targets == {"2021": Decimal("25.5")}
    forms = restored.repository.get(reference_list_id("mentoring_form"))
    assert isinstance(forms, ReferenceList)
    assert forms.entries["parent_pupil"] == {"title": "родитель – обучающийся", "retired": True}


def test_topics_are_pinned_names_not_module_paths() -> None:
    topics = {str(r["topic"]) for r in _records()}
    assert all(topic.startswith("reestr:") for topic in topics)
    for topic in topics:
        assert resolve_topic(topic).TOPIC == topic
