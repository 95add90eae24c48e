"""The workloads: ordered demo-planner steps, generated deterministically from a seed.

`tiny` and `demo` are the demo region (a prefix of it, or all of it). `region` is the issue's
region: 20 municipalities, 400 organizations, 20,000 mentors, 150,000 mentees and 200,000
pairs with training and outputs (~1.2 million events). `--scale` shrinks the people (mentors,
mentees, pairs) and keeps the 20 municipalities and 400 organizations, so the dynamics report
always covers the region's units.

The region is emitted phase by phase (units, mentors, mentees, pairs, their ends, the next
year's pairs, outputs): a step
only refers to things created in an earlier phase, so any run of steps within one phase can be
sent as one batch.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ops.demo.content import (
    BOYS_FIRST,
    GIRLS_FIRST,
    MALE_NAMES,
    SURNAMES,
    TRAININGS,
    WOMEN_FIRST,
    _feminine,
)
from ops.demo.plan import plan_region
from ops.demo.steps import Ref, Step
from registry import commands as c

SEED = 2021
REGION_SIZES = {"municipalities": 20, "organizations": 400, "mentors": 20_000,
                "mentees": 150_000, "pairs": 200_000}

# Forms practised per organization kind: (form, mentee category, mentor type).
_FORMS = {
    "school": (("pupil_pupil", "pupil", "pupil"), ("teacher_teacher", "young_teacher", "teacher")),
    "college": (("student_student", "college_student", "college_student"),
                ("teacher_teacher", "young_teacher", "teacher")),
    "extra": (("pupil_pupil", "pupil", "teacher"), ("teacher_teacher", "young_teacher", "teacher")),
}
_CONSENT = ["name", "organization", "municipality", "forms", "subjects", "training"]


@dataclass(frozen=True)
class Tier:
    """A named workload: the ordered steps to send through the registry."""

    name: str
    description: str
    steps: Callable[[float], list[Step]]


def demo_steps(limit: int | None = None, seed: int = SEED) -> list[Step]:
    ordered = sorted(plan_region(random.Random(seed)), key=lambda s: (s.on, s.phase, s.seq))
    return ordered if limit is None else ordered[:limit]


def region_sizes(scale: float) -> dict[str, int]:
    fixed = ("municipalities", "organizations")
    return {k: v if k in fixed else max(1, round(v * scale)) for k, v in REGION_SIZES.items()}


def _person(rng: random.Random, women: bool, child: bool) -> str:
    surname = rng.choice(SURNAMES)
    _, father_m, father_f = rng.choice(MALE_NAMES)
    if women:
        return f"{_feminine(surname)} {rng.choice(GIRLS_FIRST if child else WOMEN_FIRST)} {father_f}"
    first = rng.choice(BOYS_FIRST) if child else rng.choice(MALE_NAMES)[0]
    return f"{surname} {first} {father_m}"


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _share(total: int, parts: int, i: int) -> int:
    """Part i of `total` split as evenly as possible into `parts`."""
    return total // parts + (1 if i < total % parts else 0)


def region_steps(scale: float = 1.0, seed: int = SEED) -> list[Step]:
    """The region tier at `scale` (1.0: the issue's sizes), in phase order."""
    rng = random.Random(seed)
    sizes = region_sizes(scale)
    steps: list[Step] = []

    def add(on: date, org: int | None, command: type[c.Command], creates: Ref | None = None,
            **fields: Any) -> None:
        steps.append(Step(on, 0, len(steps), org, command, fields, creates))

    n_orgs = sizes["organizations"]
    kinds = ["school"] * 14 + ["college"] * 3 + ["extra"] * 3
    for m in range(sizes["municipalities"]):
        add(date(2020, 1, 9), None, c.RegisterMunicipality, Ref("municipality", m),
            name=f"Муниципальный район № {m + 1}", region="27", code=f"{8600000 + m * 1000:08d}")
    org_kind: list[str] = []
    for o in range(n_orgs):
        kind = kinds[o % len(kinds)]
        org_kind.append(kind)
        add(date(2020, 1, 13), None, c.RegisterOrganization, Ref("org", o),
            name=f"Организация № {o + 1}", kind=kind, municipality_id=Ref("municipality", o % 20),
            inn=f"27{o:08d}", registered_on=date(2020, 1, 13))
    for o in range(n_orgs):
        for year in (2020, 2021):
            total = rng.randint(400, 1200)
            figures = {"students_total": total, "students_10_19": total * 6 // 10,
                       "students_15_19": total * 3 // 10, "students_extra": total // 2,
                       "teachers_total": total // 15, "young_teachers": max(1, total // 120)}
            add(date(year, 9, 25), None, c.ReportContingent, organization_id=Ref("org", o),
                year=year, figures=figures)
    for o in range(n_orgs):
        forms = [f for f, _, _ in _FORMS[org_kind[o]]]
        add(date(2020, 2, 3), o, c.AdoptProgram, Ref("program", o), organization_id=Ref("org", o),
            title="Программа наставничества", forms=forms, starts_on=date(2020, 2, 3),
            order={"number": f"Приказ № {o + 100}-о", "issued_on": date(2020, 2, 3)})

    # Mentors: apply, consent, approval, training for ~60 %.
    mentor_org: list[int] = []
    mentor_form: list[int] = []
    for o in range(n_orgs):
        for _ in range(_share(sizes["mentors"], n_orgs, o)):
            mentor_org.append(o)
            mentor_form.append(len(mentor_form) % 5 == 4)  # one in five leads teachers
    applied = [_day(rng, date(2020, 2, 10), date(2020, 6, 30)) for _ in mentor_org]
    for i, o in enumerate(mentor_org):
        form, _, mtype = _FORMS[org_kind[o]][mentor_form[i]]
        child = mtype in ("pupil", "college_student")
        add(applied[i], o, c.SubmitMentorApplication, Ref("mentor", i), organization_id=Ref("org", o),
            person={"full_name": _person(rng, rng.random() < 0.6, child)},
            profile={"position": "Учитель" if mtype == "teacher" else "Обучающийся",
                     "mentor_type": mtype, "forms": [form], "subjects": ["Математика"]},
            applied_on=applied[i])
    for i, o in enumerate(mentor_org):
        add(applied[i], o, c.GiveConsent, mentor_id=Ref("mentor", i),
            fields=_CONSENT if i % 4 else _CONSENT[:3], effective_date=applied[i])
    for i in range(len(mentor_org)):
        add(applied[i] + timedelta(days=10), None, c.ApproveMentor, mentor_id=Ref("mentor", i),
            effective_date=applied[i] + timedelta(days=10))
    for i in range(len(mentor_org)):
        if rng.random() < 0.6:
            course, provider, hours = rng.choice(TRAININGS)
            done = applied[i] + timedelta(days=rng.randint(20, 60))
            add(done, None, c.RecordTraining, mentor_id=Ref("mentor", i), course=course,
                provider=provider, hours=hours[0], completed_on=done,
                certificate_number=f"2724{rng.randrange(10**8):08d}")

    # Mentees: each organization's share; one in five is a young teacher.
    mentees_of: list[list[int]] = []
    mentee_form: list[int] = []
    n = 0
    for o in range(n_orgs):
        mine = []
        for _ in range(_share(sizes["mentees"], n_orgs, o)):
            teacher = n % 5 == 4
            _, category, _ = _FORMS[org_kind[o]][teacher]
            person: dict[str, Any] = {"full_name": _person(rng, rng.random() < 0.5, not teacher)}
            extra: dict[str, Any] = {}
            if teacher:
                extra["work_started_on"] = date(2019 + n % 2, 9, 1)
            else:
                person["birth_date"] = _day(rng, date(2006, 1, 1), date(2012, 12, 31))
            add(date(2020, 8, 31), o, c.RegisterMentee, Ref("mentee", n),
                organization_id=Ref("org", o), category=category, person=person,
                registered_on=date(2020, 8, 31), **extra)
            mine.append(n)
            mentee_form.append(teacher)
            n += 1
        mentees_of.append(mine)

    # Pairs: a mentee's first pair in school year 2020/21 (completed in May), its second in 2021/22
    # (still active); each with a mentor of the same organization and form family.
    pairs: list[tuple[int, int, int, date]] = []  # org, mentor, mentee, start
    mentors_of: list[list[list[int]]] = [[[], []] for _ in range(n_orgs)]
    for i, o in enumerate(mentor_org):
        mentors_of[o][mentor_form[i]].append(i)
    for o in range(n_orgs):
        mine = mentees_of[o]
        for k in range(_share(sizes["pairs"], n_orgs, o)):
            if not mine:
                break
            mentee = mine[k % len(mine)]
            family = mentee_form[mentee]
            candidates = mentors_of[o][family] or mentors_of[o][1 - family]
            if not candidates or k >= 2 * len(mine):
                break
            year = 2020 + k // len(mine)
            start = _day(rng, date(year, 9, 7), date(year, 10, 30))
            pairs.append((o, candidates[k % len(candidates)], mentee, start))
    # Log order matters (a mentee is in one active pair per form): 2020 pairs, their ends, 2021 pairs.
    def form_pairs(year: int) -> None:
        for p, (o, mentor, mentee, start) in enumerate(pairs):
            if start.year == year:
                form, _, _ = _FORMS[org_kind[o]][mentor_form[mentor]]
                add(start, o, c.FormPair, Ref("pair", p), organization_id=Ref("org", o),
                    mentor_id=Ref("mentor", mentor), mentee_ids=[Ref("mentee", mentee)], form=form,
                    program_id=Ref("program", o), started_on=start)

    form_pairs(2020)
    for p, (o, _, _, start) in enumerate(pairs):
        if start.year == 2020:
            end = _day(rng, date(2021, 5, 10), date(2021, 5, 31))
            add(end, o, c.CompletePair, pair_id=Ref("pair", p), ended_on=end,
                outcome="Задачи программы на год выполнены")
    form_pairs(2021)
    for o in range(n_orgs):
        for year in (2020, 2021):
            on = _day(rng, date(year + 1, 3, 1), date(year + 1, 5, 31))
            add(on, o, c.RecordProgramOutput, program_id=Ref("program", o), kind="project",
                title=f"Проект {year}/{year + 1} учебного года", produced_on=on)
    return steps


def more_mentors(start: int, count: int, organizations: int, seed: int = SEED) -> list[Step]:
    """`count` more approved, consented mentors (refs from `start` on): the search at a bigger size."""
    rng = random.Random(seed + start)
    steps: list[Step] = []
    on = date(2022, 3, 1)
    for phase in ("apply", "consent", "approve"):
        for i in range(start, start + count):
            o = i % organizations
            if phase == "apply":
                fields: dict[str, Any] = {
                    "organization_id": Ref("org", o), "applied_on": on,
                    "person": {"full_name": _person(rng, rng.random() < 0.6, False)},
                    "profile": {"position": "Учитель", "mentor_type": "teacher",
                                "forms": ["teacher_teacher"], "subjects": ["Физика"]}}
                steps.append(Step(on, 0, len(steps), o, c.SubmitMentorApplication, fields, Ref("mentor", i)))
            elif phase == "consent":
                steps.append(Step(on, 0, len(steps), o, c.GiveConsent,
                                  {"mentor_id": Ref("mentor", i), "fields": _CONSENT, "effective_date": on}))
            else:
                steps.append(Step(on, 0, len(steps), None, c.ApproveMentor,
                                  {"mentor_id": Ref("mentor", i), "effective_date": on}))
    return steps


TIERS: dict[str, Tier] = {
    "tiny": Tier("tiny", "first 300 steps of the demo plan (a few hundred events)",
                 lambda scale: demo_steps(300)),
    "demo": Tier("demo", "the whole demo region (seed 2021, ~11k events)", lambda scale: demo_steps()),
    "region": Tier("region", "20 municipalities, 400 organizations, 20,000 mentors, 150,000 mentees, "
                   "200,000 pairs (people times --scale)", region_steps),
}
