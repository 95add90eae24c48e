"""The planner's state: the region planned so far, and the drawing of days, documents and names."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ops.demo.content import (
    BOYS_FIRST,
    FIRST_DAY,
    GIRLS_FIRST,
    LAST_DAY,
    MALE_NAMES,
    SURNAMES,
    WOMEN_FIRST,
    _feminine,
)
from ops.demo.steps import Ref, Step
from registry import commands as c

_NEVER = date.max


@dataclass
class _Org:
    index: int
    name: str
    kind: str
    municipality: int
    slug: str
    size: float
    start_year: int
    registered_on: date = FIRST_DAY
    mentors: list[_Mentor] = field(default_factory=list)
    mentees: list[_Mentee] = field(default_factory=list)
    programs: list[_Program] = field(default_factory=list)
    pairs: list[_Pair] = field(default_factory=list)


@dataclass
class _Mentor:
    index: int
    org: _Org
    type: str
    women: bool
    forms: list[str]
    capacity: int | None
    applied_on: date
    approved_on: date | None  # None: pending or rejected
    until: date = _NEVER  # no pair may last beyond (graduation, suspension, removal)
    status_change: str | None = None  # "suspend" | "remove"
    loads: list[tuple[date, date, int]] = field(default_factory=list)  # (from, to, mentees)

    def fits(self, start: date, end: date, count: int) -> bool:
        """Within capacity on every day of [start, end), counting what is planned already."""
        if self.capacity is None:
            return True
        points = [start] + [s for s, _, _ in self.loads if start <= s < end]
        for point in points:
            load = sum(n for s, e, n in self.loads if s <= point < e)
            if load + count > self.capacity:
                return False
        return True


@dataclass
class _Mentee:
    index: int
    org: _Org
    category: str
    birth_year: int | None
    work_year: int | None
    spans: list[tuple[str, date, date]] = field(default_factory=list)  # (form family, from, to)
    first_join: date = _NEVER

    def free(self, family: str, start: date, end: date) -> bool:
        return all(not (f == family and start < e and s < end) for f, s, e in self.spans)

    def age(self, year: int) -> int:
        assert self.birth_year is not None
        return year - self.birth_year


@dataclass
class _Program:
    index: int
    forms: list[str]
    starts_on: date
    teachers: bool
    personalized: bool


@dataclass
class _Pair:
    index: int
    start: date
    program: _Program | None


def _leads(mentor: _Mentor, form: str) -> bool:
    """The mentor practises the form, or will once the teachers' model adds it (2022 profile update)."""
    if form in mentor.forms:
        return True
    return form == "educator_educator" and "teacher_teacher" in mentor.forms and mentor.until == _NEVER


def _family(form: str) -> str:
    """Teacher forms count as one: a young teacher is never in two teacher pairs at once."""
    return "teacher" if form in ("teacher_teacher", "educator_educator") else form


class _Planner:
    """The region planned so far; every draw from the seed goes through its `rng`, in planning order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.steps: list[Step] = []
        self.orgs: list[_Org] = []
        self.mentors: list[_Mentor] = []
        self.mentees: list[_Mentee] = []
        self.pairs: list[_Pair] = []
        self.programs: list[_Program] = []
        self.documents = 100
        self.outputs = 0

    # -- helpers ---------------------------------------------------------------------------

    def add(
        self,
        on: date,
        phase: int,
        org: _Org | None,
        command: type[c.Command],
        creates: Ref | None = None,
        **fields: Any,
    ) -> None:
        assert FIRST_DAY <= on <= LAST_DAY, (command.__name__, on)
        self.steps.append(
            Step(on, phase, len(self.steps), org.index if org else None, command, fields, creates)
        )

    def day(self, first: date, last: date) -> date:
        """A working day between first and last (inclusive), within the demo's years."""
        return self.any_day(max(first, FIRST_DAY), min(last, LAST_DAY))

    def any_day(self, first: date, last: date) -> date:
        """A working day between first and last (inclusive): for lives, which began before 2020."""
        assert first <= last, (first, last)
        picked = first + timedelta(days=self.rng.randint(0, (last - first).days))
        return _workday(picked, first, last)

    def after(self, start: date, low: int, high: int) -> date:
        return _workday(start + timedelta(days=self.rng.randint(low, high)), start, _NEVER)

    def document(self, org: _Org, on: date, what: str = "prikaz") -> dict[str, Any]:
        self.documents += self.rng.randint(1, 9)
        number = self.documents
        return {
            "number": f"Приказ № {number}-о",
            "issued_on": on,
            "link": f"https://{org.slug}.obr27.example/nastavnichestvo/{what}-{number}.pdf",
        }

    def person(self, women: bool, *, child: bool) -> str:
        surname = self.rng.choice(SURNAMES)
        _, father_m, father_f = self.rng.choice(MALE_NAMES)
        if women:
            first = self.rng.choice(GIRLS_FIRST if child else WOMEN_FIRST)
            return f"{_feminine(surname)} {first} {father_f}"
        first = self.rng.choice(BOYS_FIRST) if child else self.rng.choice(MALE_NAMES)[0]
        return f"{surname} {first} {father_m}"


def _workday(day: date, first: date, last: date) -> date:
    """The nearest working day, forward if it stays within [first, last], else backward."""
    forward = day
    while forward.weekday() >= 5:
        forward += timedelta(days=1)
    if forward <= last:
        return forward
    backward = day
    while backward.weekday() >= 5:
        backward -= timedelta(days=1)
    return backward if backward >= first else day
