"""Shared helpers for the projection tests (no tests here): commands and the hand-computed scenario.

The scenario (calendar years 2020 and 2021, school years 2020/21 and 2021/22), two schools:

S1 «Школа № 1» in «Северный район»      S2 «Школа № 2» in «Южный район» (both region «Край», code 99)
contingent 10–19 / 15–19 / young:        2020: 10/4/2, 2021: 12/5/2 | 2020: 8/4/1, 2021: 10/5/1

mentee (born / work started)  pair, interval                         S
p1 pupil 2010                 P1 2020-02-01..2020-12-31 (start corrected from 2021-02-01)  S1
p2 pupil 2011, p3 pupil 2006  P2 (group) 2020-10-01..open                              S1
p4 pupil 2001                 P3 2021-01-01..2021-03-01 (dissolved)                     S1
t1 young teacher 2018-03-01   P4 2020-11-01..2021-05-31                                 S1
t2 young teacher 2020-09-01   P5 2021-09-01..open                                       S1
q1 pupil 2005                 P6 2019-09-01..2020-01-15                                 S2
q2 pupil 2009                 P7 2021-12-31..open                                       S2
t3 young teacher 2019-09-01   P8 2020-12-31..2021-01-01                                 S2
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from registry import commands as c
from registry.application import Registry
from registry.values import Actor, Role

ADMIN = Actor(user_id="admin", role=Role.ADMIN)


@dataclass
class Ids:
    ids: dict[str, UUID] = field(default_factory=dict)

    def __getitem__(self, key: str) -> UUID:
        return self.ids[key]


def run(registry: Registry, command: c.Command, after: Any = None) -> UUID | None:
    result = registry.execute(command, ADMIN)
    if after is not None:
        after()
    return result.aggregate_id


def person(name: str, birth: date | None = None) -> c.PersonIn:
    return c.PersonIn(full_name=name, birth_date=birth)


def build_scenario(registry: Registry, after: Any = None) -> Ids:
    """Record the hand-computed scenario; `after()` runs after every command (e.g. catch_up)."""
    ids = Ids()
    k = ids.ids

    def do(key: str | None, command: c.Command) -> None:
        aggregate_id = run(registry, command, after)
        if key:
            k[key] = aggregate_id  # type: ignore[assignment]

    do(None, c.RegisterRegion(code="99", name="Край"))  # municipalities and targets name it by its code
    do("M1", c.RegisterMunicipality(name="Северный район", region="99"))
    do("M2", c.RegisterMunicipality(name="Южный район", region="99"))
    for key, name, municipality in (("S1", "Школа № 1", "M1"), ("S2", "Школа № 2", "M2")):
        do(key, c.RegisterOrganization(name=name, kind="school", municipality_id=k[municipality],
                                       registered_on=date(2019, 1, 1)))
    figures = {
        ("S1", 2020): (10, 4, 2), ("S1", 2021): (12, 5, 2),
        ("S2", 2020): (8, 4, 1), ("S2", 2021): (10, 5, 1),
    }
    for (org, year), (s10, s15, young) in figures.items():
        do(None, c.ReportContingent(organization_id=k[org], year=year, figures=c.ContingentIn(
            students_total=100, students_10_19=s10, students_15_19=s15, teachers_total=20,
            young_teachers=young)))

    def mentor(key: str, org: str, name: str, applied: date, approved: date) -> None:
        do(key, c.SubmitMentorApplication(
            organization_id=k[org], person=person(name),
            profile=c.MentorProfileIn(position="учитель", mentor_type="teacher",
                                      forms=["pupil_pupil"], subjects=["математика"]),
            applied_on=applied))
        do(None, c.ApproveMentor(mentor_id=k[key], effective_date=approved))

    mentor("A", "S1", "Андреева Анна", date(2020, 1, 5), date(2020, 1, 10))
    mentor("B", "S2", "Борисов Борис", date(2020, 1, 5), date(2020, 1, 10))
    mentor("C", "S1", "Васильева Вера", date(2021, 1, 5), date(2021, 2, 1))
    mentor("D", "S2", "Григорьев Глеб", date(2020, 2, 1), date(2020, 3, 1))
    for key, course_date in (("A", date(2020, 5, 1)), ("C", date(2021, 3, 1)), ("D", date(2020, 6, 1))):
        do(None, c.RecordTraining(mentor_id=k[key], course="ДПП «Наставничество»", provider="ХК ИРО",
                                  hours=36, completed_on=course_date))
    do(None, c.RemoveMentor(mentor_id=k["D"], reason="уволился", effective_date=date(2021, 4, 1)))
    do(None, c.GiveConsent(mentor_id=k["A"], fields=["name", "organization", "forms"],
                           effective_date=date(2020, 1, 10)))

    def mentee(key: str, org: str, category: str, birth_year: int | None = None,
               work: date | None = None) -> None:
        do(key, c.RegisterMentee(organization_id=k[org], category=category, person=person(f"Наставляемый {key}"),
                                 birth_year=birth_year, work_started_on=work,
                                 registered_on=date(2019, 9, 1)))

    mentee("p1", "S1", "pupil", 2010)
    mentee("p2", "S1", "pupil", 2011)
    mentee("p3", "S1", "pupil", 2006)
    mentee("p4", "S1", "pupil", 2001)
    mentee("t1", "S1", "young_teacher", work=date(2018, 3, 1))
    mentee("t2", "S1", "young_teacher", work=date(2020, 9, 1))
    mentee("q1", "S2", "pupil", 2005)
    mentee("q2", "S2", "pupil", 2009)
    mentee("t3", "S2", "young_teacher", work=date(2019, 9, 1))

    def pair(key: str, org: str, mentor_key: str, mentees: list[str], form: str, start: date) -> None:
        do(key, c.FormPair(organization_id=k[org], mentor_id=k[mentor_key],
                           mentee_ids=[k[m] for m in mentees], form=form, started_on=start))

    pair("P1", "S1", "A", ["p1"], "pupil_pupil", date(2021, 2, 1))
    do(None, c.CorrectPairStart(pair_id=k["P1"], started_on=date(2020, 2, 1), reason="опечатка в дате"))
    do(None, c.CompletePair(pair_id=k["P1"], ended_on=date(2020, 12, 31), outcome="цели достигнуты"))
    pair("P2", "S1", "A", ["p2", "p3"], "pupil_pupil", date(2020, 10, 1))
    pair("P3", "S1", "A", ["p4"], "pupil_pupil", date(2021, 1, 1))
    do(None, c.DissolvePair(pair_id=k["P3"], ended_on=date(2021, 3, 1), reason="переезд"))
    pair("P4", "S1", "A", ["t1"], "teacher_teacher", date(2020, 11, 1))
    do(None, c.CompletePair(pair_id=k["P4"], ended_on=date(2021, 5, 31), outcome="адаптация"))
    pair("P5", "S1", "C", ["t2"], "teacher_teacher", date(2021, 9, 1))
    pair("P6", "S2", "B", ["q1"], "pupil_pupil", date(2019, 9, 1))
    do(None, c.CompletePair(pair_id=k["P6"], ended_on=date(2020, 1, 15), outcome="проект"))
    pair("P7", "S2", "B", ["q2"], "pupil_pupil", date(2021, 12, 31))
    pair("P8", "S2", "B", ["t3"], "teacher_teacher", date(2020, 12, 31))
    do(None, c.CompletePair(pair_id=k["P8"], ended_on=date(2021, 1, 1), outcome="консультация"))

    do("PR1", c.AdoptProgram(organization_id=k["S1"], title="Программа 2020", forms=["pupil_pupil"],
                             starts_on=date(2020, 1, 1), ends_on=date(2020, 12, 31)))
    do("PR2", c.AdoptProgram(organization_id=k["S2"], title="Программа 2021", forms=["pupil_pupil"],
                             starts_on=date(2021, 1, 1)))
    do(None, c.RecordProgramOutput(program_id=k["PR1"], kind="project", title="Проект",
                                   produced_on=date(2020, 6, 1), command_id="out-1"))
    do(None, c.RecordProgramOutput(program_id=k["PR1"], kind="case", title="Ошибочный",
                                   produced_on=date(2020, 7, 1), command_id="out-2"))
    do(None, c.RetractProgramOutput(program_id=k["PR1"], output_id="out-2", reason="внесён по ошибке"))
    do(None, c.RecordProgramOutput(program_id=k["PR2"], kind="event", title="Мероприятие",
                                   produced_on=date(2021, 5, 1), command_id="out-3"))

    doc = c.DocumentIn(number="1-о", issued_on=date(2020, 2, 1))
    do(None, c.CompleteChecklistItem(organization_id=k["S1"], item="curator_appointed", document=doc,
                                     completed_on=date(2020, 2, 1)))
    do(None, c.CompleteChecklistItem(organization_id=k["S1"], item="roadmap_adopted", document=doc,
                                     completed_on=date(2021, 3, 1)))
    do(None, c.CompleteChecklistItem(organization_id=k["S2"], item="curator_appointed", document=doc,
                                     completed_on=date(2021, 1, 15)))
    do(None, c.ReopenChecklistItem(organization_id=k["S2"], item="curator_appointed", reason="приказ отменён"))

    do(None, c.SetTarget(indicator="pupils_10_19", unit_kind="region", unit_id="99", year=2021,
                         share_percent=Decimal(15)))
    do(None, c.SetTarget(indicator="pupils_10_19", unit_kind="municipality", unit_id=str(k["M1"]),
                         year=2021, share_percent=Decimal(16)))
    do(None, c.SetTarget(indicator="young_teachers", unit_kind="region", unit_id="99", year=2020,
                         share_percent=Decimal(50)))
    return ids
