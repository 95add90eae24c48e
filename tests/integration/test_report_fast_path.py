"""The aggregated path equals a plain per-mentee computation, on both stores.

`load_facts(store, periods)` reads each period's figures as SQL aggregates (involved mentees
grouped by organization and attributes, counts per organization) and the engine sums
per-organization parts. The reference here is the computation as it was before: every pair
interval and every mentee tested one by one (`_reference_parts`, the old engine kept as the
oracle), and `figures_from_detail` over the per-person rows. The data: the demo region
(20 organizations, ~1,500 mentees, 2020–2022, corrections, closures) and the hand scenario.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.stores import STORES, fresh_registry
from support.world.indicators import build_scenario

from ops.demo import load_demo
from projections.aggregates import figures_from_detail
from projections.facts import Facts, Unit, load_facts
from projections.formats import render
from projections.indicators import INDICATORS, IndicatorEngine
from projections.periods import Period
from projections.projector import Projector
from projections.report import dynamics_report, ranked_report, report_units
from projections.store import open_view_store

PERIODS = [
    *(Period.calendar_year(y) for y in range(2019, 2024)),
    *(Period.school_year(y) for y in range(2019, 2023)),
    *(Period.day(d) for d in (date(2020, 1, 1), date(2020, 12, 31), date(2021, 1, 1), date(2021, 3, 1),
                              date(2021, 9, 1), date(2022, 6, 15), date(2022, 12, 31))),
]


@pytest.fixture(scope="module", params=STORES)
def region(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The demo region and the hand scenario (a second region) in one store, views caught up."""
    with fresh_registry(request.param, tmp_path_factory.mktemp("fast")) as registry:
        load_demo(registry)
        build_scenario(registry)
        store = open_view_store(registry)
        Projector(registry, store).catch_up()
        try:
            yield store, load_facts(store)
        finally:
            store.close()


def _reference_parts(facts: Facts, indicator: str, period: Period) -> dict[str, tuple[int, int | None]]:
    """The old engine: organization -> (numerator, denominator), mentee by mentee."""
    definition = INDICATORS[indicator]
    involved: dict[str, set[str]] = {}
    for interval in facts.intervals:
        if period.overlaps(interval.joined_on, interval.ended_on):
            mentee = facts.mentees.get(interval.mentee_id)
            org_id = mentee.organization_id if mentee else interval.organization_id
            involved.setdefault(org_id, set()).add(interval.mentee_id)
    parts = {}
    for org in facts.organizations.values():
        if not definition.applies_to(org) or not org.open_during(period.start, period.end):
            continue
        numerator = sum(1 for m in involved.get(org.id, ()) if definition.counts(facts.mentees[m], period))
        figures = facts.contingents.get((org.id, period.reporting_year)) or {}
        parts[org.id] = (numerator, figures.get(definition.denominator_field))
    return parts


def _reference_sums(facts: Facts, parts: dict[str, tuple[int, int | None]], unit: Unit) -> tuple[Any, ...]:
    """(numerator, denominator, organizations, missing, numerator without contingent) of a unit."""
    numerator, denominator, organizations, missing, without = 0, None, 0, [], 0
    for org in sorted(facts.organizations.values(), key=lambda o: (
            facts.municipalities[o.municipality_id].name if o.municipality_id in facts.municipalities else "",
            o.name, o.id)):
        if not facts.contains(unit, org) or org.id not in parts:
            continue
        organizations += 1
        part_numerator, part_denominator = parts[org.id]
        if part_denominator is None:
            missing.append(org.id)
            without += part_numerator
        else:
            numerator += part_numerator
            denominator = (denominator or 0) + part_denominator
    return numerator, denominator, organizations, tuple(missing), without


def test_sql_aggregates_equal_the_plain_derivation(region: Any) -> None:
    store, detailed = region
    fast = load_facts(store, PERIODS)
    assert fast.position == detailed.position and not fast.detailed and not fast.mentees
    for name in ("municipalities", "organizations", "contingents", "checklist", "targets", "reference",
                 "pair_forms"):
        assert getattr(fast, name) == getattr(detailed, name), name
    assert len(detailed.mentees) > 1000 and len(detailed.intervals) > 1000
    for period in PERIODS:
        assert fast.period(period).canonical() == figures_from_detail(detailed, period).canonical(), period.key


def test_engine_equals_the_per_mentee_reference(region: Any) -> None:
    store, detailed = region
    fast = load_facts(store, PERIODS)
    engine = IndicatorEngine(fast)
    units = report_units(fast, None)
    assert len(units) > 20
    compared = 0
    for period in PERIODS:
        for indicator in INDICATORS:
            parts = _reference_parts(detailed, indicator, period)
            assert engine.parts(indicator, period) == parts, (indicator, period.key)
            for unit in units:
                value = engine.value(indicator, unit, period)
                got = (value.numerator, value.denominator, value.organizations, value.organizations_missing,
                       value.numerator_without_contingent)
                assert got == _reference_sums(detailed, parts, unit), (indicator, unit, period.key)
                compared += value.numerator
    assert compared > 1000  # the demo region involves its pupils and young teachers


@pytest.mark.parametrize(("a", "b", "unit"), [
    ("2020", "2021", None), ("2021", "2022", None), ("2020/21", "2021/22", None),
    ("2021-03-01", "2022", None), ("2020", "2021", "first-municipality"),
])
def test_report_bytes_equal_the_detailed_report(region: Any, a: str, b: str, unit: str | None) -> None:
    store, detailed = region
    first, second = Period.parse(a), Period.parse(b)
    fast = load_facts(store, [first, second])
    scope = None if unit is None else fast.municipalities_of()[0]
    report = dynamics_report(fast, first, second, scope=scope)
    assert report == dynamics_report(detailed, first, second, scope=scope)
    assert render(report, "json") == render(dynamics_report(detailed, first, second, scope=scope), "json")
    assert any(row["b"]["numerator"] for row in report["indicators"][0]["rows"])


@pytest.mark.parametrize(("a", "b", "unit"), [
    ("2020", "2021", None), ("2020/21", "2021/22", None), ("2020", "2021", "municipality"),
    ("2021", "2022", "organization"),
])
def test_a_start_page_charts_the_reports_own_ranked_rows(region: Any, a: str, b: str, unit: str | None) -> None:
    from api.staff.report_pages import _charts

    store, _ = region
    first, second = Period.parse(a), Period.parse(b)
    facts = load_facts(store, [first, second])
    scope = None
    if unit == "municipality":
        scope = facts.municipalities_of()[0]
    elif unit == "organization":
        scope = facts.unit_of(facts.organizations_of(facts.municipalities_of()[0])[0])
    full = dynamics_report(facts, first, second, scope=scope)
    ranked = ranked_report(facts, first, second, scope=scope)
    kind = full["ranked_unit_kind"]
    assert ranked["ranked_unit_kind"] == kind
    assert [i["id"] for i in ranked["indicators"]] == [i["id"] for i in full["indicators"]]
    for mine, theirs in zip(ranked["indicators"], full["indicators"], strict=True):
        assert mine["rows"] == [row for row in theirs["rows"] if row["unit_kind"] == kind]
        assert mine["ranking"] == theirs["ranking"]
    assert any(row["rank"] for i in ranked["indicators"] for row in i["rows"])
    assert _charts(ranked) == _charts(full)


def test_a_period_not_read_is_refused(region: Any) -> None:
    store, _ = region
    fast = load_facts(store, [Period.calendar_year(2021)])
    with pytest.raises(LookupError):
        fast.period(Period.calendar_year(2020))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(date(2019, 6, 1), date(2023, 3, 1)), days=st.integers(0, 800))
def test_any_period_sql_equals_the_derivation(region: Any, start: date, days: int) -> None:
    store, detailed = region
    day, span = Period.day(start), Period.day(start + timedelta(days=days))
    # An arbitrary span: a period from one day to another, its reference date the last day.
    arbitrary = Period("day", start, span.end, span.end, f"{start}..{span.end}", "span")
    fast = load_facts(store, [day, arbitrary])
    for period in (day, arbitrary):
        assert fast.period(period).canonical() == figures_from_detail(detailed, period).canonical()
        engine = IndicatorEngine(fast)
        for indicator in INDICATORS:
            assert engine.parts(indicator, period) == _reference_parts(detailed, indicator, period)
