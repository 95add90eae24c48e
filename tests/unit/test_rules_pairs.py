"""Rules of pairs and groups «наставник – наставляемый», as scenarios: formation, groups,
capacity, one active pair per form, completion, dissolution and corrections."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest
from support.world import TODAY, Region, curator_of, directly

from registry import commands as c
from registry.errors import NotFound, RuleViolation
from registry.intervals import Schedule
from registry.mentees import Mentee
from registry.mentors import Mentor
from registry.pairs import Pair
from registry.values import PairStatus


@pytest.fixture
def region(memory_registry) -> Region:
    return Region(memory_registry)


def form(region: Region, mentor_id, mentee_ids, *, organization_id=None, form="pupil_pupil", started_on=date(2021, 10, 1), **more):
    organization_id = organization_id or region.home
    return c.FormPair(
        organization_id=organization_id,
        mentor_id=mentor_id,
        mentee_ids=list(mentee_ids),
        form=form,
        started_on=started_on,
        **more,
    )


def complete(pair_id, ended_on=date(2022, 5, 25), outcome="Победа в муниципальном конкурсе проектов"):
    return c.CompletePair(pair_id=pair_id, ended_on=ended_on, outcome=outcome)


def dissolve(pair_id, ended_on=date(2022, 1, 20), reason="Наставляемый перешёл в другую школу"):
    return c.DissolvePair(pair_id=pair_id, ended_on=ended_on, reason=reason)


def add(pair_id, mentee_id, joined_on=date(2021, 11, 1)):
    return c.AddMenteeToPair(pair_id=pair_id, mentee_id=mentee_id, joined_on=joined_on)


# -- formation --------------------------------------------------------------------------------------


def test_a_curator_forms_a_pair_and_mentor_and_mentee_both_record_it(region):
    mentor_id = region.active_mentor()
    pupil = region.mentee()

    pair_id = region.pair(mentor_id, [pupil], kind="traditional", started_on=date(2021, 10, 1))

    pair = region.get(Pair, pair_id)
    assert pair.is_active
    assert (pair.form, pair.kind, pair.started_on) == ("pupil_pupil", "traditional", date(2021, 10, 1))
    assert pair.mentees == {str(pupil): date(2021, 10, 1)}
    assert region.events(pair_id) == ["Formed"]
    assert region.events(mentor_id)[-1] == "MenteesTaken"
    assert region.events(pupil) == ["Registered", "EnrolledInPair"]
    assert region.get(Mentor, mentor_id).current_load == 1
    assert region.get(Mentee, pupil).active_pairs == {str(pair_id): "pupil_pupil"}


def test_a_pair_can_be_formed_under_a_program_of_its_organization(region):
    program_id = region.program()

    pair_id = region.pair(region.active_mentor(), [region.mentee()], program_id=program_id)

    assert region.get(Pair, pair_id).program_id == program_id


def test_a_program_of_another_organization_is_refused(region):
    other = region.organization()
    foreign_program = region.program(other)

    err = region.refuse(
        form(region, region.active_mentor(), [region.mentee()], program_id=foreign_program),
        curator_of(region.home),
        expect=RuleViolation,
    )

    assert (err.rule, err.field) == ("program_of_pair_organization", "program_id")


@pytest.mark.parametrize("status", ["pending", "suspended", "removed", "rejected"])
def test_the_mentor_must_be_in_the_registry(region, status):
    mentor_id = region.applied_mentor()
    if status == "rejected":
        region.run(c.RejectMentor(mentor_id=mentor_id, reason="Нет стажа"))
    elif status != "pending":
        region.run(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 15)))
        command = c.SuspendMentor if status == "suspended" else c.RemoveMentor
        region.run(command(mentor_id=mentor_id, reason="Приказ № 5", effective_date=date(2021, 12, 1)))
    pupil = region.mentee()

    err = region.refuse(
        form(region, mentor_id, [pupil], started_on=date(2022, 1, 10)), curator_of(region.home), expect=RuleViolation
    )

    assert (err.rule, err.field) == ("mentor_in_registry", "mentor_id")
    assert region.events(pupil) == ["Registered"]


def test_a_pair_entered_late_is_judged_by_the_mentors_status_on_its_dates(region):
    """Suspended from 1 Dec 2021, the mentor still led pupils in October: that pair is history."""
    mentor_id = region.active_mentor(approved_on=date(2021, 9, 15))
    region.run(c.SuspendMentor(mentor_id=mentor_id, reason="Приказ № 5", effective_date=date(2021, 12, 1)))

    pair_id = region.pair(mentor_id, [region.mentee()], started_on=date(2021, 10, 1))
    err = region.refuse(complete(pair_id, ended_on=date(2022, 1, 20)), expect=RuleViolation)
    region.run(complete(pair_id, ended_on=date(2021, 11, 30)))

    assert (err.rule, err.field) == ("mentor_in_registry", "mentor_id")
    assert "01.12.2021" in err.message
    assert region.get(Pair, pair_id).ended_on == date(2021, 11, 30)


def test_a_mentor_working_elsewhere_may_lead_a_pair_of_our_school(region):
    """An employer's representative or a college student mentors pupils of a school."""
    college = region.organization("college")
    student_mentor = region.active_mentor(college, mentor_type="college_student", forms=["student_pupil"])
    pupil = region.mentee(region.home)

    pair_id = region.pair(student_mentor, [pupil], form="student_pupil")

    assert region.get(Pair, pair_id).organization_id == region.home


def test_the_mentees_must_belong_to_the_pairs_organization(region):
    other = region.organization()
    ours, theirs = region.mentee(region.home), region.mentee(other)

    err = region.refuse(form(region, region.active_mentor(), [ours, theirs]), curator_of(region.home), expect=RuleViolation)

    assert (err.rule, err.field) == ("mentee_of_pair_organization", "mentee_ids")
    assert region.events(ours) == ["Registered"]


def test_an_unknown_mentee_is_not_found_and_the_error_points_at_it(region):
    pupil = region.mentee()

    err = region.refuse(form(region, region.active_mentor(), [pupil, uuid4()]), curator_of(region.home), expect=NotFound)

    assert err.problems[0].field == "mentee_ids.1"


def test_a_mentee_listed_twice_is_refused(region):
    pupil = region.mentee()

    err = region.refuse(form(region, region.active_mentor(), [pupil, pupil]), expect=RuleViolation)

    assert (err.rule, err.field) == ("mentee_once_per_pair", "mentee_ids")


def test_a_pair_cannot_be_formed_in_the_future(region):
    err = region.refuse(form(region, region.active_mentor(), [region.mentee()], started_on=date(2023, 6, 2)), expect=RuleViolation)

    assert (err.rule, err.field) == ("date_not_in_future", "started_on")


def test_a_pair_formed_long_ago_is_entered_later_with_its_own_date(region):
    """Formed 1 October 2020, entered today: the event carries the world's date."""
    pair_id = region.pair(region.active_mentor(approved_on=date(2020, 9, 1), applied_on=date(2020, 8, 20)),
                          [region.mentee(registered_on=date(2020, 9, 1))], started_on=date(2020, 10, 1))

    formed = region.last_event(pair_id)
    assert formed.started_on == date(2020, 10, 1)
    assert formed.timestamp.date() != formed.started_on


def test_a_pair_in_a_closed_organization_is_refused(region):
    mentor_id, pupil = region.active_mentor(), region.mentee()
    region.run(c.CloseOrganization(organization_id=region.home, effective_date=date(2023, 1, 1), reason="Ликвидация"))

    err = region.refuse(form(region, mentor_id, [pupil]), expect=RuleViolation)

    assert (err.rule, err.field) == ("organization_open", "organization_id")


def test_an_unknown_form_or_kind_of_mentoring_is_refused(region):
    mentor_id, pupil = region.active_mentor(), region.mentee()

    err = region.refuse(form(region, mentor_id, [pupil], form="pupil_robot"), expect=RuleViolation)
    assert (err.rule, err.field) == ("reference_code", "form")

    err = region.refuse(form(region, mentor_id, [pupil], kind="telepathic"), expect=RuleViolation)
    assert (err.rule, err.field) == ("reference_code", "kind")


# -- one active pair per form ------------------------------------------------------------------------


def test_a_mentee_cannot_be_in_two_active_pairs_of_the_same_form(region):
    pupil = region.mentee()
    region.pair(region.active_mentor(), [pupil], form="pupil_pupil")

    err = region.refuse(form(region, region.active_mentor(), [pupil], form="pupil_pupil"), expect=RuleViolation)

    assert (err.rule, err.field) == ("one_active_pair_per_form", "mentee_ids")


def test_a_mentee_may_be_in_two_active_pairs_of_different_forms(region):
    pupil = region.mentee()
    first = region.pair(region.active_mentor(), [pupil], form="pupil_pupil")
    employer = region.active_mentor(mentor_type="employer", forms=["employer_pupil"])

    second = region.pair(employer, [pupil], form="employer_pupil")

    assert region.get(Mentee, pupil).active_pairs == {str(first): "pupil_pupil", str(second): "employer_pupil"}


def test_after_a_pair_ends_the_mentee_may_join_a_new_pair_of_that_form(region):
    pupil = region.mentee()
    first = region.pair(region.active_mentor(), [pupil])
    region.run(complete(first, ended_on=date(2022, 5, 25)), curator_of(region.home))

    second = region.pair(region.active_mentor(), [pupil], started_on=date(2022, 9, 1))

    assert region.get(Mentee, pupil).active_pairs == {str(second): "pupil_pupil"}


# -- capacity ----------------------------------------------------------------------------------------------


def test_pairs_beyond_the_mentors_capacity_are_refused(region):
    mentor_id = region.active_mentor(capacity=1)
    region.pair(mentor_id, [region.mentee()])
    late = region.mentee()

    err = region.refuse(form(region, mentor_id, [late]), expect=RuleViolation)

    assert (err.rule, err.field) == ("mentor_capacity", "mentor_id")
    assert region.events(late) == ["Registered"]
    assert region.get(Mentor, mentor_id).current_load == 1


def test_a_group_larger_than_the_capacity_is_refused_whole(region):
    mentor_id = region.active_mentor(capacity=2)
    group = [region.mentee() for _ in range(3)]

    err = region.refuse(form(region, mentor_id, group), expect=RuleViolation)

    assert err.rule == "mentor_capacity"
    assert all(region.events(m) == ["Registered"] for m in group)


def test_a_mentor_without_stated_capacity_takes_any_number(region):
    mentor_id = region.active_mentor(capacity=None)

    region.pair(mentor_id, [region.mentee() for _ in range(12)])

    assert region.get(Mentor, mentor_id).current_load == 12


def test_an_ended_pair_frees_the_mentors_capacity(region):
    mentor_id = region.active_mentor(capacity=1)
    first = region.pair(mentor_id, [region.mentee()])
    region.run(dissolve(first))

    region.pair(mentor_id, [region.mentee()], started_on=date(2022, 2, 1))

    mentor = region.get(Mentor, mentor_id)
    assert mentor.current_load == 1
    assert str(first) not in mentor.active_pairs


# -- groups --------------------------------------------------------------------------------------------------


def test_a_mentee_added_to_a_pair_makes_it_a_group(region):
    mentor_id = region.active_mentor(capacity=2)
    first, second = region.mentee(), region.mentee()
    pair_id = region.pair(mentor_id, [first])

    region.run(add(pair_id, second, joined_on=date(2021, 11, 1)), curator_of(region.home))

    pair = region.get(Pair, pair_id)
    assert pair.mentees == {str(first): date(2021, 10, 1), str(second): date(2021, 11, 1)}
    assert region.events(pair_id) == ["Formed", "MenteeAdded"]
    assert region.events(second)[-1] == "EnrolledInPair"
    assert region.get(Mentor, mentor_id).active_pairs == {str(pair_id): [str(first), str(second)]}


def test_adding_a_mentee_respects_the_mentors_capacity(region):
    mentor_id = region.active_mentor(capacity=1)
    pair_id = region.pair(mentor_id, [region.mentee()])

    err = region.refuse(add(pair_id, region.mentee()), expect=RuleViolation)

    assert (err.rule, err.field) == ("mentor_capacity", "mentor_id")


def test_a_mentee_already_in_the_group_is_not_added_twice(region):
    pupil = region.mentee()
    pair_id = region.pair(region.active_mentor(), [pupil])

    err = region.refuse(add(pair_id, pupil), expect=RuleViolation)

    assert (err.rule, err.field) == ("mentee_once_per_pair", "mentee_id")


def test_a_mentee_joins_no_earlier_than_the_pair_was_formed_and_not_in_the_future(region):
    pair_id = region.pair(region.active_mentor(), [region.mentee()], started_on=date(2021, 10, 1))
    newcomer = region.mentee()

    err = region.refuse(add(pair_id, newcomer, joined_on=date(2021, 9, 30)), expect=RuleViolation)
    assert (err.rule, err.field) == ("date_order", "joined_on")

    err = region.refuse(add(pair_id, newcomer, joined_on=date(2023, 6, 2)), expect=RuleViolation)
    assert (err.rule, err.field) == ("date_not_in_future", "joined_on")


def test_a_mentee_of_another_organization_cannot_join_the_group(region):
    pair_id = region.pair(region.active_mentor(), [region.mentee()])
    stranger = region.mentee(region.organization())

    err = region.refuse(add(pair_id, stranger), expect=RuleViolation)

    assert (err.rule, err.field) == ("mentee_of_pair_organization", "mentee_id")


def test_a_mentee_in_another_active_pair_of_the_form_cannot_join_the_group(region):
    busy = region.mentee()
    region.pair(region.active_mentor(), [busy], started_on=date(2021, 11, 1))
    pair_id = region.pair(region.active_mentor(), [region.mentee()])

    err = region.refuse(add(pair_id, busy, joined_on=date(2021, 11, 1)), expect=RuleViolation)

    assert err.rule == "one_active_pair_per_form"


def test_nobody_joins_an_ended_pair(region):
    pair_id = region.pair(region.active_mentor(), [region.mentee()])
    region.run(complete(pair_id))

    err = region.refuse(add(pair_id, region.mentee(), joined_on=date(2022, 6, 1)), expect=RuleViolation)

    assert (err.rule, err.field) == ("pair_active", "pair_id")


def test_a_suspended_mentor_takes_no_new_mentee_into_the_group(region):
    mentor_id = region.active_mentor()
    region.run(c.SuspendMentor(mentor_id=mentor_id, reason="Отпуск по уходу за ребёнком", effective_date=date(2022, 1, 1)))
    pair_id = region.pair(mentor_id, [region.mentee()])  # entered late: it began before the suspension

    err = region.refuse(add(pair_id, region.mentee(), joined_on=date(2022, 2, 1)), expect=RuleViolation)

    assert (err.rule, err.field) == ("mentor_in_registry", "mentor_id")


# -- completion and dissolution --------------------------------------------------------------------------


def test_a_completed_pair_records_its_outcome_and_frees_mentor_and_mentees(region):
    mentor_id = region.active_mentor()
    pupils = [region.mentee(), region.mentee()]
    pair_id = region.pair(mentor_id, pupils)

    region.run(complete(pair_id, ended_on=date(2022, 5, 25)), curator_of(region.home))

    pair = region.get(Pair, pair_id)
    assert (pair.status, pair.ended_on) == (PairStatus.COMPLETED, date(2022, 5, 25))
    assert pair.outcome == "Победа в муниципальном конкурсе проектов"
    assert region.events(pair_id) == ["Formed", "Completed"]
    assert region.events(mentor_id)[-1] == "PairReleased"
    assert region.get(Mentor, mentor_id).current_load == 0
    for pupil in pupils:
        assert region.events(pupil)[-1] == "LeftPair"
        assert region.get(Mentee, pupil).active_pairs == {}


def test_completion_is_not_before_formation(region):
    pair_id = region.pair(region.active_mentor(), [region.mentee()], started_on=date(2021, 10, 1))

    err = region.refuse(complete(pair_id, ended_on=date(2021, 9, 30)), expect=RuleViolation)

    assert (err.rule, err.field) == ("completion_after_formation", "ended_on")
    region.run(complete(pair_id, ended_on=date(2021, 10, 1)))  # a one-day pair is still a pair


def test_a_group_ends_no_earlier_than_its_last_mentee_joined(region):
    pair_id = region.pair(region.active_mentor(), [region.mentee()], started_on=date(2021, 10, 1))
    region.run(add(pair_id, region.mentee(), joined_on=date(2022, 2, 1)))

    err = region.refuse(dissolve(pair_id, ended_on=date(2022, 1, 31)), expect=RuleViolation)

    assert (err.rule, err.field) == ("completion_after_formation", "ended_on")


def test_completion_cannot_be_dated_in_the_future(region):
    pair_id = region.pair(region.active_mentor(), [region.mentee()])

    err = region.refuse(complete(pair_id, ended_on=date(2023, 6, 30)), expect=RuleViolation)

    assert (err.rule, err.field) == ("date_not_in_future", "ended_on")


def test_an_ended_pair_cannot_end_again(region):
    pair_id = region.pair(region.active_mentor(), [region.mentee()])
    region.run(dissolve(pair_id))

    err_complete = region.refuse(complete(pair_id), expect=RuleViolation)
    err_dissolve = region.refuse(dissolve(pair_id, ended_on=date(2022, 3, 1)), expect=RuleViolation)

    assert err_complete.rule == err_dissolve.rule == "pair_active"
    assert region.events(pair_id) == ["Formed", "Dissolved"]


def test_a_dissolved_pair_keeps_its_reason(region):
    mentor_id, pupil = region.active_mentor(), region.mentee()
    pair_id = region.pair(mentor_id, [pupil])

    region.run(dissolve(pair_id, reason="Наставляемый перешёл в другую школу"), curator_of(region.home))

    pair = region.get(Pair, pair_id)
    assert (pair.status, pair.end_reason) == (PairStatus.DISSOLVED, "Наставляемый перешёл в другую школу")
    assert region.get(Mentee, pupil).active_pairs == {}
    assert region.get(Mentor, mentor_id).active_pairs == {}


def test_dissolution_needs_a_reason(region, memory_registry):
    pair_id = region.pair(region.active_mentor(), [region.mentee()])
    pair = memory_registry.get(Pair, pair_id)
    mentor = memory_registry.get(Mentor, pair.mentor_id)
    mentees = [memory_registry.get(Mentee, UUID(m)) for m in pair.mentees]

    with directly(), pytest.raises(RuleViolation) as err:
        pair.dissolve(date(2022, 1, 1), "  ", mentor, mentees, TODAY, Schedule([], {}))

    assert (err.value.rule, err.value.field) == ("reason_required", "reason")
    assert pair.pending_events == mentor.pending_events == []
    assert all(m.pending_events == [] for m in mentees)


def test_completion_needs_an_outcome(region, memory_registry):
    pair_id = region.pair(region.active_mentor(), [region.mentee()])
    pair = memory_registry.get(Pair, pair_id)
    mentor = memory_registry.get(Mentor, pair.mentor_id)

    with directly(), pytest.raises(RuleViolation) as err:
        pair.complete(date(2022, 1, 1), " ", mentor, [], TODAY, Schedule([], {}))

    assert (err.value.rule, err.value.field) == ("outcome_required", "outcome")


def test_a_mentor_with_running_pairs_is_not_removed_until_they_end(region):
    mentor_id = region.active_mentor()
    pair_id = region.pair(mentor_id, [region.mentee()])
    removal = c.RemoveMentor(mentor_id=mentor_id, reason="Уволился", effective_date=date(2022, 1, 1))

    err = region.refuse(removal, expect=RuleViolation)
    region.run(dissolve(pair_id, ended_on=date(2022, 1, 1), reason="Наставник уходит"))
    region.run(removal)

    assert (err.rule, err.field) == ("mentor_has_active_pairs", "mentor_id")
    assert f"пара {str(pair_id)[:8]} с 01.10.2021" in err.message
    assert region.get(Pair, pair_id).status == PairStatus.DISSOLVED


@pytest.mark.parametrize("command", [c.SuspendMentor, c.RemoveMentor])
def test_asked_explicitly_leaving_the_registry_dissolves_the_running_pairs_with_the_reason(region, command):
    mentor_id = region.active_mentor()
    pupil = region.mentee()
    running = region.pair(mentor_id, [pupil])
    ended = region.pair(mentor_id, [region.mentee()], form="employer_pupil")
    region.run(complete(ended, ended_on=date(2021, 12, 20)))

    region.run(command(mentor_id=mentor_id, reason="Переезд в другой регион", effective_date=date(2022, 1, 10),
                       end_pairs=True))

    pair = region.get(Pair, running)
    assert (pair.status, pair.ended_on, pair.end_reason) == (
        PairStatus.DISSOLVED, date(2022, 1, 10), "Переезд в другой регион")
    assert region.get(Pair, ended).status == PairStatus.COMPLETED
    assert region.get(Mentee, pupil).active_pairs == {}
    assert region.get(Mentor, mentor_id).current_load == 0


def test_a_pair_that_ran_past_the_date_blocks_leaving_even_when_asked(region):
    mentor_id = region.active_mentor()
    pair_id = region.pair(mentor_id, [region.mentee()])
    region.run(complete(pair_id, ended_on=date(2022, 3, 1)))

    err = region.refuse(c.SuspendMentor(mentor_id=mentor_id, reason="Отпуск", effective_date=date(2022, 2, 1),
                                        end_pairs=True), expect=RuleViolation)

    assert err.rule == "mentor_has_active_pairs"


# -- corrections ----------------------------------------------------------------------------------------------


def test_a_start_date_correction_names_the_version_it_corrects_and_why(region):
    pupil = region.mentee()
    pair_id = region.pair(region.active_mentor(), [pupil], started_on=date(2021, 10, 10))

    region.run(c.CorrectPairStart(pair_id=pair_id, started_on=date(2021, 10, 1), reason="Опечатка в дате приказа"),
               curator_of(region.home))

    first = region.last_event(pair_id)
    assert type(first).__name__ == "StartCorrected"
    assert (first.corrects_version, first.reason) == (1, "Опечатка в дате приказа")
    pair = region.get(Pair, pair_id)
    assert pair.started_on == date(2021, 10, 1)
    assert pair.mentees == {str(pupil): date(2021, 10, 1)}

    region.run(c.CorrectPairStart(pair_id=pair_id, started_on=date(2021, 10, 4), reason="Дата по приказу № 112"))

    second = region.last_event(pair_id)
    assert second.corrects_version == first.originator_version
    assert region.events(pair_id) == ["Formed", "StartCorrected", "StartCorrected"]


def test_a_start_correction_keeps_later_joins_and_moves_the_founders(region):
    founder, newcomer = region.mentee(), region.mentee()
    pair_id = region.pair(region.active_mentor(), [founder], started_on=date(2021, 10, 1))
    region.run(add(pair_id, newcomer, joined_on=date(2021, 12, 1)))

    region.run(c.CorrectPairStart(pair_id=pair_id, started_on=date(2021, 9, 20), reason="Уточнено по приказу"))

    assert region.get(Pair, pair_id).mentees == {str(founder): date(2021, 9, 20), str(newcomer): date(2021, 12, 1)}


def test_a_corrected_start_is_neither_in_the_future_nor_after_the_end(region):
    pair_id = region.pair(region.active_mentor(), [region.mentee()], started_on=date(2021, 10, 1))

    err = region.refuse(c.CorrectPairStart(pair_id=pair_id, started_on=date(2023, 7, 1), reason="Ошибка"), expect=RuleViolation)
    assert (err.rule, err.field) == ("date_not_in_future", "started_on")

    region.run(complete(pair_id, ended_on=date(2022, 5, 25)))
    err = region.refuse(c.CorrectPairStart(pair_id=pair_id, started_on=date(2022, 5, 26), reason="Ошибка"), expect=RuleViolation)
    assert (err.rule, err.field) == ("date_order", "started_on")


def test_an_unknown_pair_is_not_found(region):
    err = region.refuse(complete(uuid4()), expect=NotFound)

    assert (err.entity, err.problems[0].field) == ("pair", "pair_id")


# -- mentees ------------------------------------------------------------------------------------------------


def register(category="pupil", *, organization_id, birth_date=None, birth_year=None, work_started_on=None, registered_on=date(2021, 9, 1)):
    return c.RegisterMentee(
        organization_id=organization_id,
        category=category,
        person=c.PersonIn(full_name="Петров Пётр", birth_date=birth_date),
        birth_year=birth_year,
        work_started_on=work_started_on,
        registered_on=registered_on,
    )


def test_a_pupil_is_registered_with_a_birth_date_and_counted_by_birth_year(region):
    pupil = region.mentee(category="pupil", birth_date=date(2008, 5, 12))

    mentee = region.get(Mentee, pupil)
    assert (mentee.category, mentee.birth_year, mentee.person.birth_date) == ("pupil", 2008, date(2008, 5, 12))
    assert region.events(pupil) == ["Registered"]


def test_a_pupil_or_student_needs_a_birth_date_or_year(region):
    school = region.home
    err = region.refuse(register("pupil", organization_id=school), curator_of(school), expect=RuleViolation)
    assert (err.rule, err.field) == ("birth_known", "birth_date")
    err = region.refuse(register("college_student", organization_id=school), curator_of(school), expect=RuleViolation)
    assert err.rule == "birth_known"

    only_year = region.run(register("pupil", organization_id=school, birth_year=2007), curator_of(school)).aggregate_id
    assert region.get(Mentee, only_year).birth_year == 2007


def test_a_young_specialist_needs_the_date_work_started(region):
    school = region.home
    err = region.refuse(register("young_teacher", organization_id=school), curator_of(school), expect=RuleViolation)
    assert (err.rule, err.field) == ("work_start_known", "work_started_on")

    teacher = region.mentee(category="young_teacher", work_started_on=date(2021, 8, 30))
    assert region.get(Mentee, teacher).work_started_on == date(2021, 8, 30)
    region.mentee(category="teacher")  # an experienced teacher needs neither


@pytest.mark.parametrize(
    ("details", "field", "rule"),
    [
        (dict(birth_date=date(2023, 6, 2)), "birth_date", "date_not_in_future"),
        (dict(birth_year=2024), "birth_year", "birth_year_range"),
        (dict(birth_year=2008, registered_on=date(2023, 6, 2)), "registered_on", "date_not_in_future"),
        (dict(birth_year=1990, work_started_on=date(2023, 9, 1)), "work_started_on", "date_not_in_future"),
    ],
)
def test_mentee_dates_are_not_in_the_future(region, details, field, rule):
    err = region.refuse(register("pupil", organization_id=region.home, **details), curator_of(region.home), expect=RuleViolation)

    assert (err.rule, err.field) == (rule, field)


def test_a_mentee_correction_names_the_details_it_corrects_and_why(region):
    pupil = region.mentee(birth_date=date(2008, 5, 12))

    def correct(birth_date, reason):
        return c.CorrectMentee(
            mentee_id=pupil, category="pupil", person=c.PersonIn(full_name="Петров Пётр", birth_date=birth_date), reason=reason
        )

    region.run(correct(date(2008, 12, 5), "Перепутаны день и месяц"), curator_of(region.home))

    first = region.last_event(pupil)
    assert (type(first).__name__, first.corrects_version, first.reason) == ("DetailsCorrected", 1, "Перепутаны день и месяц")
    assert region.get(Mentee, pupil).person.birth_date == date(2008, 12, 5)

    region.run(correct(date(2007, 12, 5), "Уточнён год"))
    assert region.last_event(pupil).corrects_version == first.originator_version
    assert region.get(Mentee, pupil).birth_year == 2007

    err = region.refuse(correct(None, "Дата неизвестна"), expect=RuleViolation)
    assert err.rule == "birth_known"


def test_a_groups_other_members_do_not_count_against_a_mentee_joining_it_later(region):
    """b joined the group on 1 March; a pair of b's own from 1 February is history, not a clash."""
    founder, joiner = region.mentee(), region.mentee()
    group = region.pair(region.active_mentor(), [founder], started_on=date(2020, 1, 1))
    region.run(add(group, joiner, joined_on=date(2020, 3, 1)))
    region.run(complete(group, ended_on=date(2020, 6, 1)))

    earlier = region.pair(region.active_mentor(), [joiner], started_on=date(2020, 2, 1))
    err = region.refuse(complete(earlier, ended_on=date(2020, 3, 2)), expect=RuleViolation)
    region.run(complete(earlier, ended_on=date(2020, 3, 1)))  # handed over the day b joined the group

    assert err.rule == "one_active_pair_per_form"
