"""The hand-computed indicators scenario, built with the world's `Region` (no tests here).

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

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from registry import commands as c
from registry.application import Registry
from support.world.region import Region

#: (school, year): (students 10–19, students 15–19, young teachers)
CONTINGENTS = {
    ("S1", 2020): (10, 4, 2), ("S1", 2021): (12, 5, 2),
    ("S2", 2020): (8, 4, 1), ("S2", 2021): (10, 5, 1),
}


@dataclass
class Ids:
    """What the scenario made, by its label in the table above (`ids["P1"]`)."""

    ids: dict[str, UUID] = field(default_factory=dict)

    def __getitem__(self, key: str) -> UUID:
        return self.ids[key]


def build_scenario(registry: Registry, after: Callable[[], None] | None = None) -> Ids:
    """Record the hand-computed scenario; `after()` runs after every command (e.g. catch_up)."""
    region = Region(registry, after=after)
    ids = Ids()
    k = ids.ids

    region.region_unit("99", "Край")  # municipalities and targets name it by its code
    k["M1"] = region.municipality("Северный район", region="99")
    k["M2"] = region.municipality("Южный район", region="99")
    for key, name, municipality in (("S1", "Школа № 1", "M1"), ("S2", "Школа № 2", "M2")):
        k[key] = region.organization("school", municipality_id=k[municipality], name=name,
                                     registered_on=date(2019, 1, 1))
    for (org, year), (s10, s15, young) in CONTINGENTS.items():
        region.contingent(k[org], year, students_total=100, students_10_19=s10, students_15_19=s15,
                          teachers_total=20, young_teachers=young)

    for key, org, name, applied, approved in (
        ("A", "S1", "Андреева Анна", date(2020, 1, 5), date(2020, 1, 10)),
        ("B", "S2", "Борисов Борис", date(2020, 1, 5), date(2020, 1, 10)),
        ("C", "S1", "Васильева Вера", date(2021, 1, 5), date(2021, 2, 1)),
        ("D", "S2", "Григорьев Глеб", date(2020, 2, 1), date(2020, 3, 1)),
    ):
        k[key] = region.active_mentor(k[org], full_name=name, position="учитель", applied_on=applied,
                                      approved_on=approved)
    for key, course_date in (("A", date(2020, 5, 1)), ("C", date(2021, 3, 1)), ("D", date(2020, 6, 1))):
        region.training(k[key], course_date)
    region.run(c.RemoveMentor(mentor_id=k["D"], reason="уволился", effective_date=date(2021, 4, 1)))
    region.run(c.GiveConsent(mentor_id=k["A"], fields=["name", "organization", "forms"],
                             effective_date=date(2020, 1, 10)))

    for key, org, category, birth_year, work in (
        ("p1", "S1", "pupil", 2010, None),
        ("p2", "S1", "pupil", 2011, None),
        ("p3", "S1", "pupil", 2006, None),
        ("p4", "S1", "pupil", 2001, None),
        ("t1", "S1", "young_teacher", None, date(2018, 3, 1)),
        ("t2", "S1", "young_teacher", None, date(2020, 9, 1)),
        ("q1", "S2", "pupil", 2005, None),
        ("q2", "S2", "pupil", 2009, None),
        ("t3", "S2", "young_teacher", None, date(2019, 9, 1)),
    ):
        k[key] = region.mentee(k[org], category=category, full_name=f"Наставляемый {key}", birth_date=None,
                               birth_year=birth_year, work_started_on=work, registered_on=date(2019, 9, 1))

    def pair(key: str, org: str, mentor: str, mentees: list[str], form: str, start: date) -> None:
        k[key] = region.pair(k[mentor], [k[m] for m in mentees], organization_id=k[org], form=form,
                             started_on=start)

    pair("P1", "S1", "A", ["p1"], "pupil_pupil", date(2021, 2, 1))
    region.run(c.CorrectPairStart(pair_id=k["P1"], started_on=date(2020, 2, 1), reason="опечатка в дате"))
    region.run(c.CompletePair(pair_id=k["P1"], ended_on=date(2020, 12, 31), outcome="цели достигнуты"))
    pair("P2", "S1", "A", ["p2", "p3"], "pupil_pupil", date(2020, 10, 1))
    pair("P3", "S1", "A", ["p4"], "pupil_pupil", date(2021, 1, 1))
    region.run(c.DissolvePair(pair_id=k["P3"], ended_on=date(2021, 3, 1), reason="переезд"))
    pair("P4", "S1", "A", ["t1"], "teacher_teacher", date(2020, 11, 1))
    region.run(c.CompletePair(pair_id=k["P4"], ended_on=date(2021, 5, 31), outcome="адаптация"))
    pair("P5", "S1", "C", ["t2"], "teacher_teacher", date(2021, 9, 1))
    pair("P6", "S2", "B", ["q1"], "pupil_pupil", date(2019, 9, 1))
    region.run(c.CompletePair(pair_id=k["P6"], ended_on=date(2020, 1, 15), outcome="проект"))
    pair("P7", "S2", "B", ["q2"], "pupil_pupil", date(2021, 12, 31))
    pair("P8", "S2", "B", ["t3"], "teacher_teacher", date(2020, 12, 31))
    region.run(c.CompletePair(pair_id=k["P8"], ended_on=date(2021, 1, 1), outcome="консультация"))

    k["PR1"] = region.program(k["S1"], title="Программа 2020", starts_on=date(2020, 1, 1),
                              ends_on=date(2020, 12, 31), order_number=None)
    k["PR2"] = region.program(k["S2"], title="Программа 2021", starts_on=date(2021, 1, 1), ends_on=None,
                              order_number=None)
    for program, command_id, kind, title, produced_on in (
        ("PR1", "out-1", "project", "Проект", date(2020, 6, 1)),
        ("PR1", "out-2", "case", "Ошибочный", date(2020, 7, 1)),
    ):
        region.run(c.RecordProgramOutput(program_id=k[program], kind=kind, title=title, produced_on=produced_on,
                                         command_id=command_id))
    region.run(c.RetractProgramOutput(program_id=k["PR1"], output_id="out-2", reason="внесён по ошибке"))
    region.run(c.RecordProgramOutput(program_id=k["PR2"], kind="event", title="Мероприятие",
                                     produced_on=date(2021, 5, 1), command_id="out-3"))

    doc = c.DocumentIn(number="1-о", issued_on=date(2020, 2, 1))
    for org, item, completed_on in (
        ("S1", "curator_appointed", date(2020, 2, 1)),
        ("S1", "roadmap_adopted", date(2021, 3, 1)),
        ("S2", "curator_appointed", date(2021, 1, 15)),
    ):
        region.run(c.CompleteChecklistItem(organization_id=k[org], item=item, document=doc, completed_on=completed_on))
    region.run(c.ReopenChecklistItem(organization_id=k["S2"], item="curator_appointed", reason="приказ отменён"))

    region.target("pupils_10_19", 2021, "15", unit_id="99")
    region.target("pupils_10_19", 2021, "16", unit_kind="municipality", unit_id=str(k["M1"]))
    region.target("young_teachers", 2020, "50", unit_id="99")
    return ids
