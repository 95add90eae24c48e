"""The registry on each real store (a SQLite file and a PostgreSQL schema): every value type
survives the round trip, a retried command is recorded once, a refused one not at all."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from support.world import ADMIN, TODAY, Region, curator_of, directly, person, profile

from registry import commands as c
from registry.errors import IdempotencyKeyReused, RuleViolation
from registry.idempotency import CommandRecord, command_record_id
from registry.mentees import Mentee
from registry.mentors import Mentor
from registry.organizations import Municipality, Organization
from registry.pairs import Pair
from registry.programs import Program, TargetPlan, target_plan_id
from registry.reference import ListKind, ReferenceList, reference_list_id
from registry.values import (
    Contingent,
    Document,
    EventMeta,
    MentorProfile,
    PersonalData,
    TrainingRecord,
)


def full_region(region: Region) -> dict[str, tuple[type, UUID]]:
    """A region that uses every value type events carry: dates, Decimals, UUIDs, None, lists,
    nested dataclasses, dicts of dataclasses; returns {name: (class, id)}."""
    school = region.home
    region.run(c.ReportContingent(organization_id=school, year=2021, figures=c.ContingentIn(students_total=540, students_10_19=320, students_extra=None)))
    region.run(c.CompleteChecklistItem(
        organization_id=school, item="curator_appointed",
        document=c.DocumentIn(number="12-о", issued_on=date(2021, 2, 1), link="https://school1.khv.ru/docs/12.pdf"),
        completed_on=date(2021, 2, 1),
    ))
    mentor_id = region.run(
        c.SubmitMentorApplication(
            organization_id=school,
            person=person("Иванова Мария Петровна", birth_date=date(1984, 2, 29), email="ivanova@school1.ru", phone="+7 4212 00-00-00", snils="123-456-789 01"),
            profile=profile(forms=["pupil_pupil", "teacher_teacher"], subjects=["математика", "информатика"], employer="МБОУ СОШ № 1"),
            capacity=4,
            applied_on=date(2021, 9, 1),
        ),
        curator_of(school),
    ).aggregate_id
    region.run(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 15)))
    region.run(c.GiveConsent(mentor_id=mentor_id, fields=["name", "subjects"], document=c.DocumentIn(number="С-1"), effective_date=date(2021, 9, 15)))
    region.run(c.RecordTraining(mentor_id=mentor_id, course="Наставничество", provider="ХК ИРО", hours=36, completed_on=date(2022, 4, 20), certificate_number="272400012345", command_id="cert-1"))
    pupil = region.mentee(birth_date=date(2008, 5, 12))
    young = region.mentee(category="young_teacher", work_started_on=date(2021, 8, 30))
    program_id = region.program(forms=["pupil_pupil"])
    pair_id = region.pair(mentor_id, [pupil], kind="traditional", program_id=program_id)
    region.run(c.AddMenteeToPair(pair_id=pair_id, mentee_id=region.mentee(), joined_on=date(2021, 11, 2)))
    teachers = region.pair(mentor_id, [young], form="teacher_teacher", started_on=date(2021, 9, 20))
    region.run(c.CompletePair(pair_id=teachers, ended_on=date(2022, 5, 31), outcome="Открытый урок"))
    region.run(c.RecordProgramOutput(program_id=program_id, kind="project", title="Проект", produced_on=date(2022, 4, 15), pair_id=pair_id, command_id="out-1"))
    region.target("pupils_10_19", 2023, "62.50")
    region.run(c.AddReferenceEntry(list_kind=ListKind.MENTORING_FORM, code="parent_pupil", title="родитель – ученик"))
    return {
        "municipality": (Municipality, region.home_municipality),
        "school": (Organization, school),
        "mentor": (Mentor, mentor_id),
        "pupil": (Mentee, pupil),
        "young": (Mentee, young),
        "pair": (Pair, pair_id),
        "ended pair": (Pair, teachers),
        "program": (Program, program_id),
        "targets": (TargetPlan, target_plan_id("pupils_10_19", "region", "27")),
        "forms": (ReferenceList, reference_list_id(ListKind.MENTORING_FORM)),
        "command record": (CommandRecord, command_record_id("cert-1")),
    }


# -- round trip ---------------------------------------------------------------------------------------


def test_an_aggregate_read_back_equals_the_one_written(registry, open_store):
    """Saved by hand with every value type, then read by a registry that never saw it."""
    with directly():
        mentor = Mentor(
            organization_id=UUID("3f1c2a4e-0000-4000-8000-000000000001"),
            person=PersonalData(full_name="Пётр Ёлкин", birth_date=date(1990, 12, 31), email="p@example.ru", phone=None, snils="123-456-789 01"),
            profile=MentorProfile(position="инженер", mentor_type="employer", forms=["employer_pupil"], subjects=["робототехника"], employer="АО «Амурсталь»"),
            capacity=None,
            applied_on=date(2020, 2, 29),
        )
        mentor.complete_training("t1", TrainingRecord(course="Курс", provider="ИРО", completed_on=date(2020, 3, 1), hours=None), today=TODAY)
        plan = TargetPlan(indicator="young_teachers", unit_kind="municipality", unit_id="m-1")
        plan.set_target(2021, Decimal("20.05"), None)
        plan.set_target(2021, Decimal("0.50"), "Исправление")
    registry.save(mentor, plan)

    fresh = open_store()
    mentor_back, plan_back = fresh.get(Mentor, mentor.id), fresh.get(TargetPlan, plan.id)

    assert mentor_back == mentor
    assert plan_back == plan
    assert type(mentor_back.person) is PersonalData and type(mentor_back.profile) is MentorProfile
    assert type(mentor_back.trainings["t1"]) is TrainingRecord
    assert mentor_back.person.birth_date == date(1990, 12, 31) and type(mentor_back.person.birth_date) is date
    assert type(mentor_back.organization_id) is UUID
    assert str(plan_back.targets["2021"]) == "0.50"  # the Decimal keeps its exponent, never a float
    assert isinstance(mentor_back.created_on, datetime) and mentor_back.created_on.tzinfo is not None


def test_every_aggregate_of_a_region_reads_back_the_same_from_the_store(registry, open_store):
    aggregates = full_region(Region(registry))

    fresh = open_store()

    for name, (cls, aggregate_id) in aggregates.items():
        written, read = registry.get(cls, aggregate_id), fresh.get(cls, aggregate_id)
        assert read == written, name
        assert list(fresh.history(aggregate_id)) == list(registry.history(aggregate_id)), name


def test_value_types_come_back_as_themselves(registry, open_store):
    aggregates = full_region(Region(registry))
    fresh = open_store()

    school = fresh.get(Organization, aggregates["school"][1])
    assert school.contingents["2021"] == Contingent(students_total=540, students_10_19=320)
    assert school.registered_on == date(2015, 9, 1) and type(school.registered_on) is date
    assert school.checklist["curator_appointed"]["document"] == Document(
        number="12-о", issued_on=date(2021, 2, 1), link="https://school1.khv.ru/docs/12.pdf"
    )
    mentor = fresh.get(Mentor, aggregates["mentor"][1])
    assert mentor.person.snils == "123-456-789 01"
    assert mentor.profile.subjects == ["математика", "информатика"]
    assert mentor.trainings["cert-1"].completed_on == date(2022, 4, 20)
    assert mentor.consented_fields == ["name", "subjects"]
    pair = fresh.get(Pair, aggregates["pair"][1])
    assert sorted(pair.mentees.values()) == [date(2021, 10, 1), date(2021, 11, 2)]
    assert fresh.get(Program, aggregates["program"][1]).outputs["out-1"]["pair_id"] == pair.id
    assert fresh.get(TargetPlan, aggregates["targets"][1]).targets == {"2023": Decimal("62.50")}
    assert fresh.get(Mentee, aggregates["young"][1]).work_started_on == date(2021, 8, 30)
    meta = list(fresh.history(aggregates["mentor"][1]))[1].meta
    assert meta == EventMeta(user_id=ADMIN.user_id, role="admin", command_id=meta.command_id)


def test_an_aggregate_is_replayed_as_it_was_at_any_version(registry, open_store):
    region = Region(registry)
    mentor_id = region.active_mentor()
    region.run(c.SuspendMentor(mentor_id=mentor_id, reason="Больничный", effective_date=date(2022, 1, 10)))

    fresh = open_store()

    assert [fresh.get(Mentor, mentor_id, version=v).status for v in (1, 2, 3)] == ["pending", "active", "suspended"]


# -- idempotency ---------------------------------------------------------------------------------------------


def test_the_same_command_id_twice_gives_the_same_result_and_records_once(registry):
    region = Region(registry)
    mentor_id = region.applied_mentor()
    command = c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 15), command_id="approve-7")

    first = registry.execute(command, ADMIN)
    position = registry.position()
    again = registry.execute(command, ADMIN)

    assert again.replayed and not first.replayed
    assert (again.command_id, again.aggregate_id, again.version) == (first.command_id, first.aggregate_id, first.version)
    assert again.events == 0
    assert registry.position() == position == first.position
    assert region.events(mentor_id) == ["Applied", "Approved"]


def test_a_retried_registration_creates_one_organization_not_two(registry, open_store):
    region = Region(registry)
    command = c.RegisterOrganization(
        name="МБОУ СОШ № 5", kind="school", municipality_id=region.home_municipality, registered_on=date(2001, 9, 1), command_id="import-row-17"
    )
    first = registry.execute(command, ADMIN)
    position = registry.position()

    after_restart = open_store().execute(command, ADMIN)

    assert after_restart.replayed
    assert after_restart.aggregate_id == first.aggregate_id
    assert registry.position() == position


def test_a_command_id_reused_for_another_command_is_refused_and_records_nothing(registry):
    region = Region(registry)
    mentor_id = region.applied_mentor()
    registry.execute(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 15), command_id="k-1"), ADMIN)

    other_date = region.refuse(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 16), command_id="k-1"), expect=IdempotencyKeyReused)
    other_kind = region.refuse(c.RejectMentor(mentor_id=mentor_id, reason="Нет стажа", command_id="k-1"), expect=IdempotencyKeyReused)

    assert other_date.code == other_kind.code == "idempotency_key_reused"
    assert region.events(mentor_id) == ["Applied", "Approved"]


def test_a_curator_cannot_obtain_another_curators_result_by_reusing_its_command_id(registry):
    region = Region(registry)
    school, other = region.organization(), region.organization()
    command = c.RegisterMentee(
        organization_id=school,
        category="pupil",
        person=person("Сидоров Семён"),
        birth_year=2008,
        registered_on=date(2021, 9, 1),
        command_id="mentees-row-3",
    )
    registry.execute(command, curator_of(school))

    refused = region.refuse(command, curator_of(other), expect=IdempotencyKeyReused)
    assert refused.code == "idempotency_key_reused"
    assert registry.execute(command, ADMIN).replayed  # the institute may replay any import


def test_a_refused_command_is_refused_again_when_retried_never_replayed(registry):
    region = Region(registry)
    mentor_id = region.active_mentor()
    command = c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 20), command_id="approve-twice")

    first = region.refuse(command, expect=RuleViolation)
    second = region.refuse(command, expect=RuleViolation)

    assert first.rule == second.rule == "mentor_status"


# -- all or nothing -----------------------------------------------------------------------------------------------


def test_a_rejected_command_records_no_event(registry, open_store):
    region = Region(registry)
    mentor_id = region.active_mentor()
    before = registry.position()

    region.refuse(c.RejectMentor(mentor_id=mentor_id, reason="Поздно"), expect=RuleViolation)

    assert registry.position() == before
    assert open_store().get(Mentor, mentor_id) == registry.get(Mentor, mentor_id)


def test_a_command_refused_half_way_leaves_every_aggregate_it_touched_untouched(registry, open_store):
    """FormPair takes the mentor's capacity and enrols the first mentee before the second one is
    found busy: none of it may reach the store, nor linger in the registry's cache."""
    region = Region(registry)
    mentor_id = region.active_mentor(capacity=5)
    free, busy = region.mentee(), region.mentee()
    region.pair(region.active_mentor(), [busy], started_on=date(2022, 9, 1))  # busy on the very day
    mentor_before, free_before = registry.get(Mentor, mentor_id), registry.get(Mentee, free)

    err = region.refuse(
        c.FormPair(organization_id=region.home, mentor_id=mentor_id, mentee_ids=[free, busy], form="pupil_pupil", started_on=date(2022, 9, 1)),
        curator_of(region.home),
        expect=RuleViolation,
    )

    assert err.rule == "one_active_pair_per_form"
    assert registry.get(Mentor, mentor_id) == mentor_before
    assert registry.get(Mentee, free) == free_before
    fresh = open_store()
    assert fresh.get(Mentor, mentor_id) == mentor_before
    assert fresh.get(Mentee, free).active_pairs == {}
    # and the mentor still has all its room: the next honest command succeeds
    region.pair(mentor_id, [free], started_on=date(2022, 9, 1))
    assert registry.get(Mentor, mentor_id).current_load == 1


def test_a_command_result_states_the_log_position_it_reached(registry):
    region = Region(registry)
    mentor_id = region.applied_mentor()

    result = registry.execute(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 15)), ADMIN)

    assert result.position == registry.position()
    assert result.events == 1 and result.version == 2
    assert list(registry.history(mentor_id))[-1].originator_version == result.version


def test_opening_the_store_again_does_not_seed_the_lists_again(registry, open_store):
    position = registry.position()

    open_store()

    assert registry.position() == position
