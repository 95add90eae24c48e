"""Per-organization figures of a period, read as aggregates by SQL (or derived from detail rows).

The indicator predicates (`IndicatorDefinition.counts`) read only a mentee's category, birth year
and date work started, and the period; so the involved mentees of a period are read grouped by
(organization, those attributes) with a count — a few thousand rows instead of every mentee and
pair interval — and the rules stay in one place, in Python. The counts beside the indicators are
sums per organization too. `read_figures` reads them for several periods in one pass of each
table, inside the caller's read transaction (the snapshot the position is read in).

`figures_from_detail` derives the same figures from per-person rows: the meaning of each SQL
aggregate written out plainly (tests compare the two on both stores).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from projections.periods import Period


@dataclass(frozen=True)
class MenteeAttributes:
    """What the indicator predicates read of a mentee (None category: a mentee not in the views)."""

    category: str | None
    birth_year: int | None
    work_started_on: date | None


@dataclass
class PeriodFigures:
    """One period's figures per organization id (absent: zero)."""

    #: (organization, attributes, mentees): involved mentees (a pair active on some day of it).
    involved: list[tuple[str, MenteeAttributes, int]] = field(default_factory=list)
    mentees_involved: dict[str, int] = field(default_factory=dict)
    mentors_in_registry: dict[str, int] = field(default_factory=dict)
    mentors_trained: dict[str, int] = field(default_factory=dict)
    pairs_by_form: dict[str, Counter[str]] = field(default_factory=dict)
    programs: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, int] = field(default_factory=dict)

    def canonical(self) -> dict[str, Any]:
        """Order-free and zero-free: what two derivations of the same figures compare on."""
        involved: Counter[tuple[str, MenteeAttributes]] = Counter()
        for org_id, attributes, mentees in self.involved:
            involved[(org_id, attributes)] += mentees
        return {
            "involved": {k: v for k, v in involved.items() if v},
            "pairs_by_form": {(o, f): n for o, forms in self.pairs_by_form.items() for f, n in forms.items() if n},
            **{name: {k: v for k, v in getattr(self, name).items() if v}
               for name in ("mentees_involved", "mentors_in_registry", "mentors_trained", "programs", "outputs")},
        }


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _overlap(first: str, last: str) -> str:
    """SQL: the interval [first, last] (last NULL: still going) shares a day with [%s, %s] (end, start).

    Dates are ISO text (YYYY-MM-DD), so text order is date order."""
    return f"({first} <= %s AND ({last} IS NULL OR {last} >= %s))"


def _overlap_columns(first: str, last: str, periods: Sequence[Period], fn: str) -> tuple[str, list[str]]:
    columns = ", ".join(f"{fn}(CASE WHEN {_overlap(first, last)} THEN 1 ELSE 0 END)" for _ in periods)
    params = [value for p in periods for value in (p.end.isoformat(), p.start.isoformat())]
    return columns, params


def read_figures(tx: Any, periods: Sequence[Period]) -> tuple[dict[Period, PeriodFigures], frozenset[str]]:
    """Each period's figures, and every form of mentoring some pair has, in transaction `tx`."""
    out, forms = read_figures_of(tx, periods)
    return out, frozenset(form for found in forms.values() for form in found)


def read_figures_of(
    tx: Any, periods: Sequence[Period], organizations: Sequence[str] | None = None
) -> tuple[dict[Period, PeriodFigures], dict[str, set[str]]]:
    """Each period's figures of `organizations` (None: all), and the forms of mentoring each
    organization's pairs have, in any period, in transaction `tx`."""
    periods = list(dict.fromkeys(periods))
    only = _Only(organizations)
    out = {period: PeriodFigures() for period in periods}
    if tx.dialect == "postgres":
        # These aggregates cost more than jit_above_cost by the planner's guess: compiling them
        # takes seconds, running them a fraction of one. The grouping sorts fit in 64 MB.
        tx.execute("SET LOCAL jit = off")
        tx.execute("SET LOCAL work_mem = '64MB'")
    forms: dict[str, set[str]] = {}
    for org_id, form, *counts in _pairs(tx, periods, only):
        forms.setdefault(org_id, set()).add(form)
        for period, n in zip(periods, counts, strict=True):
            if n:
                out[period].pairs_by_form.setdefault(org_id, Counter())[form] += int(n)
    if not periods:
        return out, forms
    for org_id, category, birth_year, work_started_on, *counts in _involved(tx, periods, only):
        attributes = MenteeAttributes(category, None if birth_year is None else int(birth_year),
                                      _day(work_started_on))
        for period, n in zip(periods, counts, strict=True):
            if n:
                figures = out[period]
                figures.involved.append((org_id, attributes, int(n)))
                figures.mentees_involved[org_id] = figures.mentees_involved.get(org_id, 0) + int(n)
    for org_id, *states in _mentors(tx, periods, only):
        mentors = int(states.pop())
        for period, state in zip(periods, states, strict=True):
            figures = out[period]
            if state:  # 1: in the registry, 2: in the registry and trained
                figures.mentors_in_registry[org_id] = figures.mentors_in_registry.get(org_id, 0) + mentors
            if state == 2:
                figures.mentors_trained[org_id] = figures.mentors_trained.get(org_id, 0) + mentors
    columns, params = _overlap_columns("starts_on", "ends_on", periods, "SUM")
    for org_id, *counts in tx.rows(f"SELECT organization_id, {columns} FROM {{p}}programs "
                                   f"{only.where('organization_id')} GROUP BY organization_id",
                                   params + only.params):
        for period, n in zip(periods, counts, strict=True):
            out[period].programs[org_id] = int(n)
    columns = ", ".join("SUM(CASE WHEN produced_on >= %s AND produced_on <= %s THEN 1 ELSE 0 END)"
                        for _ in periods)
    params = [value for p in periods for value in (p.start.isoformat(), p.end.isoformat())]
    for org_id, *counts in tx.rows(f"SELECT organization_id, {columns} FROM {{p}}outputs "
                                   f"{only.where('organization_id')} GROUP BY organization_id",
                                   params + only.params):
        for period, n in zip(periods, counts, strict=True):
            out[period].outputs[org_id] = int(n)
    return out, forms


class _Only:
    """A filter to some organizations (None: every one) as SQL and its parameters."""

    def __init__(self, organizations: Sequence[str] | None) -> None:
        self.ids = None if organizations is None else sorted(set(organizations))
        self.params = [] if self.ids is None else list(self.ids)

    def clause(self, column: str) -> str:
        if self.ids is None:
            return "1 = 1"
        if not self.ids:
            return "1 = 0"
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})"

    def where(self, column: str) -> str:
        return "" if self.ids is None else f"WHERE {self.clause(column)}"


def _pairs(tx: Any, periods: list[Period], only: _Only) -> list[tuple[Any, ...]]:
    """(organization, form, active pairs in each period) — every (organization, form) there is."""
    columns, params = _overlap_columns("started_on", "ended_on", periods, "SUM")
    select = f"organization_id, form{', ' + columns if periods else ''}"
    # The index on (organization, form, dates) covers this: read in group order, no table rows.
    return tx.rows(f"SELECT {select} FROM {{p}}pairs {only.where('organization_id')} "
                   "GROUP BY organization_id, form", params + only.params)


def _involved(tx: Any, periods: list[Period], only: _Only) -> list[tuple[Any, ...]]:
    """(organization, category, birth_year, work_started_on, involved mentees in each period).

    A mentee is counted in the organization of its pairs (a pair's mentees are of its organization
    on its days, so a mentee who moved counts in the first until the move and in the second
    after), once per organization and period however many of its pairs there were active."""
    overlap = _overlap("pm.joined_on", "pm.ended_on")
    flags = ", ".join(f"MAX(CASE WHEN {overlap} THEN 1 ELSE 0 END) AS f{i}" for i in range(len(periods)))
    flag_params = [value for p in periods for value in (p.end.isoformat(), p.start.isoformat())]
    names = [f"f{i}" for i in range(len(periods))]
    inner = (
        "SELECT pm.organization_id AS org, m.category AS category, "
        "m.birth_year AS birth_year, m.work_started_on AS work_started_on, "
        + flags
        + " FROM {p}pair_members pm LEFT JOIN {p}mentees m ON m.id = pm.mentee_id"
        # only intervals that can touch some period: the rest would only add zeros
        " WHERE pm.joined_on <= %s AND (pm.ended_on IS NULL OR pm.ended_on >= %s)"
        f" AND {only.clause('pm.organization_id')}"
        " GROUP BY pm.mentee_id, pm.organization_id, m.category,"
        " m.birth_year, m.work_started_on"
    )
    bounds = [max(p.end for p in periods).isoformat(), min(p.start for p in periods).isoformat()]
    sums = ", ".join(f"SUM({name})" for name in names)
    return tx.rows(
        f"SELECT org, category, birth_year, work_started_on, {sums} FROM ({inner}) x "
        "GROUP BY org, category, birth_year, work_started_on",
        flag_params + bounds + only.params,
    )


def _mentors(tx: Any, periods: list[Period], only: _Only) -> list[tuple[Any, ...]]:
    """(organization, a state per period, mentors) on each period's last day — state 0: not in the
    registry, 1: in it, 2: in it and trained. The status in force is that of the latest change
    (by sequence) effective on or before that day; trained: a training completed by that day.
    Grouped by the states, so each mentor's status is found once per period.

    PostgreSQL, whole region: set-based (a pass of each table per period, hash joins). SQLite,
    which would join the derived tables by scanning them, and either store for a few
    organizations (a pass of the whole tables for them would be wasted): each mentor's status is
    looked up in the key's index."""
    keys = ", ".join(f"k{i}" for i in range(len(periods)))
    ends = [p.end.isoformat() for p in periods]
    if tx.dialect == "postgres" and only.ids is None:
        joins = "".join(
            f" LEFT JOIN (SELECT s.mentor_id AS mentor_id, s.status AS status FROM {{p}}mentor_status s "
            f"JOIN (SELECT mentor_id, MAX(seq) AS seq FROM {{p}}mentor_status WHERE since <= %s "
            f"GROUP BY mentor_id) l ON l.mentor_id = s.mentor_id AND l.seq = s.seq) s{i} ON s{i}.mentor_id = m.id"
            for i in range(len(periods))
        )
        statuses = [f"s{i}.status" for i in range(len(periods))]
        training = "t.first_day"
        sources = ("{p}mentors m LEFT JOIN (SELECT mentor_id, MIN(completed_on) AS first_day "
                   "FROM {p}trainings GROUP BY mentor_id) t ON t.mentor_id = m.id" + joins)
        params = ends + ends  # the states' training days, then the joins' status days
    else:
        status = ("(SELECT s.status FROM {p}mentor_status s WHERE s.mentor_id = m.id AND s.since <= %s "
                  "ORDER BY s.seq DESC LIMIT 1)")
        statuses = [status] * len(periods)
        training = "(SELECT MIN(t.completed_on) FROM {p}trainings t WHERE t.mentor_id = m.id)"
        sources = "{p}mentors m"
        params = [day for end in ends for day in (end, end)]  # each state: status day, training day
    states = ", ".join(
        f"CASE WHEN {status} = 'active' THEN (CASE WHEN {training} <= %s THEN 2 ELSE 1 END) ELSE 0 END AS k{i}"
        for i, status in enumerate(statuses)
    )
    return tx.rows(
        f"SELECT organization_id, {keys}, COUNT(*) FROM (SELECT m.organization_id AS organization_id, "
        f"{states} FROM {sources} {only.where('m.organization_id')}) x GROUP BY organization_id, {keys}",
        params + only.params,
    )


def figures_from_detail(facts: Any, period: Period) -> PeriodFigures:
    """The same figures from per-person rows (`load_facts(store)` without periods)."""
    out = PeriodFigures()
    involved = facts.involved_in(period)
    groups: Counter[tuple[str, MenteeAttributes]] = Counter()
    for org_id, mentee_ids in involved.items():
        out.mentees_involved[org_id] = len(mentee_ids)
        for mentee_id in mentee_ids:
            mentee = facts.mentees.get(mentee_id)
            attributes = (MenteeAttributes(mentee.category, mentee.birth_year, mentee.work_started_on)
                          if mentee else MenteeAttributes(None, None, None))
            groups[(org_id, attributes)] += 1
    out.involved = [(org_id, attributes, n) for (org_id, attributes), n in groups.items()]
    for mentor in facts.mentors:
        if mentor.status_on(period.end) != "active":
            continue
        org_id = mentor.organization_id
        out.mentors_in_registry[org_id] = out.mentors_in_registry.get(org_id, 0) + 1
        if any(day <= period.end for day in mentor.trainings):
            out.mentors_trained[org_id] = out.mentors_trained.get(org_id, 0) + 1
    for pair in facts.pairs:
        if period.overlaps(pair.started_on, pair.ended_on):
            out.pairs_by_form.setdefault(pair.organization_id, Counter())[pair.form] += 1
    for org_id, starts_on, ends_on in facts.programs:
        if period.overlaps(starts_on, ends_on):
            out.programs[org_id] = out.programs.get(org_id, 0) + 1
    for org_id, produced_on in facts.outputs:
        if period.start <= produced_on <= period.end:
            out.outputs[org_id] = out.outputs.get(org_id, 0) + 1
    return out
