"""Planning the mentors: applications, the institute's decisions, consents, trainings, status changes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ops.demo.content import (
    COLLEGE_TEACHERS,
    CONSENT_SUBSETS,
    EMPLOYERS,
    EXTRA_TEACHERS,
    LAST_DAY,
    MENTOR_ROSTER,
    PUPIL_SUBJECTS,
    REJECT_REASONS,
    REMOVE_REASONS,
    STUDENT_SUBJECTS,
    SUSPEND_REASONS,
    TEACHER_SUBJECTS,
    TRAININGS,
    UNIVERSITIES,
    WOMEN_SHARE,
    _translit,
)
from ops.demo.planner import _NEVER, _Mentor, _Org, _Planner
from ops.demo.steps import (
    P_APPLY,
    P_CONSENT,
    P_DECIDE,
    P_PROFILE,
    P_REINSTATE,
    P_STATUS,
    P_TRAINING,
    Ref,
)
from registry import commands as c
from registry.values import PUBLISHABLE_FIELDS


def plan_mentors(planner: _Planner, org: _Org) -> None:
    rng = planner.rng
    for mentor_type, year in MENTOR_ROSTER[org.kind]:
        year = max(year or org.start_year, org.start_year)
        applied = planner.day(date(year, 8, 20), date(year, 9, 18))
        mentor = new_mentor(planner, org, mentor_type, applied)
        mentor.approved_on = planner.after(applied, 4, 18)
        if mentor_type == "pupil":  # a pupil mentor serves two school years, then graduates
            mentor.until = date(year + 2, 5, 31)
    for _ in range(rng.choice((0, 0, 1, 1, 2))):  # applicants never let in (yet)
        mentor_type = rng.choice(("teacher", "teacher", "employer", "university_student"))
        if rng.random() < 0.5:
            new_mentor(planner, org, mentor_type, planner.day(date(2022, 11, 14), date(2022, 12, 16)))
        else:
            mentor = new_mentor(
                planner, org, mentor_type, planner.day(date(org.start_year, 9, 1), date(2022, 10, 31))
            )
            mentor.status_change = "reject"


def new_mentor(planner: _Planner, org: _Org, mentor_type: str, applied: date) -> _Mentor:
    rng = planner.rng
    women = rng.random() < WOMEN_SHARE[mentor_type]
    if mentor_type == "teacher":
        forms = {
            "school": ["teacher_teacher"] if applied.year < 2022 else ["educator_educator"],
            "extra": ["teacher_teacher"] if applied.year < 2022 else ["educator_educator"],
            "college": ["educator_student", "educator_educator"],
        }[org.kind]
    elif mentor_type == "pupil":
        forms = ["pupil_pupil"]
    elif mentor_type in ("college_student", "university_student"):
        forms = ["student_student"] if org.kind == "college" else ["student_pupil"]
    else:
        forms = ["employer_student"] if org.kind == "college" else ["employer_pupil"]
    capacity = None
    if rng.random() < 0.4:
        capacity = rng.choice((2, 3, 4)) if mentor_type == "pupil" else rng.choice((3, 4, 5, 6))
    mentor = _Mentor(len(planner.mentors), org, mentor_type, women, forms, capacity, applied, None)
    planner.mentors.append(mentor)
    org.mentors.append(mentor)
    return mentor


def plan_status_changes(planner: _Planner) -> None:
    """Some mentors are suspended (one is reinstated later), two leave the registry."""
    grown = [m for m in planner.mentors if m.approved_on and m.type in ("teacher", "employer", "university_student")]
    chosen = planner.rng.sample(grown, 8)
    for n, mentor in enumerate(chosen):
        assert mentor.approved_on is not None
        mentor.status_change = "remove" if n < 2 else "suspend"
        first = max(mentor.approved_on + timedelta(days=150), date(2021, 6, 1))
        mentor.until = planner.day(first, date(2022, 10, 31))


def person_and_profile(planner: _Planner, mentor: _Mentor) -> tuple[dict[str, Any], dict[str, Any]]:
    """The mentor's person and profile as the curator enters them."""
    rng = planner.rng
    org = mentor.org
    person: dict[str, Any] = {"full_name": planner.person(mentor.women, child=mentor.type == "pupil")}
    employer = None
    if mentor.type == "teacher":
        table = {"school": TEACHER_SUBJECTS, "college": COLLEGE_TEACHERS, "extra": EXTRA_TEACHERS}[org.kind]
        position, subjects = rng.choice(table)
    elif mentor.type == "pupil":
        position = f"обучающийся {rng.choice((9, 10, 10, 11))} класса"
        subjects = rng.choice(PUPIL_SUBJECTS)
    elif mentor.type == "college_student":
        position = f"студент {rng.choice((2, 3, 4))} курса"
        subjects = rng.choice(STUDENT_SUBJECTS)
        if org.kind != "college":
            employer = rng.choice(("КГБ ПОУ «Хабаровский технический колледж»",
                                   "КГБ ПОУ «Амурский политехнический техникум»"))
    elif mentor.type == "university_student":
        position = f"студент {rng.choice((2, 3, 4))} курса"
        subjects = rng.choice(STUDENT_SUBJECTS)
        employer = rng.choice(UNIVERSITIES)
    else:
        employer, position, subjects = rng.choice(EMPLOYERS)
    if mentor.type not in ("pupil",) and rng.random() < 0.6:
        surname, first, father = person["full_name"].split()
        person["email"] = f"{_translit(surname)}.{_translit(first)[0]}{_translit(father)[0]}@obr27.example"
    profile = {
        "position": position,
        "mentor_type": mentor.type,
        "forms": list(mentor.forms),
        "subjects": list(subjects),
        "employer": employer,
    }
    return person, profile


def emit_mentors(planner: _Planner) -> None:
    rng = planner.rng
    update_day = date(2022, 8, 29)
    withdrawals = 0
    for mentor in planner.mentors:
        org = mentor.org
        ref = Ref("mentor", mentor.index)
        person, profile = person_and_profile(planner, mentor)
        planner.add(mentor.applied_on, P_APPLY, org, c.SubmitMentorApplication, ref,
                    organization_id=Ref("org", org.index), person=person, profile=profile,
                    capacity=mentor.capacity, applied_on=mentor.applied_on)
        if mentor.status_change == "reject":
            planner.add(planner.after(mentor.applied_on, 5, 20), P_DECIDE, None, c.RejectMentor,
                        mentor_id=ref, reason=rng.choice(REJECT_REASONS))
            continue
        consent_roll = rng.random()
        if consent_roll < 0.75:
            fields = list(PUBLISHABLE_FIELDS) if consent_roll < 0.35 else rng.choice(CONSENT_SUBSETS)
            planner.add(mentor.applied_on, P_CONSENT, org, c.GiveConsent, mentor_id=ref,
                        fields=fields, effective_date=mentor.applied_on,
                        document={"number": f"Согласие № {mentor.index + 1}", "issued_on": mentor.applied_on})
            if withdrawals < 2 and mentor.approved_on and mentor.approved_on.year == 2020 and rng.random() < 0.1:
                withdrawals += 1
                withdrawn = planner.day(date(2022, 3, 1), date(2022, 6, 30))
                planner.add(withdrawn, P_STATUS, org, c.WithdrawConsent, mentor_id=ref,
                            effective_date=withdrawn)
        if mentor.approved_on is None:
            continue  # pending: the institute has not decided yet
        planner.add(mentor.approved_on, P_DECIDE, None, c.ApproveMentor, mentor_id=ref,
                    effective_date=mentor.approved_on)
        if rng.random() < 0.65:
            plan_training(planner, mentor, ref)
        if "teacher_teacher" in mentor.forms and mentor.until == _NEVER and mentor.approved_on < update_day:
            profile = {**profile, "forms": [*profile["forms"], "educator_educator"]}
            mentor.forms.append("educator_educator")
            planner.add(update_day, P_PROFILE, org, c.UpdateMentorProfile, mentor_id=ref,
                        person=person, profile=profile, capacity=mentor.capacity)
        if mentor.status_change in ("suspend", "remove"):
            command = c.SuspendMentor if mentor.status_change == "suspend" else c.RemoveMentor
            reasons = SUSPEND_REASONS if mentor.status_change == "suspend" else REMOVE_REASONS
            planner.add(mentor.until, P_STATUS, None, command, mentor_id=ref,
                        reason=rng.choice(reasons), effective_date=mentor.until)
            if mentor.status_change == "suspend" and mentor.until < date(2022, 3, 1):
                back = planner.after(mentor.until, 120, 200)
                if back <= LAST_DAY:
                    planner.add(back, P_REINSTATE, None, c.ReinstateMentor, mentor_id=ref,
                                reason="Выход из отпуска, деятельность наставника возобновлена",
                                effective_date=back)


def plan_training(planner: _Planner, mentor: _Mentor, ref: Ref) -> None:
    assert mentor.approved_on is not None
    latest = min(LAST_DAY, mentor.until - timedelta(days=1))
    completed = planner.after(mentor.approved_on, 14, 220)
    if completed > latest:
        return
    course, provider, hours = planner.rng.choice(TRAININGS)
    planner.add(completed, P_TRAINING, None, c.RecordTraining, mentor_id=ref, course=course,
                provider=provider, hours=planner.rng.choice(hours), completed_on=completed,
                certificate_number=f"2724{planner.rng.randrange(10**8):08d}")
