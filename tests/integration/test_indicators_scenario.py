"""The hand-computed scenario (see tests/support/world/indicators.py): exact indicator values on both stores.

Calendar year Y: reference date 31 Dec Y, ages = Y − birth year, contingent/target of year Y.
School year Y/Y+1: reference date 1 Sep Y (ages Y − birth year), contingent/target of year Y.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from support.stores import STORES, fresh_registry
from support.world.indicators import build_scenario
from support import view_reads

from projections.facts import load_facts
from projections.indicators import IndicatorEngine
from projections.periods import Period
from projections.projector import Projector
from projections.report import dynamics_report
from projections.store import open_view_store

Y2020, Y2021 = Period.calendar_year(2020), Period.calendar_year(2021)
SY2020, SY2021 = Period.school_year(2020), Period.school_year(2021)

# (indicator, unit key, period) -> (numerator, denominator, share %)
EXPECTED = {
    # calendar 2020: S1 p1(10) p3(14) in 10–19, p2(9) out; t1 2y10m young. S2 q1(15), t3.
    ("pupils_10_19", "S1", Y2020): (2, 10, "20.00"),
    ("pupils_15_19", "S1", Y2020): (0, 4, "0.00"),
    ("young_teachers", "S1", Y2020): (1, 2, "50.00"),
    ("pupils_10_19", "S2", Y2020): (1, 8, "12.50"),
    ("pupils_15_19", "S2", Y2020): (1, 4, "25.00"),
    ("young_teachers", "S2", Y2020): (1, 1, "100.00"),
    ("pupils_10_19", "region", Y2020): (3, 18, "16.67"),  # not (20 + 12.5) / 2 = 16.25
    ("pupils_15_19", "region", Y2020): (1, 8, "12.50"),
    ("young_teachers", "region", Y2020): (2, 3, "66.67"),
    # calendar 2021: S1 p2(10) p3(15) in, p4(20) out; t1 3y9m out, t2 in. S2 q2(12), t3 (1 Jan).
    ("pupils_10_19", "S1", Y2021): (2, 12, "16.67"),
    ("pupils_15_19", "S1", Y2021): (1, 5, "20.00"),
    ("young_teachers", "S1", Y2021): (1, 2, "50.00"),
    ("pupils_10_19", "S2", Y2021): (1, 10, "10.00"),
    ("pupils_15_19", "S2", Y2021): (0, 5, "0.00"),
    ("young_teachers", "S2", Y2021): (1, 1, "100.00"),
    ("pupils_10_19", "region", Y2021): (3, 22, "13.64"),
    ("pupils_15_19", "region", Y2021): (1, 10, "10.00"),
    ("young_teachers", "region", Y2021): (2, 3, "66.67"),
    # school year 2020/21 (1 Sep 2020 – 31 Aug 2021, ages on 1 Sep 2020 = 2020 − birth year)
    ("pupils_10_19", "S1", SY2020): (3, 10, "30.00"),  # p1, p3, p4 (19); p2 is 9
    ("pupils_15_19", "S1", SY2020): (1, 4, "25.00"),  # p4
    ("young_teachers", "S1", SY2020): (1, 2, "50.00"),  # t1: 2y6m on 1 Sep 2020
    ("pupils_10_19", "S2", SY2020): (0, 8, "0.00"),  # P6 ended 15 Jan 2020, P7 starts 31 Dec 2021
    ("young_teachers", "S2", SY2020): (1, 1, "100.00"),
    ("pupils_10_19", "region", SY2020): (3, 18, "16.67"),
    ("young_teachers", "region", SY2020): (2, 3, "66.67"),
    # school year 2021/22 (ages on 1 Sep 2021 = 2021 − birth year, contingent 2021)
    ("pupils_10_19", "S1", SY2021): (2, 12, "16.67"),  # p2 (10), p3 (15)
    ("pupils_15_19", "S1", SY2021): (1, 5, "20.00"),
    ("young_teachers", "S1", SY2021): (1, 2, "50.00"),  # t2 exactly 1 year
    ("pupils_10_19", "S2", SY2021): (1, 10, "10.00"),  # q2 on 31 Dec 2021
    ("young_teachers", "S2", SY2021): (0, 1, "0.00"),  # P8 ended 1 Jan 2021
    ("pupils_10_19", "region", SY2021): (3, 22, "13.64"),
    ("pupils_15_19", "region", SY2021): (1, 10, "10.00"),
    ("young_teachers", "region", SY2021): (1, 3, "33.33"),
}


@pytest.fixture(scope="module", params=STORES)
def built(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    with fresh_registry(request.param, tmp_path_factory.mktemp("scenario")) as registry:
        store = open_view_store(registry)
        projector = Projector(registry, store)
        ids = build_scenario(registry, after=projector.catch_up)  # reads its own writes each time
        yield registry, store, ids


@pytest.fixture(params=["aggregated", "detailed"])
def scenario(request, built):  # type: ignore[no-untyped-def]
    """The facts as the report reads them (SQL aggregates of the periods), and per person."""
    registry, store, ids = built
    facts = load_facts(store, [Y2020, Y2021, SY2020, SY2021]) if request.param == "aggregated" else load_facts(store)
    return registry, store, ids, facts


def _unit(facts, ids, key):  # type: ignore[no-untyped-def]
    if key == "region":
        return facts.find_unit("region:Край")
    return facts.find_unit(f"organization:{ids[key]}")


def test_exact_values_calendar_and_school_year(scenario) -> None:  # type: ignore[no-untyped-def]
    registry, _, ids, facts = scenario
    assert facts.position == registry.position()
    engine = IndicatorEngine(facts)
    for (indicator, key, period), (numerator, denominator, share) in EXPECTED.items():
        value = engine.value(indicator, _unit(facts, ids, key), period)
        assert (value.numerator, value.denominator, value.share) == (
            numerator,
            denominator,
            Decimal(share),
        ), (indicator, key, period.key)
        assert value.status == "ok"
        assert value.position == registry.position()


def test_municipality_sums_its_organizations(scenario) -> None:  # type: ignore[no-untyped-def]
    _, _, ids, facts = scenario
    engine = IndicatorEngine(facts)
    municipality = facts.find_unit(f"municipality:{ids['M1']}")
    value = engine.value("pupils_10_19", municipality, Y2021)
    assert (value.numerator, value.denominator, value.share) == (2, 12, Decimal("16.67"))


def test_targets_inherit_and_achieved(scenario) -> None:  # type: ignore[no-untyped-def]
    _, _, ids, facts = scenario
    engine = IndicatorEngine(facts)
    region = engine.value("pupils_10_19", _unit(facts, ids, "region"), Y2021)
    assert (region.target, region.target_source, region.achieved) == (Decimal(15), "region", False)
    s1 = engine.value("pupils_10_19", _unit(facts, ids, "S1"), Y2021)  # from its municipality
    assert (s1.target, s1.target_source, s1.achieved) == (Decimal(16), "municipality", True)
    s2 = engine.value("pupils_10_19", _unit(facts, ids, "S2"), Y2021)  # from the region
    assert (s2.target, s2.target_source, s2.achieved) == (Decimal(15), "region", False)
    school = engine.value("pupils_10_19", _unit(facts, ids, "region"), SY2021)  # reporting year 2021
    assert school.target == Decimal(15)
    young = engine.value("young_teachers", _unit(facts, ids, "region"), Y2020)
    assert (young.target, young.achieved) == (Decimal(50), True)
    assert engine.value("pupils_15_19", _unit(facts, ids, "region"), Y2021).target is None


def test_report_deltas_ranking_and_counts(scenario) -> None:  # type: ignore[no-untyped-def]
    registry, _, _, facts = scenario
    report = dynamics_report(facts, Y2020, Y2021)
    assert report["position"] == registry.position()
    by_id = {i["id"]: i for i in report["indicators"]}
    rows = {(r["unit_kind"], r["unit_name"]): r for r in by_id["pupils_10_19"]["rows"]}
    region = rows[("region", "Край")]
    assert (region["a"]["share"], region["b"]["share"], region["change_pp"]) == (16.67, 13.64, -3.03)
    assert region["declined"] is True and region["missing_data"] is False
    assert rows[("organization", "Школа № 1")]["change_pp"] == -3.33
    assert rows[("municipality", "Южный район")]["change_pp"] == -2.5
    p15 = {(r["unit_kind"], r["unit_name"]): r for r in by_id["pupils_15_19"]["rows"]}
    assert p15[("organization", "Школа № 1")]["change_pp"] == 20
    assert p15[("organization", "Школа № 1")]["declined"] is False
    assert p15[("organization", "Школа № 2")]["change_pp"] == -25
    young = {(r["unit_kind"], r["unit_name"]): r for r in by_id["young_teachers"]["rows"]}
    assert young[("region", "Край")]["change_pp"] == 0
    assert young[("region", "Край")]["declined"] is False
    ranking = by_id["pupils_10_19"]["ranking"]
    assert [(e["rank"], e["unit_name"], e["share"]) for e in ranking] == [
        (1, "Северный район", 16.67),
        (2, "Южный район", 10),
    ]
    # extra_ed: no organization of kind `extra`: not applicable, never 0 %
    extra_region = by_id["extra_ed"]["rows"][0]
    assert extra_region["b"]["status"] == "not_applicable" and extra_region["b"]["share"] is None

    counts = {(c["unit_kind"], c["unit_name"]): c for c in report["counts"]}["region", "Край"]
    a, b = counts["a"], counts["b"]
    assert (a["mentors_in_registry"], a["mentors_trained"], a["trained_share"]) == (3, 2, 66.67)
    assert (b["mentors_in_registry"], b["mentors_trained"], b["trained_share"]) == (3, 2, 66.67)
    assert (a["pairs_active"], b["pairs_active"]) == (5, 6)
    forms_a = {f["form"]: f["count"] for f in a["pairs_by_form"]}
    forms_b = {f["form"]: f["count"] for f in b["pairs_by_form"]}
    assert (forms_a["pupil_pupil"], forms_a["teacher_teacher"]) == (3, 2)
    assert (forms_b["pupil_pupil"], forms_b["teacher_teacher"]) == (3, 3)
    assert (a["mentees_involved"], b["mentees_involved"]) == (6, 7)
    assert (a["programs"], b["programs"], a["outputs"], b["outputs"]) == (1, 1, 1, 1)
    checklist_a = {i["item"]: i["done"] for i in a["checklist"]}
    checklist_b = {i["item"]: i["done"] for i in b["checklist"]}
    assert (checklist_a["curator_appointed"], checklist_a["roadmap_adopted"]) == (1, 0)
    assert (checklist_b["curator_appointed"], checklist_b["roadmap_adopted"]) == (1, 1)


def test_school_year_report_deltas(scenario) -> None:  # type: ignore[no-untyped-def]
    _, _, _, facts = scenario
    report = dynamics_report(facts, SY2020, SY2021)
    young = next(i for i in report["indicators"] if i["id"] == "young_teachers")
    region = young["rows"][0]
    assert region["unit_kind"] == "region"
    # the difference of the shown (rounded) shares: 33.33 − 66.67
    assert (region["a"]["share"], region["b"]["share"], region["change_pp"]) == (66.67, 33.33, -33.34)
    assert report["periods"]["a"]["reference_date"] == "2020-09-01"
    assert report["periods"]["b"]["key"] == "2021/22"


def test_queries_state_position_and_hide_what_is_not_consented(scenario) -> None:  # type: ignore[no-untyped-def]
    registry, store, ids, _ = scenario
    position, public = view_reads.at_position(store, view_reads.public_entries)
    assert position == registry.position()
    assert public == [
        {"id": str(ids["A"]), "full_name": "Андреева Анна", "organization": "Школа № 1",
         "forms": ["pupil_pupil"]}
    ]
    staff = view_reads.mentors(store, status="active")
    assert sorted(m["full_name"] for m in staff) == ["Андреева Анна", "Борисов Борис", "Васильева Вера"]
    assert staff[0]["trainings"][0]["provider"] == "ХК ИРО"
    orgs = view_reads.organizations(store)
    assert {c["year"]: c["students_10_19"] for c in orgs[0]["contingents"]}[2021] == 12
    assert [i["item"] for i in orgs[0]["checklist"] if i["done"]] == ["curator_appointed", "roadmap_adopted"]
    pairs = view_reads.pairs(store, organization_id=ids["S1"])
    p1 = next(p for p in pairs if p["id"] == str(ids["P1"]))
    assert p1["mentees"] == [{"mentee_id": str(ids["p1"]), "joined_on": "2020-02-01", "ended_on": "2020-12-31"}]
    programs = view_reads.programs(store, organization_id=ids["S1"])
    assert [o["output_id"] for o in programs[0]["outputs"]] == ["out-1"]
    involvement = view_reads.involvement(store, Y2021, organization_id=ids["S2"])
    assert {(i["mentee_id"], i["age"]) for i in involvement} == {
        (str(ids["q2"]), 12), (str(ids["t3"]), None)
    }
    value = view_reads.indicator(store, "pupils_15_19", "region", Y2021)
    assert (value.numerator, value.denominator, value.position) == (1, 10, registry.position())
