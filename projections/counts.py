"""The counts beside the indicators: mentors, training, pairs by form, programs, outputs, checklist.

Each count is taken per organization for a period and summed over a unit's organizations
(every counted thing belongs to exactly one organization, so sums are exact):
- mentors in the registry: status «в реестре» on the period's last day (effective dates);
- trained mentors: of those, with a training completed by the period's last day;
- pairs (groups) active on some day of the period, by form of mentoring;
- mentees involved (any category): with a pair active on some day of the period;
- programs in force on some day of the period; outputs produced within the period;
- checklist: organizations (open in the period) with each item done by the period's last day,
  and with every item of the region's checklist done.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from projections.facts import Facts, Unit
from projections.indicators import IndicatorEngine, _num, percent
from projections.periods import Period

ADDITIVE = ("organizations", "mentors_in_registry", "mentors_trained", "pairs_active",
            "mentees_involved", "programs", "outputs", "checklist_complete")


def checklist_items(facts: Facts) -> list[tuple[str, str]]:
    """(code, title) of the checklist: the region's list in order, then codes used but unlisted."""
    entries = facts.reference.get("checklist_item", [])
    listed = [(code, title) for code, title, retired in entries if not retired]
    known = {code for code, _ in listed}
    used = sorted({item for items in facts.checklist.values() for item in items} - known)
    return listed + [(code, code) for code in used]


def forms(facts: Facts) -> list[tuple[str, str]]:
    """(code, title) of the forms of mentoring: the region's list in order, then unlisted codes."""
    listed = [(code, title) for code, title, _ in facts.reference.get("mentoring_form", [])]
    known = {code for code, _ in listed}
    used = sorted(facts.pair_forms - known)
    return listed + [(code, code) for code in used]


class Counts:
    """Per-organization counts per period, summed for any unit."""

    def __init__(self, facts: Facts, engine: IndicatorEngine | None = None):
        self.facts = facts
        self.engine = engine or IndicatorEngine(facts)
        self._per_org: dict[Period, dict[str, dict[str, Any]]] = {}
        self.items = checklist_items(facts)
        self.forms = forms(facts)

    def _organizations(self, period: Period) -> dict[str, dict[str, Any]]:
        if period in self._per_org:
            return self._per_org[period]
        facts = self.facts
        figures = facts.period(period)
        out: dict[str, dict[str, Any]] = {}
        for org in facts.organizations.values():
            by_form = figures.pairs_by_form.get(org.id) or Counter()
            out[org.id] = {
                "organizations": 1 if org.open_during(period.start, period.end) else 0,
                "mentors_in_registry": figures.mentors_in_registry.get(org.id, 0),
                "mentors_trained": figures.mentors_trained.get(org.id, 0),
                "pairs_active": sum(by_form.values()),
                "mentees_involved": figures.mentees_involved.get(org.id, 0),
                "programs": figures.programs.get(org.id, 0),
                "outputs": figures.outputs.get(org.id, 0),
                "checklist_complete": 0,
                "pairs_by_form": by_form,
                "checklist": Counter(),
            }
        codes = [code for code, _ in self.items]
        for org_id, done in facts.checklist.items():
            row = out.get(org_id)
            if row is None or not row["organizations"]:
                continue
            done_by_end = {item for item, day in done.items() if day <= period.end}
            for item in done_by_end:
                row["checklist"][item] += 1
            if codes and all(code in done_by_end for code in codes):
                row["checklist_complete"] += 1
        self._per_org[period] = out
        return out

    def of(self, unit: Unit, period: Period) -> dict[str, Any]:
        """The counts of a unit in a period, JSON-ready (lists in the region's order)."""
        per_org = self._organizations(period)
        total: dict[str, Any] = {name: 0 for name in ADDITIVE}
        by_form: Counter[str] = Counter()
        checklist: Counter[str] = Counter()
        for org in self.facts.organizations_of(unit):
            row = per_org[org.id]
            for name in ADDITIVE:
                total[name] += row[name]
            by_form.update(row["pairs_by_form"])
            checklist.update(row["checklist"])
        return {
            "organizations": total["organizations"],
            "mentors_in_registry": total["mentors_in_registry"],
            "mentors_trained": total["mentors_trained"],
            "trained_share": _num(percent(total["mentors_trained"], total["mentors_in_registry"])),
            "mentees_involved": total["mentees_involved"],
            "pairs_active": total["pairs_active"],
            "pairs_by_form": [
                {"form": code, "title": title, "count": by_form.get(code, 0)}
                for code, title in self.forms
            ],
            "programs": total["programs"],
            "outputs": total["outputs"],
            "checklist": [
                {"item": code, "title": title, "done": checklist.get(code, 0)}
                for code, title in self.items
            ],
            "checklist_complete": total["checklist_complete"],
        }
