"""The views as the production read queries give them, for tests that read a view store directly:
whole lists of the whole region (`projections.*_reads` with `WHOLE_REGION` and no page limit),
the public entries of the staff views (`mentor_reads.public_entry`), one indicator, and the
involvement facts the indicators count. Nothing here has SQL of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from projections.facts import load_facts
from projections.indicators import IndicatorEngine, IndicatorValue
from projections.mentor_reads import MentorFilter, mentor_page, mentor_rows, public_entry, with_trainings
from projections.mentoring_reads import PairFilter, mentee_page, pair_page, program_page
from projections.periods import Period
from projections.read_sql import WHOLE_REGION
from projections.store import Tx, ViewStore
from projections.unit_reads import OrganizationFilter, organization_page

T = TypeVar("T")


def at_position(store: ViewStore, build: Callable[[Tx], T]) -> tuple[int, T]:
    """(the views' log position, what `build` reads) in one read transaction, as the API reads."""
    with store.transaction(write=False) as tx:
        return store.read_position(tx), build(tx)


def _read(store: ViewStore, build: Callable[[Tx], T]) -> T:
    return at_position(store, build)[1]


def mentors(store: ViewStore, status: str | None = None) -> list[dict[str, Any]]:
    """Every mentor in full (with trainings), by name."""
    return _read(store, lambda tx: mentor_page(tx, WHOLE_REGION, MentorFilter(status=status), None)[1])


def public_entries(tx: Tx) -> list[dict[str, Any]]:
    """What the staff views say the public page shows: each active mentor's consented fields (and
    trainings: course, provider, date), by name; without the staff list's `visibility`/`status`."""
    rows = mentor_rows(tx, " WHERE m.status = %s", ["active"], " ORDER BY m.full_name, m.id")
    entries = with_trainings(tx, [entry for row in rows if (entry := public_entry(row)) is not None])
    return [{k: v for k, v in entry.items() if k not in ("visibility", "status")} for entry in entries]


def public_mentors(store: ViewStore) -> list[dict[str, Any]]:
    """`public_entries` of the store's views."""
    return _read(store, public_entries)


def organizations(store: ViewStore) -> list[dict[str, Any]]:
    """Every organization with its contingents and checklist, by municipality and name."""
    return _read(store, lambda tx: organization_page(tx, WHOLE_REGION, OrganizationFilter(), None)[1])


def pairs(store: ViewStore, organization_id: Any = None) -> list[dict[str, Any]]:
    """Every pair (of an organization) with its mentees' intervals, by start."""
    chosen = PairFilter(organization_id=None if organization_id is None else str(organization_id))
    return _read(store, lambda tx: pair_page(tx, WHOLE_REGION, chosen, None)[1])


def mentees(store: ViewStore, organization_id: Any = None) -> list[dict[str, Any]]:
    """Every mentee (of an organization), by name."""
    org = None if organization_id is None else str(organization_id)
    return _read(store, lambda tx: mentee_page(tx, WHOLE_REGION, organization_id=org, limit=None)[1])


def programs(store: ViewStore, organization_id: Any = None) -> list[dict[str, Any]]:
    """Every program (of an organization) with its outputs."""
    org = None if organization_id is None else str(organization_id)
    return _read(store, lambda tx: program_page(tx, WHOLE_REGION, organization_id=org, limit=None)[1])


def indicator(store: ViewStore, name: str, unit: str, period: Period) -> IndicatorValue:
    """One indicator of one unit for one period (the value carries its log position)."""
    facts = load_facts(store, [period])
    return IndicatorEngine(facts).value(name, facts.find_unit(unit), period)


def involvement(store: ViewStore, period: Period, organization_id: Any = None) -> list[dict[str, Any]]:
    """The indicators' facts: per involved mentee, category, age on the reference date, whether a
    young teacher, and their intervals in pairs overlapping the period."""
    facts = load_facts(store)
    involved = facts.involved_in(period)
    by_mentee: dict[str, list[Any]] = {}
    for interval in facts.intervals:
        if period.overlaps(interval.joined_on, interval.ended_on):
            by_mentee.setdefault(interval.mentee_id, []).append(interval)
    items = []
    for org_id in sorted(involved):
        if organization_id is not None and org_id != str(organization_id):
            continue
        for mentee_id in sorted(involved[org_id]):
            mentee = facts.mentees[mentee_id]
            items.append({
                "mentee_id": mentee_id,
                "organization_id": org_id,
                "category": mentee.category,
                "age": period.age(mentee.birth_year),
                "young_teacher": period.is_young_teacher(mentee.work_started_on),
                "intervals": [
                    {"pair_id": i.pair_id, "form": i.form, "joined_on": i.joined_on.isoformat(),
                     "ended_on": i.ended_on.isoformat() if i.ended_on else None}
                    for i in by_mentee.get(mentee_id, [])
                ],
            })
    return items
