"""Rules of a mentor's life in the registry, as scenarios: application → registry → suspension,
removal, reinstatement; profile, publication consent, training."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from support.world import ADMIN, TODAY, Region, curator_of, directly, person, profile

from registry import commands as c
from registry.errors import NotFound, RuleViolation
from registry.mentors import Mentor
from registry.values import PUBLISHABLE_FIELDS, MentorStatus, TrainingRecord


@pytest.fixture
def region(memory_registry) -> Region:
    return Region(memory_registry)


def suspend(mentor_id, on=date(2022, 1, 10), reason="Длительный больничный"):
    return c.SuspendMentor(mentor_id=mentor_id, reason=reason, effective_date=on)


def remove(mentor_id, on=date(2022, 2, 1), reason="Уволился из организации"):
    return c.RemoveMentor(mentor_id=mentor_id, reason=reason, effective_date=on)


def reinstate(mentor_id, on=date(2022, 3, 1), reason="Вернулся на работу"):
    return c.ReinstateMentor(mentor_id=mentor_id, reason=reason, effective_date=on)


def training(mentor_id, completed_on=date(2022, 4, 20), hours=36, command_id=None):
    return c.RecordTraining(
        mentor_id=mentor_id,
        course="Наставничество в образовательной организации",
        provider="ХК ИРО",
        hours=hours,
        completed_on=completed_on,
        certificate_number="272400012345",
        command_id=command_id,
    )


# -- application and approval -------------------------------------------------------------------


def test_a_curator_submits_an_application_and_the_mentor_waits_for_approval(region):
    mentor_id = region.applied_mentor(capacity=3)

    mentor = region.get(Mentor, mentor_id)
    assert mentor.status == MentorStatus.PENDING
    assert mentor.organization_id == region.home
    assert mentor.capacity == 3
    assert not mentor.in_registry
    assert region.events(mentor_id) == ["Applied"]
    meta = region.last_event(mentor_id).meta
    assert (meta.role, meta.organization_id) == ("curator", str(region.home))


def test_the_institute_approves_a_pending_application_into_the_registry(region):
    mentor_id = region.applied_mentor()

    region.run(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 20)))

    mentor = region.get(Mentor, mentor_id)
    assert mentor.in_registry
    assert mentor.status_since == date(2021, 9, 20)
    assert region.events(mentor_id) == ["Applied", "Approved"]
    assert region.last_event(mentor_id).effective_date == date(2021, 9, 20)


def test_only_a_pending_application_can_be_approved(region):
    mentor_id = region.active_mentor()

    err = region.refuse(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 10, 1)), expect=RuleViolation)

    assert (err.rule, err.field) == ("mentor_status", "mentor_id")
    assert region.events(mentor_id) == ["Applied", "Approved"]


def test_a_rejected_application_cannot_be_approved_afterwards(region):
    mentor_id = region.applied_mentor()
    region.run(c.RejectMentor(mentor_id=mentor_id, reason="Нет педагогического стажа"))

    err = region.refuse(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 10, 1)), expect=RuleViolation)

    assert err.rule == "mentor_status"
    assert region.get(Mentor, mentor_id).status == MentorStatus.REJECTED


def test_approval_cannot_precede_the_application_nor_lie_in_the_future(region):
    mentor_id = region.applied_mentor(applied_on=date(2021, 9, 1))

    early = region.refuse(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 8, 31)), expect=RuleViolation)
    future = region.refuse(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2023, 6, 2)), expect=RuleViolation)

    assert (early.rule, early.field) == ("date_order", "effective_date")
    assert (future.rule, future.field) == ("date_not_in_future", "effective_date")
    region.run(c.ApproveMentor(mentor_id=mentor_id, effective_date=TODAY))  # today itself is fine


def test_an_application_is_rejected_with_its_reason(region):
    mentor_id = region.applied_mentor()

    region.run(c.RejectMentor(mentor_id=mentor_id, reason="Анкета заполнена не полностью"))

    mentor = region.get(Mentor, mentor_id)
    assert mentor.status == MentorStatus.REJECTED
    assert mentor.status_reason == "Анкета заполнена не полностью"
    assert region.last_event(mentor_id).reason == "Анкета заполнена не полностью"


def test_a_rejection_needs_a_reason(region, memory_registry):
    mentor_id = region.applied_mentor()
    # The command itself refuses a blank reason (see test_commands); the mentor refuses one too.
    mentor = memory_registry.get(Mentor, mentor_id)
    with directly(), pytest.raises(RuleViolation) as err:
        mentor.reject("   ")
    assert (err.value.rule, err.value.field) == ("reason_required", "reason")
    assert mentor.pending_events == []


def test_only_a_pending_application_can_be_rejected(region):
    mentor_id = region.active_mentor()

    err = region.refuse(c.RejectMentor(mentor_id=mentor_id, reason="Передумали"), expect=RuleViolation)

    assert (err.rule, err.field) == ("mentor_status", "mentor_id")


def test_an_unknown_mentor_is_not_found_and_the_error_names_the_field(region):
    err = region.refuse(c.ApproveMentor(mentor_id=uuid4(), effective_date=TODAY), expect=NotFound)

    assert err.entity == "mentor"
    assert err.problems[0].field == "mentor_id"


def test_an_application_to_a_closed_organization_is_refused(region):
    school = region.organization()
    region.run(c.CloseOrganization(organization_id=school, effective_date=date(2022, 8, 31), reason="Реорганизация"))

    err = region.refuse(
        c.SubmitMentorApplication(
            organization_id=school, person=person(), profile=profile(), applied_on=date(2022, 9, 1)
        ),
        curator_of(school),
        expect=RuleViolation,
    )

    assert (err.rule, err.field) == ("organization_open", "organization_id")


def test_an_application_dated_in_the_future_is_refused(region):
    err = region.refuse(
        c.SubmitMentorApplication(organization_id=region.home, person=person(), profile=profile(), applied_on=date(2023, 9, 1)),
        curator_of(region.home),
        expect=RuleViolation,
    )
    assert (err.rule, err.field) == ("date_not_in_future", "applied_on")


# -- suspension, removal, reinstatement -------------------------------------------------------------


def test_an_active_mentor_is_suspended_with_a_reason_and_leaves_the_registry(region):
    mentor_id = region.active_mentor()

    region.run(suspend(mentor_id))

    mentor = region.get(Mentor, mentor_id)
    assert mentor.status == MentorStatus.SUSPENDED
    assert not mentor.in_registry
    assert mentor.status_reason == "Длительный больничный"
    assert region.events(mentor_id)[-1] == "Suspended"


@pytest.mark.parametrize("status", ["pending", "rejected", "suspended", "removed"])
def test_only_an_active_mentor_can_be_suspended(region, status):
    mentor_id = _mentor_in(region, status)

    err = region.refuse(suspend(mentor_id, on=date(2022, 6, 1)), expect=RuleViolation)

    assert (err.rule, err.field) == ("mentor_status", "mentor_id")


@pytest.mark.parametrize("status", ["active", "suspended"])
def test_an_active_or_suspended_mentor_is_removed_from_the_registry(region, status):
    mentor_id = _mentor_in(region, status)

    region.run(remove(mentor_id, on=date(2022, 6, 1)))

    assert region.get(Mentor, mentor_id).status == MentorStatus.REMOVED
    assert region.events(mentor_id)[-1] == "Removed"


@pytest.mark.parametrize("status", ["pending", "rejected", "removed"])
def test_a_mentor_never_in_the_registry_or_already_removed_cannot_be_removed(region, status):
    mentor_id = _mentor_in(region, status)

    err = region.refuse(remove(mentor_id, on=date(2022, 6, 1)), expect=RuleViolation)

    assert err.rule == "mentor_status"


@pytest.mark.parametrize("status", ["suspended", "removed"])
def test_a_suspended_or_removed_mentor_is_reinstated_with_a_reason(region, status):
    mentor_id = _mentor_in(region, status)

    region.run(reinstate(mentor_id, on=date(2022, 6, 1)))

    mentor = region.get(Mentor, mentor_id)
    assert mentor.in_registry
    assert mentor.status_since == date(2022, 6, 1)
    assert region.events(mentor_id)[-1] == "Reinstated"


@pytest.mark.parametrize("status", ["pending", "active", "rejected"])
def test_only_a_suspended_or_removed_mentor_can_be_reinstated(region, status):
    mentor_id = _mentor_in(region, status)

    err = region.refuse(reinstate(mentor_id, on=date(2022, 6, 1)), expect=RuleViolation)

    assert err.rule == "mentor_status"


def test_a_status_change_cannot_be_dated_before_the_previous_one(region):
    mentor_id = region.active_mentor(approved_on=date(2021, 9, 15))

    err = region.refuse(suspend(mentor_id, on=date(2021, 9, 14)), expect=RuleViolation)
    assert (err.rule, err.field) == ("date_order", "effective_date")

    region.run(suspend(mentor_id, on=date(2021, 12, 1)))
    err = region.refuse(reinstate(mentor_id, on=date(2021, 11, 30)), expect=RuleViolation)
    assert (err.rule, err.field) == ("date_order", "effective_date")
    err = region.refuse(remove(mentor_id, on=date(2023, 7, 1)), expect=RuleViolation)
    assert (err.rule, err.field) == ("date_not_in_future", "effective_date")


def _mentor_in(region: Region, status: str):
    """A mentor brought to a status by the real commands."""
    if status == "pending":
        return region.applied_mentor()
    if status == "rejected":
        mentor_id = region.applied_mentor()
        region.run(c.RejectMentor(mentor_id=mentor_id, reason="Нет стажа"))
        return mentor_id
    mentor_id = region.active_mentor()
    if status == "suspended":
        region.run(suspend(mentor_id))
    elif status == "removed":
        region.run(remove(mentor_id))
    assert region.get(Mentor, mentor_id).status == status
    return mentor_id


# -- a removed mentor ---------------------------------------------------------------------------------


def test_a_removed_mentor_cannot_be_trained(region):
    mentor_id = _mentor_in(region, "removed")

    err = region.refuse(training(mentor_id), expect=RuleViolation)

    assert (err.rule, err.field) == ("mentor_status", "mentor_id")


def test_a_removed_mentor_cannot_lead_a_pair(region):
    mentor_id = _mentor_in(region, "removed")
    pupil = region.mentee()

    err = region.refuse(
        c.FormPair(organization_id=region.home, mentor_id=mentor_id, mentee_ids=[pupil], form="pupil_pupil", started_on=date(2022, 9, 1)),
        curator_of(region.home),
        expect=RuleViolation,
    )

    assert (err.rule, err.field) == ("mentor_in_registry", "mentor_id")


def test_a_removed_mentors_profile_cannot_be_changed(region):
    mentor_id = _mentor_in(region, "removed")

    err = region.refuse(
        c.UpdateMentorProfile(mentor_id=mentor_id, person=person(), profile=profile()), expect=RuleViolation
    )

    assert err.rule == "mentor_status"


# -- profile -------------------------------------------------------------------------------------------


def test_a_profile_update_replaces_person_profile_and_capacity(region):
    mentor_id = region.active_mentor(capacity=1)

    region.run(
        c.UpdateMentorProfile(
            mentor_id=mentor_id,
            person=person("Иванова Мария Петровна", email="ivanova@school1.ru"),
            profile=profile(forms=["pupil_pupil", "student_pupil"], subjects=["физика"]),
            capacity=4,
        ),
        curator_of(region.home),
    )

    mentor = region.get(Mentor, mentor_id)
    assert mentor.person.email == "ivanova@school1.ru"
    assert mentor.profile.forms == ["pupil_pupil", "student_pupil"]
    assert mentor.capacity == 4
    assert region.events(mentor_id)[-1] == "ProfileUpdated"


def test_capacity_cannot_drop_below_the_mentees_already_led(region):
    mentor_id = region.active_mentor(capacity=3)
    region.pair(mentor_id, [region.mentee(), region.mentee()])

    err = region.refuse(
        c.UpdateMentorProfile(mentor_id=mentor_id, person=person(), profile=profile(), capacity=1), expect=RuleViolation
    )

    assert (err.rule, err.field) == ("capacity_below_load", "capacity")
    region.run(c.UpdateMentorProfile(mentor_id=mentor_id, person=person(), profile=profile(), capacity=2))


def test_a_profile_names_codes_from_the_reference_lists_only(region):
    mentor_id = region.applied_mentor()

    err = region.refuse(
        c.UpdateMentorProfile(mentor_id=mentor_id, person=person(), profile=profile(forms=["pupil_pupil", "astral_pupil"])),
        expect=RuleViolation,
    )
    assert (err.rule, err.field) == ("reference_code", "profile.forms.1")

    err = region.refuse(
        c.UpdateMentorProfile(mentor_id=mentor_id, person=person(), profile=profile(mentor_type="wizard")),
        expect=RuleViolation,
    )
    assert (err.rule, err.field) == ("reference_code", "profile.mentor_type")


# -- publication consent (152-ФЗ art. 10.1) ------------------------------------------------------------


def test_consent_is_given_field_by_field_in_a_fixed_order(region):
    mentor_id = region.active_mentor()

    region.run(
        c.GiveConsent(
            mentor_id=mentor_id,
            fields=["training", "name", "organization"],
            document=c.DocumentIn(number="согласие № 12", issued_on=date(2021, 9, 20)),
            effective_date=date(2021, 9, 20),
        ),
        curator_of(region.home),
    )

    assert region.get(Mentor, mentor_id).consented_fields == ["name", "organization", "training"]
    assert region.events(mentor_id)[-1] == "ConsentGiven"


@pytest.mark.parametrize("field", ["birth_date", "email", "phone", "snils", "capacity"])
def test_consent_covers_only_publishable_fields(region, field):
    assert field not in PUBLISHABLE_FIELDS
    mentor_id = region.active_mentor()

    err = region.refuse(
        c.GiveConsent(mentor_id=mentor_id, fields=["name", field], effective_date=date(2022, 1, 1)),
        expect=RuleViolation,
    )

    assert (err.rule, err.field) == ("consent_fields", "fields")
    assert field in err.message
    assert region.get(Mentor, mentor_id).consented_fields == []


def test_consent_to_every_publishable_field_is_accepted(region):
    mentor_id = region.active_mentor()

    region.run(c.GiveConsent(mentor_id=mentor_id, fields=list(PUBLISHABLE_FIELDS), effective_date=date(2022, 1, 1)))

    assert region.get(Mentor, mentor_id).consented_fields == list(PUBLISHABLE_FIELDS)


def test_consent_cannot_be_dated_in_the_future(region):
    mentor_id = region.active_mentor()

    err = region.refuse(c.GiveConsent(mentor_id=mentor_id, fields=["name"], effective_date=date(2024, 1, 1)), expect=RuleViolation)

    assert (err.rule, err.field) == ("date_not_in_future", "effective_date")


def test_a_new_consent_replaces_the_previous_one(region):
    mentor_id = region.active_mentor()
    region.run(c.GiveConsent(mentor_id=mentor_id, fields=["name", "subjects"], effective_date=date(2022, 1, 1)))

    region.run(c.GiveConsent(mentor_id=mentor_id, fields=["forms"], effective_date=date(2022, 2, 1)))

    assert region.get(Mentor, mentor_id).consented_fields == ["forms"]


@pytest.mark.parametrize("status", ["pending", "active", "rejected", "suspended", "removed"])
def test_consent_withdrawal_is_always_accepted_whatever_the_status(region, status):
    mentor_id = _mentor_in(region, status)
    region.run(c.GiveConsent(mentor_id=mentor_id, fields=["name"], effective_date=date(2021, 9, 1)))

    region.run(c.WithdrawConsent(mentor_id=mentor_id), curator_of(region.home))

    assert region.get(Mentor, mentor_id).consented_fields == []
    assert region.events(mentor_id)[-1] == "ConsentWithdrawn"
    assert region.last_event(mentor_id).effective_date == TODAY


def test_a_withdrawal_dated_in_the_future_is_refused_never_recorded_earlier_than_asked(region):
    mentor_id = region.active_mentor()

    future = region.refuse(c.WithdrawConsent(mentor_id=mentor_id, effective_date=date(2030, 1, 1)),
                           expect=RuleViolation)
    region.run(c.WithdrawConsent(mentor_id=mentor_id, effective_date=date(2023, 5, 1)))

    assert (future.rule, future.field) == ("date_not_in_future", "effective_date")
    withdrawals = [e for e in region.registry.history(mentor_id) if type(e).__name__ == "ConsentWithdrawn"]
    assert [e.effective_date for e in withdrawals] == [date(2023, 5, 1)]


# -- training -------------------------------------------------------------------------------------------


def test_a_completed_course_makes_the_mentor_trained(region):
    mentor_id = region.active_mentor()
    assert not region.get(Mentor, mentor_id).trained

    region.run(training(mentor_id, command_id="cert-272400012345"))

    mentor = region.get(Mentor, mentor_id)
    assert mentor.trained
    record = mentor.trainings["cert-272400012345"]
    assert (record.provider, record.hours, record.completed_on) == ("ХК ИРО", 36, date(2022, 4, 20))
    assert region.events(mentor_id)[-1] == "TrainingCompleted"


@pytest.mark.parametrize("status", ["pending", "suspended"])
def test_a_pending_or_suspended_mentor_can_still_be_trained(region, status):
    mentor_id = _mentor_in(region, status)

    region.run(training(mentor_id))

    assert region.get(Mentor, mentor_id).trained


def test_a_rejected_applicant_cannot_be_trained(region):
    mentor_id = _mentor_in(region, "rejected")

    err = region.refuse(training(mentor_id), expect=RuleViolation)

    assert err.rule == "mentor_status"


def test_training_cannot_be_completed_in_the_future(region):
    mentor_id = region.active_mentor()

    err = region.refuse(training(mentor_id, completed_on=date(2023, 6, 2)), expect=RuleViolation)

    assert (err.rule, err.field) == ("date_not_in_future", "completed_on")


def test_a_training_correction_names_the_record_it_corrects_and_why(region):
    mentor_id = region.active_mentor()
    region.run(training(mentor_id, hours=36, command_id="cert-1"))
    recorded_at = region.get(Mentor, mentor_id).version

    region.run(
        c.CorrectTraining(
            mentor_id=mentor_id,
            training_id="cert-1",
            course="Наставничество в образовательной организации",
            provider="ХК ИРО",
            hours=72,
            completed_on=date(2022, 4, 20),
            reason="Опечатка в числе часов",
        )
    )

    mentor = region.get(Mentor, mentor_id)
    assert mentor.trainings["cert-1"].hours == 72
    correction = region.last_event(mentor_id)
    assert type(correction).__name__ == "TrainingCorrected"
    assert correction.corrects_version == recorded_at
    assert correction.reason == "Опечатка в числе часов"

    # A second correction names the first correction, the record then in force.
    region.run(
        c.CorrectTraining(
            mentor_id=mentor_id, training_id="cert-1", course="Наставничество", provider="ХК ИРО",
            hours=72, completed_on=date(2022, 4, 21), reason="Уточнена дата",
        )
    )
    assert region.last_event(mentor_id).corrects_version == correction.originator_version


def test_only_a_recorded_training_can_be_corrected(region):
    mentor_id = region.active_mentor()

    err = region.refuse(
        c.CorrectTraining(
            mentor_id=mentor_id, training_id="no-such", course="Курс", provider="ХК ИРО",
            completed_on=date(2022, 1, 1), reason="Исправление",
        ),
        expect=RuleViolation,
    )

    assert (err.rule, err.field) == ("training_exists", "training_id")


def test_the_same_certificate_is_counted_once(region, memory_registry):
    mentor_id = region.active_mentor()
    region.run(training(mentor_id, command_id="cert-7"))
    mentor = memory_registry.get(Mentor, mentor_id)
    with directly():
        with pytest.raises(RuleViolation) as err:
            mentor.complete_training("cert-7", TrainingRecord(course="К", provider="П", completed_on=date(2022, 1, 1)), TODAY)
        assert err.value.rule == "training_unique"
        with pytest.raises(RuleViolation) as err:
            mentor.complete_training("cert-8", TrainingRecord(course="К", provider="П", completed_on=date(2022, 1, 1), hours=0), TODAY)
        assert (err.value.rule, err.value.field) == ("positive", "hours")
    assert mentor.pending_events == []


def test_every_event_is_attributed_to_who_recorded_it_under_which_command(region):
    mentor_id = region.applied_mentor()
    region.run(c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 15), command_id="approve-42"))

    applied, approved = list(region.registry.history(mentor_id))
    assert (applied.meta.role, applied.meta.organization_id) == ("curator", str(region.home))
    assert (approved.meta.user_id, approved.meta.role, approved.meta.command_id) == (ADMIN.user_id, "admin", "approve-42")
