"""Planning the region's units and what the institute asks of them.

Municipalities and organizations, the regional targets, each organization's contingent, its
programs and their outputs, and its checklist of the target model's items.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ops.demo.content import (
    CHECKLIST_DEPTH,
    FIRST_DAY,
    LAST_DAY,
    LEARNER_FORMS,
    LEARNER_OUTPUT_KINDS,
    MISSING_CONTINGENT,
    MUNICIPALITIES,
    ORGANIZATIONS,
    OUTPUT_TITLES,
    PROGRAM_TITLES,
    REGION,
    REGION_NAME,
    REOPENED_WEBSITE,
    TARGET_YEARS,
    TARGETS,
    TEACHER_OUTPUT_KINDS,
    _inn,
)
from ops.demo.planner import _Org, _Planner, _Program
from ops.demo.steps import (
    P_CHECKLIST,
    P_CONTINGENT,
    P_ORG,
    P_OUTPUT,
    P_PROGRAM,
    P_TARGET,
    P_UNIT,
    Ref,
)
from registry import commands as c


def plan_units(planner: _Planner) -> None:
    planner.add(FIRST_DAY, P_UNIT, None, c.RegisterRegion, code=REGION, name=REGION_NAME)
    for i, (name, code) in enumerate(MUNICIPALITIES):
        planner.add(FIRST_DAY, P_UNIT, None, c.RegisterMunicipality, Ref("municipality", i),
                    name=name, region=REGION, code=code)
    inns: list[str] = []
    for i, (name, kind, municipality, slug, prefix, size, start_year) in enumerate(ORGANIZATIONS):
        org = _Org(i, name, kind, municipality, slug, size, start_year)
        org.registered_on = planner.day(date(2020, 1, 13), date(2020, 2, 28))
        inn = _inn(prefix, planner.rng)
        while inn in inns:
            inn = _inn(prefix, planner.rng)
        inns.append(inn)
        planner.orgs.append(org)
        planner.add(org.registered_on, P_ORG, None, c.RegisterOrganization, Ref("org", i),
                    name=name, kind=kind, municipality_id=Ref("municipality", municipality),
                    inn=inn, registered_on=org.registered_on)


def plan_targets(planner: _Planner) -> None:
    on = date(2021, 1, 20)
    for indicator, shares in TARGETS.items():
        for year, share in zip(TARGET_YEARS, shares, strict=True):
            planner.add(on, P_TARGET, None, c.SetTarget, indicator=indicator, unit_kind="region",
                        unit_id=REGION, year=year, share_percent=Decimal(share))


def plan_contingents(planner: _Planner, org: _Org) -> None:
    rng = planner.rng
    if org.kind == "school":
        base = rng.randint(650, 1000) * org.size if org.size >= 0.8 else rng.randint(160, 420)
    elif org.kind == "college":
        base = rng.randint(800, 1300) * org.size
    else:
        base = rng.randint(700, 1400) * org.size
    teachers = max(14, round(base / rng.uniform(14, 18)))
    for year in (2020, 2021, 2022):
        total = round(base * rng.uniform(0.94, 1.08))
        if org.kind == "college":
            s10 = round(total * rng.uniform(0.8, 0.88))
            s15 = round(s10 * rng.uniform(0.86, 0.95))
        else:
            s10 = round(total * rng.uniform(0.52, 0.6))
            s15 = round(total * rng.uniform(0.14, 0.2))
        staff = max(10, teachers + rng.randint(-3, 3))
        figures = {
            "students_total": total,
            "students_10_19": s10,
            "students_15_19": s15,
            "students_extra": total if org.kind == "extra" else None,
            "teachers_total": staff,
            "young_teachers": min(staff, rng.randint(2, max(3, staff // 8))),
        }
        if (org.index, year) == MISSING_CONTINGENT:
            continue
        planner.add(date(year, 9, 25), P_CONTINGENT, None, c.ReportContingent,
                    organization_id=Ref("org", org.index), year=year, figures=figures)


def adopt(planner: _Planner, org: _Org, title: str, forms: list[str], on: date, *, teachers: bool,
          personalized: bool = False, ends_on: date | None = None) -> _Program:
    program = _Program(len(planner.programs), forms, on, teachers, personalized)
    planner.programs.append(program)
    org.programs.append(program)
    planner.add(on, P_PROGRAM, org, c.AdoptProgram, Ref("program", program.index),
                organization_id=Ref("org", org.index), title=title, forms=forms, starts_on=on,
                ends_on=ends_on, order=planner.document(org, on, "programma"), personalized=personalized)
    return program


def plan_programs(planner: _Planner, org: _Org) -> None:
    year = org.start_year
    on = planner.day(date(year, 8, 24), date(year, 9, 4))
    learner_forms = [form for form, *_ in LEARNER_FORMS[org.kind]]
    adopt(planner, org, planner.rng.choice(PROGRAM_TITLES[org.kind]), learner_forms, on, teachers=False)
    teacher_form = "educator_educator" if org.kind == "college" else "teacher_teacher"
    adopt(planner, org, "Программа наставничества педагогов «Молодой специалист»", [teacher_form],
          on, teachers=True)
    if org.kind != "college":
        # The teachers' model (АЗ-1128/08 of 21.12.2021) adds «педагог – педагог» from 2022.
        adopt(planner, org, "Программа наставничества педагогических работников",
              ["educator_educator"], planner.day(date(2022, 8, 22), date(2022, 8, 31)),
              teachers=True)


# -- outputs and checklist ------------------------------------------------------------------


def plan_outputs(planner: _Planner, org: _Org) -> None:
    rng = planner.rng
    for _ in range(rng.randint(3, 7)):
        program = rng.choice(org.programs)
        earliest = max(program.starts_on + timedelta(days=45), date(2020, 10, 15))
        if earliest > LAST_DAY:
            continue
        produced = planner.day(earliest, LAST_DAY)
        kind = rng.choice(TEACHER_OUTPUT_KINDS if program.teachers else LEARNER_OUTPUT_KINDS)
        pairs = [p for p in org.pairs if p.program is program and p.start <= produced]
        pair = rng.choice(pairs) if pairs and rng.random() < 0.6 else None
        planner.outputs += 1
        planner.add(produced, P_OUTPUT, org, c.RecordProgramOutput,
                    program_id=Ref("program", program.index), kind=kind,
                    title=rng.choice(OUTPUT_TITLES[kind]), produced_on=produced,
                    evidence_link=f"https://{org.slug}.obr27.example/nastavnichestvo/produkty/{planner.outputs}",
                    pair_id=Ref("pair", pair.index) if pair else None)


def plan_checklist(planner: _Planner, org: _Org) -> None:
    year = org.start_year
    program_day = org.programs[0].starts_on
    dated = (
        ("curator_appointed", planner.day(date(year, 8, 17), date(year, 8, 21))),
        ("roadmap_adopted", planner.day(date(year, 9, 1), date(year, 9, 18))),
        ("regulation_adopted", planner.day(date(year, 9, 1), date(year, 9, 25))),
        ("programs_adopted", program_day),
        ("website_section", planner.day(date(year, 10, 1), date(year + 1, 2, 26))),
        ("mentors_trained", planner.day(date(year + 1, 3, 1), date(year + 1, 6, 30))),
        ("monitoring_held", planner.day(date(year + 1, 5, 20), date(year + 1, 6, 30))),
        ("data_submitted", planner.day(date(year + 1, 12, 1), date(year + 1, 12, 23))),
    )
    depth = CHECKLIST_DEPTH.get(org.index, len(dated))
    for item, on in dated[:depth]:
        if item == "website_section":
            document = {"link": f"https://{org.slug}.obr27.example/nastavnichestvo"}
        elif item == "mentors_trained":
            document = {"number": "Удостоверения ХК ИРО (сводный перечень)", "issued_on": on,
                        "link": f"https://{org.slug}.obr27.example/nastavnichestvo/obuchenie"}
        elif item == "monitoring_held":
            document = {**planner.document(org, on, "monitoring"), "number": f"Справка № {planner.documents}"}
        elif item == "data_submitted":
            document = {"number": f"Письмо № {planner.documents + 1}/01-12", "issued_on": on}
        else:
            document = planner.document(org, on, item)
        planner.add(on, P_CHECKLIST, org, c.CompleteChecklistItem, organization_id=Ref("org", org.index),
                    item=item, document=document, completed_on=on)
        if org.index == REOPENED_WEBSITE and item == "website_section":
            planner.add(date(2022, 3, 10), P_CHECKLIST, org, c.ReopenChecklistItem,
                        organization_id=Ref("org", org.index), item=item,
                        reason="Проверка ХК ИРО: в разделе нет дорожной карты и приказов о парах")
            fixed = date(2022, 4, 5)
            planner.add(fixed, P_CHECKLIST, org, c.CompleteChecklistItem,
                        organization_id=Ref("org", org.index), item=item,
                        document={"link": f"https://{org.slug}.obr27.example/nastavnichestvo",
                                  "issued_on": fixed},
                        completed_on=fixed)
