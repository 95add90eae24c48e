"""The dynamics report (аналитическая справка): two periods side by side, per indicator and unit.

`dynamics_report(facts, ...)` returns one JSON-ready dict — the single source every format
renders — built only from the facts snapshot, in a stable order, with no clock in it: the same
log position always gives the same report, byte for byte, in every format.

A change between the periods compares like with like (`change_basis` "comparable"): a unit's
change in points, and its decline flag, are taken over only the organizations with a contingent
in both periods, and the row says how many of how many («сравнение по 1 организации из 2»); with
none comparable the change is blank with the reason. Reports made before that rule (basis "all",
no `change_basis` key in the dict) compared the units' whole shares; a manifest of such a report
still reproduces it byte for byte.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from projections.counts import Counts
from projections.facts import MUNICIPALITY, ORGANIZATION, REGION, Facts, Unit
from projections.feedback import feedback_section
from projections.indicators import (
    INDICATORS,
    STATUS_RU,
    IndicatorDefinition,
    IndicatorEngine,
    _num,
    percent,
)
from projections.periods import REFERENCE_DATE_RULE_RU, Period

TITLE_RU = "Аналитическая справка о динамике показателей внедрения целевой модели наставничества"
UNIT_KIND_RU = {REGION: "регион", MUNICIPALITY: "муниципалитет", ORGANIZATION: "организация"}

COMPARABLE = "comparable"
ALL_UNITS = "all"  # the basis of reports made before comparable changes
CHANGE_BASES = (COMPARABLE, ALL_UNITS)
NONE_COMPARABLE_RU = "нет организаций с контингентом за оба периода: изменение не рассчитано"


def comparison_note(comparable: int, applicable: int) -> str | None:
    """«сравнение по 3 организациям из 4» when only some organizations are comparable."""
    if applicable == 0 or comparable == applicable:
        return None
    if comparable == 0:
        return NONE_COMPARABLE_RU
    noun = "организации" if comparable % 10 == 1 and comparable % 100 != 11 else "организациям"
    return f"сравнение по {comparable} {noun} из {applicable}"


def comparable_change(
    engine: IndicatorEngine, indicator: str, unit: Unit, a: Period, b: Period
) -> dict[str, Any]:
    """The unit's change over the organizations with a contingent in both periods only."""
    parts_a, parts_b = engine.parts(indicator, a), engine.parts(indicator, b)
    applicable = [o.id for o in engine.facts.organizations_of(unit) if o.id in parts_a or o.id in parts_b]
    both = [
        org for org in applicable
        if parts_a.get(org, (0, None))[1] is not None and parts_b.get(org, (0, None))[1] is not None
    ]
    shares = []
    for parts in (parts_a, parts_b):
        numerator = sum(parts[org][0] for org in both)
        denominator = sum(parts[org][1] or 0 for org in both)
        shares.append(percent(numerator, denominator) if both else None)
    change = None if None in shares else shares[1] - shares[0]
    return {
        "organizations": len(both),
        "of": len(applicable),
        "a_share": _num(shares[0]),
        "b_share": _num(shares[1]),
        "change": change,
        "note": comparison_note(len(both), len(applicable)),
    }


def report_units(facts: Facts, scope: Unit | None) -> list[Unit]:
    """Rows of the report: each region, its municipalities, their organizations (stable order)."""
    if scope is not None and scope.kind == ORGANIZATION:
        return [scope]
    if scope is not None and scope.kind == MUNICIPALITY:
        return [scope] + [facts.unit_of(o) for o in facts.organizations_of(scope)]
    regions = facts.regions() if scope is None else [scope]
    units: list[Unit] = []
    for region in regions:
        units.append(region)
        units.extend(facts.municipalities_of(region.id))
        units.extend(facts.unit_of(o) for o in facts.organizations_of(region))
    return units


def _rank(rows: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """Competition ranking ("1, 1, 3") of the units of one kind by their share in period b."""
    ranked = [r for r in rows if r["unit_kind"] == kind and r["b"]["share"] is not None]
    ranked.sort(key=lambda r: (-r["b"]["share"], r["unit_name"], r["unit_id"]))
    out = []
    previous: float | None = None
    rank = 0
    for index, row in enumerate(ranked, start=1):
        if row["b"]["share"] != previous:
            rank, previous = index, row["b"]["share"]
        row["rank"] = rank
        out.append(
            {
                "rank": rank,
                "unit_id": row["unit_id"],
                "unit_name": row["unit_name"],
                "share": row["b"]["share"],
                "change_pp": row["change_pp"],
                "target": row["b"]["target"],
            }
        )
    return out


def _indicator(
    engine: IndicatorEngine,
    definition: IndicatorDefinition,
    units: list[Unit],
    a: Period,
    b: Period,
    ranked_kind: str,
    change_basis: str = COMPARABLE,
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for unit in units:
        value_a = engine.value(definition.id, unit, a)
        value_b = engine.value(definition.id, unit, b)
        if unit.kind == ORGANIZATION and not (value_a.organizations or value_b.organizations):
            continue  # the indicator does not apply to this organization in either period
        change = None
        comparable = None
        if change_basis == COMPARABLE:
            comparable = comparable_change(engine, definition.id, unit, a, b)
            change = comparable.pop("change")
        elif value_a.share is not None and value_b.share is not None:
            change = value_b.share - value_a.share
        row = {
            "unit_kind": unit.kind,
            "unit_id": unit.id,
            "unit_name": unit.name,
            "municipality_id": unit.municipality_id if unit.kind == ORGANIZATION else None,
            "rank": None,
            "a": value_a.to_dict(),
            "b": value_b.to_dict(),
            "change_pp": _num(change),
            "declined": change is not None and change < Decimal(0),
            "missing_data": value_a.missing_data or value_b.missing_data,
        }
        if comparable is not None:
            row["comparable"] = comparable
        rows.append(row)
    ranking = _rank(rows, ranked_kind)
    return {
        "id": definition.id,
        "title": definition.title,
        "short_title": definition.short_title,
        "numerator": definition.numerator,
        "denominator": definition.denominator,
        "target_2024": _num(definition.target_2024),
        "rows": rows,
        "ranking": ranking,
    }


def dynamics_report(
    facts: Facts,
    a: Period,
    b: Period,
    *,
    scope: Unit | None = None,
    indicators: list[str] | None = None,
    change_basis: str = COMPARABLE,
) -> dict[str, Any]:
    """The report of periods `a` (earlier) and `b` (later) for a scope (None: every region).

    `change_basis`: "comparable" (organizations with data in both periods) or, to reproduce a
    report made before that rule, "all"."""
    engine = IndicatorEngine(facts)
    counts = Counts(facts, engine)
    units = report_units(facts, scope)
    ranked_kind = ranked_unit_kind(scope)
    municipality_names = {m.id: m.name for m in facts.municipalities.values()}
    chosen = [INDICATORS[i] for i in (indicators or list(INDICATORS))]
    report = {
        "report": "dynamics",
        "title": TITLE_RU,
        "position": facts.position,
        "scope": None
        if scope is None
        else {"kind": scope.kind, "id": scope.id, "name": scope.name},
        "periods": {"a": a.to_dict(), "b": b.to_dict()},
        "reference_date_rule": REFERENCE_DATE_RULE_RU,
        "ranked_unit_kind": ranked_kind,
        "statuses": dict(STATUS_RU),
        "municipalities": {k: municipality_names[k] for k in sorted(municipality_names)},
        "indicators": [_indicator(engine, d, units, a, b, ranked_kind, change_basis) for d in chosen],
        "counts": [row for row in (_counts_row(counts, unit, a, b) for unit in units) if row],
    }
    if change_basis == COMPARABLE:
        report["change_basis"] = COMPARABLE
    if facts.feedback:  # absent without questionnaires: earlier reports stay byte for byte
        report["feedback"] = feedback_section(facts.feedback, units, facts.organizations_of, a, b)
    return report


def ranked_unit_kind(scope: Unit | None) -> str:
    """The units a report ranks: a region's municipalities, a municipality's organizations."""
    return ORGANIZATION if scope is not None and scope.kind != REGION else MUNICIPALITY


def ranked_report(facts: Facts, a: Period, b: Period, *, scope: Unit | None = None) -> dict[str, Any]:
    """The part of `dynamics_report` its charts draw: each indicator's rows of the ranked units
    only (the same rows, ranked the same), without the scope's other units and the counts — a
    region's start page need not compute its every organization."""
    engine = IndicatorEngine(facts)
    kind = ranked_unit_kind(scope)
    units = [unit for unit in report_units(facts, scope) if unit.kind == kind]
    return {
        "periods": {"a": a.to_dict(), "b": b.to_dict()},
        "ranked_unit_kind": kind,
        "indicators": [_indicator(engine, d, units, a, b, kind) for d in INDICATORS.values()],
    }


def _counts_row(counts: Counts, unit: Unit, a: Period, b: Period) -> dict[str, Any] | None:
    """A unit's counts in both periods; None for an organization open in neither."""
    count_a, count_b = counts.of(unit, a), counts.of(unit, b)
    if unit.kind == ORGANIZATION and not (count_a["organizations"] or count_b["organizations"]):
        return None
    return {"unit_kind": unit.kind, "unit_id": unit.id, "unit_name": unit.name, "a": count_a, "b": count_b}
