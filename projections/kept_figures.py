"""The figures of calendar and school years, kept per organization so a report is not cold.

Aggregating a year over the whole region (every pair interval and mentor status: seconds at a
region's scale) was what a report cost after any write. Now a year's per-organization figures,
once aggregated, are kept (`figures_kept`); a change to any row they come from marks its
organizations stale in the same transaction (`projections.figure_marks`), and a read aggregates
again only the stale organizations (a write touches one or two) over every kept year.

Reads stay reads: the kept rows, the stale marks and the fresh aggregates are all read in the
reader's snapshot, so the figures are exactly those of its position. What the read aggregated is
stored afterwards (`keep`), in a write transaction, only if the views are still at that
position and nobody stored it first; otherwise the next reader does it. Other periods (a day,
arbitrary dates) are aggregated directly, as before.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from projections.aggregates import MenteeAttributes, PeriodFigures, read_figures_of
from projections.builds import LIVE_TRACKING
from projections.periods import CALENDAR_YEAR, SCHOOL_YEAR, Period
from projections.store import StalePosition

#: Periods whose figures are kept (the years reports and start pages ask for).
KEPT_KINDS = (CALENDAR_YEAR, SCHOOL_YEAR)
#: At most this many years kept; further ones are aggregated on each read.
MOST_KEPT = 40
#: The pseudo period of an organization's forms of mentoring (its pairs', in any period).
EVER = ("", "")
#: More stale organizations than this: the kept years are aggregated again whole (one pass of
#: each table costs less than a long list of organizations to filter on).
MOST_STALE = 50
_CHUNK = 200  # rows of one multi-row INSERT
#: PeriodFigures' counts per organization and their keys in the kept JSON
_COUNTS = (("mentors_in_registry", "r"), ("mentors_trained", "t"), ("programs", "g"), ("outputs", "o"))

Key = tuple[str, str]


def _key(period: Period) -> Key:
    return (period.start.isoformat(), period.end.isoformat())


def _period(key: Key) -> Period:
    start = date.fromisoformat(key[0])
    return Period.calendar_year(start.year) if start.month == 1 else Period.school_year(start.year)


@dataclass
class Unkept:
    """What a read aggregated that is not kept yet, as of the views' `position`."""

    position: int
    complete: frozenset[Key]
    stale: list[str]
    #: every kept year aggregated again for every organization (too many stale)
    whole: bool = False
    #: (year or EVER) -> organization -> figures, for every organization stored anew
    rows: dict[Key, dict[str, str]] = field(default_factory=dict)
    #: years kept from now on (their rows are in `rows`)
    new: list[Key] = field(default_factory=list)


def read_kept_figures(
    tx: Any, periods: Sequence[Period], position: int
) -> tuple[dict[Period, PeriodFigures], frozenset[str], Unkept | None]:
    """Each period's figures and every form of mentoring, from the kept years where they can
    be, in transaction `tx` (at views `position`); and what to store for the next reader."""
    periods = list(dict.fromkeys(periods))
    complete, stale = _marks(tx)
    room = max(MOST_KEPT - len(complete), 0)
    kept = [p for p in periods if p.kind in KEPT_KINDS and _key(p) in complete]
    new = [p for p in periods if p.kind in KEPT_KINDS and _key(p) not in complete][:room]
    direct = [p for p in periods if p not in kept and p not in new]
    unkept = Unkept(position, complete, stale, whole=len(stale) > MOST_STALE, new=[_key(p) for p in new])
    out: dict[Period, PeriodFigures] = {}

    fresh: dict[Key, dict[str, str]] = {}  # the stale organizations' rows, every kept year
    if stale and complete:
        figures, forms = read_figures_of(tx, [_period(k) for k in sorted(complete)],
                                         None if unkept.whole else stale)
        fresh = {_key(p): split(f) for p, f in figures.items()}
        fresh[EVER] = _forms_rows(forms)
        unkept.rows.update(fresh)
    all_forms: set[str] | None = None
    if new or direct:
        figures, forms = read_figures_of(tx, new + direct)
        out.update(figures)
        all_forms = {form for found in forms.values() for form in found}
        for period in new:
            unkept.rows[_key(period)] = split(figures[period])
        if not complete:
            unkept.rows[EVER] = _forms_rows(forms)

    def current(key: Key) -> dict[str, str]:
        if unkept.whole:
            return dict(fresh.get(key, {}))
        rows = _stored(tx, key, set(stale))
        rows.update(fresh.get(key, {}))
        return rows

    for period in kept:
        out[period] = merge(current(_key(period)).items())
    if all_forms is None:
        ever = current(EVER) if complete else {}
        all_forms = {form for text in ever.values() for form in json.loads(text)}
    wanted = {key: out[key] for key in periods}
    return wanted, frozenset(all_forms), (unkept if stale or new else None)


#: Years with a contingent reported whose figures a rebuild keeps at once (the latest ones).
YEARS_KEPT_AFTER_REBUILD = 3


def years_worth_keeping(store: Any, also: Iterable[Period] = ()) -> list[Period]:
    """The years a report will likely ask for: `also` (the years kept before a rebuild) and, for
    each of the latest years with a contingent reported, the calendar year and the school year
    it starts."""
    with store.transaction(write=False) as tx:
        years = sorted({int(y) for (y,) in tx.rows("SELECT DISTINCT year FROM {p}contingents")})
    latest = years[-YEARS_KEPT_AFTER_REBUILD:]
    wanted = [*also, *(p for y in latest for p in (Period.calendar_year(y), Period.school_year(y)))]
    return list(dict.fromkeys(wanted))[:MOST_KEPT]


def kept_years(store: Any) -> list[Period]:
    """The years whose figures `store` keeps now."""
    with store.transaction(write=False) as tx:
        return [_period(k) for k in sorted(_marks(tx)[0])]


def keep(store: Any, unkept: Unkept) -> None:
    """Store what a read aggregated, if the views are still where it read them and what it read
    as kept and stale is still so (else another reader stored the same, or a writer moved on)."""
    with store.transaction(write=True) as tx:
        try:
            store.claim(tx, LIVE_TRACKING, unkept.position)
        except StalePosition:
            return
        complete, stale = _marks(tx)
        if complete != unkept.complete or stale != unkept.stale:
            return
        if unkept.whole:
            tx.execute("DELETE FROM {p}figures_kept")
            tx.execute("DELETE FROM {p}figures_stale")
        elif stale:
            marks = ", ".join(["%s"] * len(stale))
            tx.execute(f"DELETE FROM {{p}}figures_kept WHERE organization_id IN ({marks})", stale)
            tx.execute(f"DELETE FROM {{p}}figures_stale WHERE organization_id IN ({marks})", stale)
        if not complete:
            tx.execute("DELETE FROM {p}figures_kept WHERE period_start = '' AND period_end = ''")
        _insert(tx, [(k[0], k[1], org, text) for k, rows in unkept.rows.items() for org, text in rows.items()])
        for start, end in unkept.new:
            tx.execute("INSERT INTO {p}figures_periods (period_start, period_end) VALUES (%s, %s)", (start, end))


def split(figures: PeriodFigures) -> dict[str, str]:
    """One period's figures as a JSON text per organization (organizations with none left out)."""
    per_org: dict[str, dict[str, Any]] = defaultdict(dict)
    for org_id, attributes, n in figures.involved:
        if n:
            started = attributes.work_started_on
            per_org[org_id].setdefault("i", []).append(
                [attributes.category, attributes.birth_year, started and started.isoformat(), n])
    for name, short in _COUNTS:
        for org_id, n in getattr(figures, name).items():
            if n:
                per_org[org_id][short] = n
    for org_id, forms in figures.pairs_by_form.items():
        counted = {form: n for form, n in sorted(forms.items()) if n}
        if counted:
            per_org[org_id]["p"] = counted
    return {org_id: json.dumps(data, ensure_ascii=False, sort_keys=True) for org_id, data in per_org.items()}


def merge(rows: Iterable[tuple[str, str]]) -> PeriodFigures:
    """The period's figures from its organizations' JSON texts (`split`'s inverse)."""
    out = PeriodFigures()
    for org_id, text in sorted(rows):
        decoded = _decoded(org_id, text)
        if decoded.involved:
            out.involved.extend(decoded.involved)
            out.mentees_involved[org_id] = decoded.mentees
        for name, n in decoded.counts:
            getattr(out, name)[org_id] = n
        if decoded.pairs is not None:
            out.pairs_by_form[org_id] = Counter(decoded.pairs)
    return out


@dataclass(frozen=True)
class _Decoded:
    involved: tuple[tuple[str, MenteeAttributes, int], ...]
    mentees: int
    counts: tuple[tuple[str, int], ...]
    pairs: dict[str, int] | None


@lru_cache(maxsize=16_384)
def _decoded(org_id: str, text: str) -> _Decoded:
    """An organization's kept JSON text, decoded once per process: a read after a write finds
    every other organization's text unchanged, and decoding them all again (and the garbage
    collections their objects cost a server holding reports) was most of its time."""
    data = json.loads(text)
    involved = tuple(
        (org_id, MenteeAttributes(category, birth_year, None if started is None else date.fromisoformat(started)), n)
        for category, birth_year, started, n in data.get("i", ())
    )
    return _Decoded(
        involved=involved,
        mentees=sum(n for _, _, n in involved),
        counts=tuple((name, data[short]) for name, short in _COUNTS if short in data),
        pairs=data.get("p"),
    )


def _marks(tx: Any) -> tuple[frozenset[Key], list[str]]:
    """(the kept years, the organizations marked stale)."""
    complete = frozenset((str(a), str(b)) for a, b in tx.rows("SELECT period_start, period_end FROM {p}figures_periods"))
    return complete, sorted(str(row[0]) for row in tx.rows("SELECT organization_id FROM {p}figures_stale"))


def _forms_rows(forms: dict[str, set[str]]) -> dict[str, str]:
    return {org_id: json.dumps(sorted(found), ensure_ascii=False) for org_id, found in forms.items() if found}


def _stored(tx: Any, key: Key, stale: set[str]) -> dict[str, str]:
    rows = tx.rows("SELECT organization_id, figures FROM {p}figures_kept WHERE period_start = %s AND period_end = %s",
                   key)
    return {str(org_id): str(text) for org_id, text in rows if org_id not in stale}


def _insert(tx: Any, rows: list[tuple[str, str, str, str]]) -> None:
    for at in range(0, len(rows), _CHUNK):
        chunk = rows[at:at + _CHUNK]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
        tx.execute(f"INSERT INTO {{p}}figures_kept (period_start, period_end, organization_id, figures) VALUES {values}",
                   [value for row in chunk for value in row])
