"""Commands as users send them: validation names the field at fault; roles and a curator's scope
decide who may send what, and a refused command records nothing."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from pydantic import ValidationError
from support.world import (
    ADMIN,
    AUDITOR,
    Region,
    assert_russian,
    curator_of,
    municipal_of,
    person,
    profile,
)

from registry import commands as c
from registry.errors import Forbidden, InvalidCommand
from registry.handlers import HANDLERS
from registry.mentors import Mentor
from registry.validation import parse_command
from registry.values import Actor, Role


@pytest.fixture
def region(memory_registry) -> Region:
    return Region(memory_registry)


def problems(command_type: type[c.Command], data: dict) -> dict[str, str]:
    """Validate raw input as the API or an import would; return {field path: rule}, having
    checked that every problem is explained in Russian."""
    with pytest.raises(InvalidCommand) as caught:
        parse_command(command_type, data)
    assert_russian(caught.value.message)
    for problem in caught.value.problems:
        assert_russian(problem.message)
    return {problem.field: problem.rule for problem in caught.value.problems}


MENTOR = str(uuid4())


# -- validation --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad_date", ["2021-02-30", "2021-13-01", "2021-00-10", "30.02.2021", "вчера", ""])
def test_an_impossible_date_is_refused_naming_the_field(bad_date):
    assert set(problems(c.ApproveMentor, {"mentor_id": MENTOR, "effective_date": bad_date})) == {"effective_date"}


def test_a_bad_date_inside_a_nested_value_names_its_whole_path():
    found = problems(
        c.SubmitMentorApplication,
        {
            "organization_id": str(uuid4()),
            "person": {"full_name": "Иванова Мария", "birth_date": "1985-02-29"},
            "profile": {"position": "учитель", "mentor_type": "teacher"},
            "applied_on": "2021-09-01",
        },
    )
    assert set(found) == {"person.birth_date"}


def test_a_date_from_json_is_parsed_the_same_way():
    with pytest.raises(ValidationError) as caught:
        c.ApproveMentor.model_validate_json(f'{{"mentor_id": "{MENTOR}", "effective_date": "2021-02-30"}}')
    assert [e["loc"] for e in caught.value.errors()] == [("effective_date",)]
    ok = c.ApproveMentor.model_validate_json(f'{{"mentor_id": "{MENTOR}", "effective_date": "2024-02-29"}}')
    assert ok.effective_date == date(2024, 2, 29)


def test_missing_fields_are_each_named():
    found = problems(c.RegisterOrganization, {"name": "МБОУ СОШ № 1", "kind": "school"})

    assert found == {"municipality_id": "missing", "registered_on": "missing"}


def test_a_missing_nested_field_is_named_with_its_path():
    found = problems(
        c.RegisterMentee,
        {"organization_id": str(uuid4()), "category": "pupil", "person": {"birth_date": "2008-05-12"}, "registered_on": "2021-09-01"},
    )
    assert found == {"person.full_name": "missing"}


def test_unknown_fields_are_refused_not_ignored():
    found = problems(
        c.RejectMentor, {"mentor_id": MENTOR, "reason": "Нет стажа", "surname": "Иванова", "comment": "…"}
    )
    assert found == {"surname": "extra_forbidden", "comment": "extra_forbidden"}

    found = problems(
        c.GiveConsent,
        {"mentor_id": MENTOR, "fields": ["name"], "effective_date": "2022-01-01", "document": {"number": "1", "signed_by": "x"}},
    )
    assert found == {"document.signed_by": "extra_forbidden"}


def test_every_problem_of_a_command_is_reported_at_once():
    found = problems(c.SuspendMentor, {"mentor_id": "not-a-uuid", "reason": "  ", "effective_date": "2021-02-30", "extra": 1})

    assert set(found) == {"mentor_id", "reason", "effective_date", "extra"}


@pytest.mark.parametrize(
    ("command_type", "data", "field"),
    [
        (c.RejectMentor, {"mentor_id": MENTOR, "reason": "   "}, "reason"),
        (c.DissolvePair, {"pair_id": MENTOR, "ended_on": "2022-01-01", "reason": ""}, "reason"),
        (c.CompletePair, {"pair_id": MENTOR, "ended_on": "2022-01-01", "outcome": " "}, "outcome"),
        (c.FormPair, {"organization_id": MENTOR, "mentor_id": MENTOR, "mentee_ids": [], "form": "pupil_pupil", "started_on": "2021-10-01"}, "mentee_ids"),
        (c.FormPair, {"organization_id": MENTOR, "mentor_id": MENTOR, "mentee_ids": [MENTOR], "form": "Ученик-ученик", "started_on": "2021-10-01"}, "form"),
        (c.FormPair, {"organization_id": MENTOR, "mentor_id": MENTOR, "mentee_ids": ["123"], "form": "pupil_pupil", "started_on": "2021-10-01"}, "mentee_ids.0"),
        (c.RegisterOrganization, {"name": "ОО", "kind": "university", "municipality_id": MENTOR, "registered_on": "2010-01-01"}, "kind"),
        (c.RegisterOrganization, {"name": "ОО", "kind": "school", "municipality_id": MENTOR, "inn": "27020012", "registered_on": "2010-01-01"}, "inn"),
        (c.RegisterMentee, {"organization_id": MENTOR, "category": "parent", "person": {"full_name": "А"}, "registered_on": "2021-09-01"}, "category"),
        (c.RegisterMentee, {"organization_id": MENTOR, "category": "pupil", "person": {"full_name": "А", "snils": "12345"}, "registered_on": "2021-09-01"}, "person.snils"),
        (c.RegisterMentee, {"organization_id": MENTOR, "category": "pupil", "person": {"full_name": "А", "email": "нет почты"}, "registered_on": "2021-09-01"}, "person.email"),
        (c.SubmitMentorApplication, {"organization_id": MENTOR, "person": {"full_name": "А"}, "profile": {"position": "учитель", "mentor_type": "teacher"}, "capacity": 0, "applied_on": "2021-09-01"}, "capacity"),
        (c.ReportContingent, {"organization_id": MENTOR, "year": 2021, "figures": {"students_total": -5}}, "figures.students_total"),
        (c.ReportContingent, {"organization_id": MENTOR, "year": 1999, "figures": {}}, "year"),
        (c.SetTarget, {"indicator": "pupils_10_19", "unit_kind": "region", "unit_id": "27", "year": 2022, "share_percent": "100.5"}, "share_percent"),
        (c.SetTarget, {"indicator": "pupils_10_19", "unit_kind": "region", "unit_id": "27", "year": 2022, "share_percent": "-1"}, "share_percent"),
        (c.SetTarget, {"indicator": "pupils_10_19", "unit_kind": "region", "unit_id": "27", "year": 2022, "share_percent": "12.345"}, "share_percent"),
        (c.SetTarget, {"indicator": "pupils_10_19", "unit_kind": "galaxy", "unit_id": "27", "year": 2022, "share_percent": "12"}, "unit_kind"),
        (c.GiveConsent, {"mentor_id": MENTOR, "fields": [], "effective_date": "2022-01-01"}, "fields"),
        (c.RecordTraining, {"mentor_id": MENTOR, "course": "К", "provider": "П", "hours": 0, "completed_on": "2022-01-01"}, "hours"),
    ],
)
def test_field_rules_of_commands_name_the_field(command_type, data, field):
    assert set(problems(command_type, data)) == {field}


def test_text_is_trimmed_and_a_name_has_single_spaces():
    command = c.SubmitMentorApplication(
        organization_id=uuid4(),
        person=c.PersonIn(full_name="  Иванова   Мария  Петровна "),
        profile=c.MentorProfileIn(position="  учитель  ", mentor_type="teacher"),
        applied_on=date(2021, 9, 1),
    )
    assert command.person.full_name == "Иванова Мария Петровна"
    assert command.profile.position == "учитель"


def test_a_command_cannot_be_changed_after_validation():
    command = c.ApproveMentor(mentor_id=uuid4(), effective_date=date(2021, 9, 1))
    with pytest.raises(ValidationError):
        command.effective_date = date(2022, 1, 1)  # type: ignore[misc]


def test_the_fingerprint_ignores_the_command_id_and_sees_every_field():
    mentor_id = uuid4()
    first = c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 1), command_id="a")
    retry = c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 1), command_id="b")
    other = c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 2), command_id="a")
    assert first.payload_sha256() == retry.payload_sha256() != other.payload_sha256()
    same_fields = dict(mentor_id=mentor_id, reason="Приказ № 5", effective_date=date(2022, 1, 1))
    assert c.SuspendMentor(**same_fields).payload_sha256() != c.RemoveMentor(**same_fields).payload_sha256()


def test_every_command_has_a_handler():
    assert set(c.ALL_COMMANDS) == set(HANDLERS)


# -- roles ----------------------------------------------------------------------------------------------


def _unvalidated(command_type: type[c.Command]) -> c.Command:
    """A command of this type with no fields: the role gate must refuse it before reading any."""
    return command_type.model_construct()


#: Everyone records their own password change (the workspace's account, not registry data).
REGISTRY_WRITES = [t for t in c.ALL_COMMANDS if t is not c.SetUserPassword]
COORDINATOR = Actor(user_id="coord", role=Role.MUNICIPAL, municipality_id="m1")
#: A coordinator runs its own municipality's monitoring rounds and roadmap (tests/test_rounds.py,
#: test_roadmaps.py); every other registry write is refused to it, and all of them to auditors.
REFUSED = [(AUDITOR, t) for t in REGISTRY_WRITES] + [
    (COORDINATOR, t) for t in REGISTRY_WRITES if Role.MUNICIPAL not in t.allowed_roles
]


def test_a_coordinator_may_write_only_rounds_and_roadmaps():
    allowed = {t.__name__ for t in REGISTRY_WRITES if Role.MUNICIPAL in t.allowed_roles}
    assert allowed == {"OpenMonitoringRound", "CloseMonitoringRound", "PlanRoadmapItem", "DropRoadmapItem"}


@pytest.mark.parametrize(
    ("actor", "command_type"), REFUSED, ids=[f"{a.role}-{t.__name__}" for a, t in REFUSED]
)
def test_auditors_and_municipal_coordinators_write_nothing_else(region, command_type, actor):
    err = region.refuse(_unvalidated(command_type), actor, expect=Forbidden)

    assert err.code == "forbidden"


ADMIN_ONLY = [t for t in c.ALL_COMMANDS if t.allowed_roles == frozenset({Role.ADMIN})]


@pytest.mark.parametrize("command_type", ADMIN_ONLY, ids=lambda t: t.__name__)
def test_a_curator_cannot_send_the_institutes_commands(region, command_type):
    region.refuse(_unvalidated(command_type), curator_of(region.home), expect=Forbidden)


def test_the_curators_own_commands_are_the_schools_work():
    curator_commands = {t.__name__ for t in REGISTRY_WRITES if Role.CURATOR in t.allowed_roles}
    assert curator_commands == {
        "SubmitMentorApplication", "UpdateMentorProfile", "GiveConsent", "WithdrawConsent",
        "RegisterMentee", "CorrectMentee", "FormPair", "AddMenteeToPair", "CompletePair", "DissolvePair",
        "CorrectPairStart", "TransferPair", "MoveMentee", "AdoptProgram", "RecordProgramOutput", "RetractProgramOutput",
        "CompleteChecklistItem", "ReopenChecklistItem", "RecordPairFeedback",
    }


def test_the_institute_approves_what_a_curator_may_not(region):
    mentor_id = region.applied_mentor()

    region.refuse(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 15)), curator_of(region.home), expect=Forbidden)
    region.refuse(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 15)), municipal_of(region.home_municipality), expect=Forbidden)
    region.run(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 15)), ADMIN)

    assert region.events(mentor_id) == ["Applied", "Approved"]


# -- a curator's scope: its own organization only --------------------------------------------------------


@pytest.fixture
def two_schools(region):
    """Our school and a neighbour's, each with a mentor, a mentee, a pair and a program."""
    ours, theirs = region.home, region.organization(name="МБОУ СОШ № 2")
    world = {}
    for name, school in (("ours", ours), ("theirs", theirs)):
        mentor = region.active_mentor(school, capacity=5)
        mentee = region.mentee(school)
        program = region.program(school)
        world[name] = dict(
            school=school, mentor=mentor, mentee=mentee, spare=region.mentee(school), newcomer=region.mentee(school),
            pair=region.pair(mentor, [mentee], organization_id=school), program=program,
        )
    return world


def scoped_commands(w: dict) -> list[c.Command]:
    """One command of each kind a curator may send, aimed at the organization `w` describes."""
    return [
        c.SubmitMentorApplication(organization_id=w["school"], person=person(), profile=profile(), applied_on=date(2022, 9, 1)),
        c.UpdateMentorProfile(mentor_id=w["mentor"], person=person(), profile=profile(), capacity=5),
        c.GiveConsent(mentor_id=w["mentor"], fields=["name"], effective_date=date(2022, 9, 1)),
        c.WithdrawConsent(mentor_id=w["mentor"]),
        c.RegisterMentee(organization_id=w["school"], category="pupil", person=person(birth_date=date(2009, 3, 3)), registered_on=date(2022, 9, 1)),
        c.CorrectMentee(mentee_id=w["mentee"], category="pupil", person=person(birth_date=date(2009, 3, 4)), reason="Опечатка"),
        c.FormPair(organization_id=w["school"], mentor_id=w["mentor"], mentee_ids=[w["spare"]], form="pupil_pupil", started_on=date(2022, 9, 1)),
        c.AddMenteeToPair(pair_id=w["pair"], mentee_id=w["newcomer"], joined_on=date(2022, 9, 1)),
        c.CorrectPairStart(pair_id=w["pair"], started_on=date(2021, 9, 20), reason="Опечатка"),
        c.AdoptProgram(organization_id=w["school"], title="Программа", starts_on=date(2022, 9, 1)),
        c.RecordProgramOutput(program_id=w["program"], kind="event", title="Форум", produced_on=date(2022, 10, 1)),
        c.CompleteChecklistItem(organization_id=w["school"], item="roadmap_adopted", document=c.DocumentIn(number="7"), completed_on=date(2022, 1, 1)),
        c.CompletePair(pair_id=w["pair"], ended_on=date(2023, 5, 25), outcome="Проект защищён"),
    ]


def test_a_curator_is_forbidden_every_write_for_another_organization(region, two_schools):
    curator = curator_of(two_schools["ours"]["school"])
    theirs = two_schools["theirs"]
    histories = {k: region.events(v) for k, v in theirs.items()}

    for command in scoped_commands(theirs):
        err = region.refuse(command, curator, expect=Forbidden)
        assert "организации" in err.message

    assert {k: region.events(v) for k, v in theirs.items()} == histories


def test_a_curator_may_do_all_of_it_for_its_own_organization(region, two_schools):
    curator = curator_of(two_schools["ours"]["school"])

    for command in scoped_commands(two_schools["ours"]):
        assert region.run(command, curator).events >= 1


def test_a_curator_without_an_organization_writes_for_none(region):
    nobody = Actor(user_id="lost", role=Role.CURATOR)

    region.refuse(c.RegisterMentee(organization_id=region.home, category="teacher", person=person(), registered_on=date(2022, 9, 1)), nobody, expect=Forbidden)


def test_a_refused_command_leaves_its_command_id_free(region):
    """Nothing at all was recorded, not even the command id: the right user can send it later."""
    mentor_id = region.applied_mentor()
    command = c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 15), command_id="approve-1")
    region.refuse(command, curator_of(region.home), expect=Forbidden)

    result = region.run(command, ADMIN)

    assert not result.replayed
    assert region.get(Mentor, mentor_id).in_registry
