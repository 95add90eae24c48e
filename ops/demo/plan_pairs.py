"""Planning the pairs of each school year, and the mentees they take in.

A unit (a pair or a group) is planned whole: its form, kind, dates and how it ends first, then
a mentor free enough to lead it, then its mentees; a mentee is registered shortly before joining.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ops.demo.content import (
    DISSOLVE_REASONS,
    LAST_DAY,
    LEARNER_FORMS,
    OUTCOME_GRADUATE,
    OUTCOMES_PUPIL,
    OUTCOMES_STUDENT,
    OUTCOMES_TEACHER,
    SCHOOL_AGES,
    SPRING_SHARE,
    STATUS_DISSOLVE,
    UNITS_PER_YEAR,
)
from ops.demo.plan_units import adopt
from ops.demo.planner import (
    _NEVER,
    _family,
    _leads,
    _Mentee,
    _Mentor,
    _Org,
    _Pair,
    _Planner,
    _Program,
)
from ops.demo.steps import P_MENTEE, P_PAIR_END, P_PAIR_FORM, P_PAIR_JOIN, Ref
from registry import commands as c


def plan_school_year(planner: _Planner, org: _Org, year: int) -> None:
    rng = planner.rng
    units = round(UNITS_PER_YEAR[org.kind][year] * org.size * rng.uniform(0.85, 1.15))
    for _ in range(units):
        learner_unit(planner, org, year)
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        young_teacher_unit(planner, org, year)
    if rng.random() < 0.6:
        teacher_unit(planner, org, year)


def learner_start(planner: _Planner, year: int) -> date:
    if planner.rng.random() < SPRING_SHARE[year]:
        return planner.day(date(year + 1, 1, 11), date(year + 1, 3, 31))
    return planner.day(date(year, 9, 7), date(year, 12, 20))


def natural_end(planner: _Planner, year: int, start: date, kind: str | None, *, june: bool) -> tuple[date, str]:
    """When the pair would end, and how: 'complete', 'dissolve' or 'active' (end far away)."""
    rng = planner.rng
    roll = rng.random()
    last_month = (6, 25) if june else (5, 31)
    if kind == "short_term":
        end, how = planner.after(start, 45, 100), "complete"
    elif roll < 0.1:
        end, how = planner.after(start, 30, 200), "dissolve"
    elif roll < 0.25 and year < 2021:
        end, how = planner.any_day(date(year + 2, 5, 15), date(year + 2, *last_month)), "complete"
    else:
        end, how = planner.any_day(date(year + 1, 5, 15), date(year + 1, *last_month)), "complete"
    if end > LAST_DAY:
        return _NEVER, "active"
    return end, how


def pick_mentor(planner: _Planner, org: _Org, types: tuple[str, ...], form: str, start: date, end: date,
                how: str, count: int) -> tuple[_Mentor, date, str] | None:
    """A mentor of the organization in the registry on `start`, free enough until the end.

    The pair cannot outlast the mentor: it ends when the mentor graduates, is suspended or
    removed. Returns the mentor with the pair's end and how it ends.
    """
    candidates = [
        m for m in org.mentors
        if m.type in types and _leads(m, form) and m.approved_on is not None
        and m.approved_on <= start and start <= m.until - timedelta(days=30)
    ]
    planner.rng.shuffle(candidates)
    for mentor in candidates:
        mentor_end, mentor_how = end, how
        if mentor.until < end:
            mentor_end = mentor.until
            mentor_how = "dissolve_status" if mentor.status_change else "complete_graduate"
        if mentor_end > LAST_DAY:
            mentor_end, mentor_how = _NEVER, "active"
        if mentor.fits(start, mentor_end, count):
            return mentor, mentor_end, mentor_how
    return None


def learner_unit(planner: _Planner, org: _Org, year: int) -> None:
    rng = planner.rng
    forms = list(LEARNER_FORMS[org.kind])
    weights = [w for *_, w in forms]
    first = rng.choices(range(len(forms)), weights=weights)[0]
    order = [forms[first]] + [f for i, f in enumerate(forms) if i != first]
    start = learner_start(planner, year)
    size = rng.randint(2, 4) if rng.random() < 0.08 else 1
    kind = "group" if size > 1 else rng.choice((None, None, "traditional", "traditional", "traditional", "short_term", "virtual"))
    end, how = natural_end(planner, year, start, kind, june=org.kind == "college")
    for form, types, ages, _ in order:
        picked = pick_mentor(planner, org, types, form, start, end, how, size)
        if picked is not None:
            break
    else:
        return  # nobody free to lead it this year: the unit is not formed
    mentor, end, how = picked
    category = "college_student" if org.kind == "college" else "pupil"
    members = pick_learners(planner, org, category, form, year, ages, start, end, size)
    joiner = None
    if size > 1 and rng.random() < 0.4:
        joined = planner.after(start, 14, 45)
        # The founding members are not in the mentor's load yet: count them with the newcomer.
        if joined < end and joined <= LAST_DAY and mentor.fits(joined, end, size + 1):
            extra = pick_learners(planner, org, category, form, year, ages, joined, end, 1, members)
            joiner = (extra[0], joined)
    form_pair(planner, org, mentor, members, form, kind, start, end, how, joiner, teachers=False)


def pick_learners(planner: _Planner, org: _Org, category: str, form: str, year: int, ages: tuple[int, int],
                  start: date, end: date, count: int, taken: list[_Mentee] | None = None,
                  ) -> list[_Mentee]:
    rng = planner.rng
    family = _family(form)
    low, high = max(ages[0], SCHOOL_AGES[org.kind][0]), min(ages[1], SCHOOL_AGES[org.kind][1])
    taken = taken or []
    pool = [
        m for m in org.mentees
        if m.category == category and low <= m.age(year) <= high
        and m.free(family, start, end) and m not in taken
    ]
    chosen: list[_Mentee] = []
    for _ in range(count):
        if pool and rng.random() < 0.2:
            chosen.append(pool.pop(rng.randrange(len(pool))))
        else:
            chosen.append(new_mentee(planner, org, category, birth_year=year - rng.randint(low, high)))
    return chosen


def new_mentee(planner: _Planner, org: _Org, category: str, *, birth_year: int | None = None,
               work_year: int | None = None) -> _Mentee:
    mentee = _Mentee(len(planner.mentees), org, category, birth_year, work_year)
    planner.mentees.append(mentee)
    org.mentees.append(mentee)
    return mentee


def teacher_form(org: _Org, year: int) -> str:
    return "educator_educator" if org.kind == "college" or year >= 2022 else "teacher_teacher"


def young_teacher_unit(planner: _Planner, org: _Org, year: int) -> None:
    rng = planner.rng
    form = teacher_form(org, year)
    kind = rng.choice(("traditional", "traditional", "traditional", "situational", "virtual", "short_term"))
    start = planner.day(date(year, 9, 6), date(year, 10, 15))
    end, how = natural_end(planner, year, start, kind, june=True)
    picked = pick_mentor(planner, org, ("teacher",), form, start, end, how, 1)
    if picked is None:
        return
    mentor, end, how = picked
    pool = [
        m for m in org.mentees
        if m.category == "young_teacher" and m.work_year is not None and m.work_year >= year - 2
        and m.free("teacher", start, end)
    ]
    if pool and rng.random() < 0.35:
        mentee = rng.choice(pool)
    else:
        mentee = new_mentee(planner, org, "young_teacher", work_year=rng.choice((year, year, year - 1, year - 2)))
    program = None
    if rng.random() < 0.15:
        ends_on = start + timedelta(days=364)
        program = adopt(
            planner, org,
            f"Персонализированная программа наставничества молодого педагога № {len(planner.programs) + 1}",
            [form], start, teachers=True, personalized=True,
            ends_on=ends_on if ends_on <= LAST_DAY else None,
        )
    form_pair(planner, org, mentor, [mentee], form, kind, start, end, how, None, teachers=True,
              program=program)


def teacher_unit(planner: _Planner, org: _Org, year: int) -> None:
    rng = planner.rng
    form = teacher_form(org, year)
    kind = rng.choice(("reverse", "situational", "short_term"))
    start = planner.day(date(year, 10, 1), date(year + 1, 2, 26))
    end = planner.after(start, 60, 150)
    if end > LAST_DAY:
        end, how = _NEVER, "active"
    else:
        how = "complete"
    picked = pick_mentor(planner, org, ("teacher",), form, start, end, how, 1)
    if picked is None:
        return
    mentor, end, how = picked
    pool = [m for m in org.mentees if m.category == "teacher" and m.free("teacher", start, end)]
    mentee = rng.choice(pool) if pool and rng.random() < 0.3 else new_mentee(planner, org, "teacher")
    form_pair(planner, org, mentor, [mentee], form, kind, start, end, how, None, teachers=True)


def form_pair(planner: _Planner, org: _Org, mentor: _Mentor, members: list[_Mentee], form: str,
              kind: str | None, start: date, end: date, how: str, joiner: tuple[_Mentee, date] | None,
              *, teachers: bool, program: _Program | None = None) -> None:
    rng = planner.rng
    if program is None:
        fitting = [p for p in org.programs
                   if form in p.forms and p.starts_on <= start and not p.personalized]
        program = fitting[-1] if fitting else None
    pair = _Pair(len(planner.pairs), start, program)
    planner.pairs.append(pair)
    org.pairs.append(pair)
    ref = Ref("pair", pair.index)
    family = _family(form)
    mentor.loads.append((start, end, len(members)))
    for mentee in members:
        mentee.spans.append((family, start, end))
        mentee.first_join = min(mentee.first_join, start)
    planner.add(start, P_PAIR_FORM, org, c.FormPair, ref, organization_id=Ref("org", org.index),
                mentor_id=Ref("mentor", mentor.index),
                mentee_ids=[Ref("mentee", m.index) for m in members], form=form, kind=kind,
                program_id=Ref("program", program.index) if program else None, started_on=start)
    if joiner is not None:
        mentee, joined = joiner
        mentor.loads.append((joined, end, 1))
        mentee.spans.append((family, joined, end))
        mentee.first_join = min(mentee.first_join, joined)
        planner.add(joined, P_PAIR_JOIN, org, c.AddMenteeToPair, pair_id=ref,
                    mentee_id=Ref("mentee", mentee.index), joined_on=joined)
    if how == "active":
        return
    if how in ("dissolve", "dissolve_status"):
        reason = (STATUS_DISSOLVE[mentor.status_change] if how == "dissolve_status"  # type: ignore[index]
                  else rng.choice(DISSOLVE_REASONS))
        planner.add(end, P_PAIR_END, org, c.DissolvePair, pair_id=ref, ended_on=end, reason=reason)
        return
    if how == "complete_graduate":
        outcome = OUTCOME_GRADUATE
    elif teachers:
        outcome = rng.choice(OUTCOMES_TEACHER)
    elif org.kind == "college":
        outcome = rng.choice(OUTCOMES_STUDENT)
    else:
        outcome = rng.choice(OUTCOMES_PUPIL)
    planner.add(end, P_PAIR_END, org, c.CompletePair, pair_id=ref, ended_on=end, outcome=outcome)


# -- mentees --------------------------------------------------------------------------------


def emit_mentees(planner: _Planner) -> None:
    rng = planner.rng
    for mentee in planner.mentees:
        org = mentee.org
        assert mentee.first_join != _NEVER, "every planned mentee joins a pair"
        women = rng.random() < (0.5 if mentee.category in ("pupil", "college_student") else 0.75)
        child = mentee.category in ("pupil", "college_student")
        person: dict[str, Any] = {"full_name": planner.person(women, child=child)}
        work_started = None
        earliest = org.registered_on
        if mentee.birth_year is not None:
            person["birth_date"] = date(mentee.birth_year, 1, 1) + timedelta(days=rng.randint(0, 364))
        if mentee.category == "young_teacher":
            assert mentee.work_year is not None
            work_started = planner.any_day(date(mentee.work_year, 8, 16), date(mentee.work_year, 9, 1))
            birth_year = mentee.work_year - rng.randint(22, 27)
            person["birth_date"] = date(birth_year, 1, 1) + timedelta(days=rng.randint(0, 364))
            earliest = max(earliest, work_started)
        registered = max(earliest, mentee.first_join - timedelta(days=rng.randint(0, 10)))
        planner.add(registered, P_MENTEE, org, c.RegisterMentee, Ref("mentee", mentee.index),
                    organization_id=Ref("org", org.index), category=mentee.category, person=person,
                    birth_year=None, work_started_on=work_started, registered_on=registered)
