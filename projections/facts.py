"""The facts indicators and counts are computed from, read from the views in ONE snapshot.

`load_facts(store, periods)` reads the units, contingents, checklist, targets and reference lists,
each period's per-organization aggregates (`projections.aggregates`) and the tracking position in
one read transaction, so the numbers and the position they are stated at always agree.
`load_facts(store)` without periods reads the per-person rows instead (mentees, pair intervals,
pairs, mentors …), from which any period's aggregates are derived on demand: slower, for the
views' own tests and per-person queries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from projections.aggregates import PeriodFigures, figures_from_detail
from projections.kept_figures import keep, read_kept_figures
from projections.periods import Period
from projections.store import LIVE_TRACKING, Tx, ViewStore

REGION = "region"
MUNICIPALITY = "municipality"
ORGANIZATION = "organization"
UNIT_KINDS = (REGION, MUNICIPALITY, ORGANIZATION)
#: What a region's code looks like (as `RegisterRegion` takes it); other text is a pre-unit region name.
_REGION_CODE = re.compile(r"[0-9A-Za-z_-]+")


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


@dataclass(frozen=True)
class Unit:
    """An organization, a municipality or a region (identified by its name)."""

    kind: str
    id: str
    name: str
    municipality_id: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Org:
    id: str
    name: str
    kind: str
    municipality_id: str
    registered_on: date
    closed_on: date | None

    def open_during(self, start: date, end: date) -> bool:
        return self.registered_on <= end and (self.closed_on is None or self.closed_on >= start)


@dataclass(frozen=True)
class MenteeFacts:
    id: str
    organization_id: str
    category: str
    birth_year: int | None
    work_started_on: date | None


@dataclass(frozen=True)
class Interval:
    """One mentee in one pair: [joined_on, ended_on], both inclusive, None = still active."""

    mentee_id: str
    pair_id: str
    organization_id: str
    form: str
    joined_on: date
    ended_on: date | None


@dataclass(frozen=True)
class PairFacts:
    id: str
    organization_id: str
    form: str
    started_on: date
    ended_on: date | None


@dataclass
class MentorFacts:
    id: str
    organization_id: str
    history: list[tuple[date, str]] = field(default_factory=list)  # (since, status), in order
    trainings: list[date] = field(default_factory=list)

    def status_on(self, day: date) -> str | None:
        """The status in force on `day` (the last change effective on or before it)."""
        status = None
        for since, value in self.history:
            if since <= day:
                status = value
        return status


@dataclass
class Facts:
    position: int
    municipalities: dict[str, Unit]
    organizations: dict[str, Org]
    contingents: dict[tuple[str, int], dict[str, int | None]]
    checklist: dict[str, dict[str, date]]  # organization -> item -> completed_on
    targets: dict[tuple[str, str, str], dict[int, Decimal]]
    reference: dict[str, list[tuple[str, str, bool]]]  # kind -> (code, title, retired)
    pair_forms: frozenset[str] = frozenset()  # every form some pair has, in any period
    region_names: dict[str, str] = field(default_factory=dict)  # region code -> registered name
    figures: dict[Period, PeriodFigures] = field(default_factory=dict)  # per-organization aggregates
    # Per-person rows: only from `load_facts(store)` without periods (`detailed`).
    detailed: bool = False
    mentees: dict[str, MenteeFacts] = field(default_factory=dict)
    intervals: list[Interval] = field(default_factory=list)
    pairs: list[PairFacts] = field(default_factory=list)
    mentors: list[MentorFacts] = field(default_factory=list)
    programs: list[tuple[str, date, date | None]] = field(default_factory=list)  # org, starts_on, ends_on
    outputs: list[tuple[str, date]] = field(default_factory=list)  # organization, produced_on
    feedback: list[Any] = field(default_factory=list)  # questionnaire scales (projections/feedback.py)
    _within: dict[tuple[str, str | None], list[Org]] = field(default_factory=dict, repr=False, compare=False)

    def period(self, period: Period) -> PeriodFigures:
        """The period's per-organization aggregates (read with the snapshot, or from the detail)."""
        if period not in self.figures:
            if not self.detailed:
                raise LookupError(f"period {period.key} was not read: load_facts(store, periods=[...])")
            self.figures[period] = figures_from_detail(self, period)
        return self.figures[period]

    def involved_in(self, period: Period) -> dict[str, set[str]]:
        """Per-person rows only: organization id -> its mentees with a pair active on some day of
        the period (a mentee counts in the organization of the pair: the one it belonged to then)."""
        involved: dict[str, set[str]] = defaultdict(set)
        for interval in self.intervals:
            if period.overlaps(interval.joined_on, interval.ended_on):
                involved[interval.organization_id].add(interval.mentee_id)
        return dict(involved)

    # -- units ---------------------------------------------------------------------------

    def regions(self) -> list[Unit]:
        keys = sorted({m.region or "" for m in self.municipalities.values()})
        return [self.region_unit(key) for key in keys]

    def region_unit(self, key: str) -> Unit:
        """The region municipalities name by `key`: its code, printed by its registered name.

        An unregistered key that looks like a code is said plainly as one; free text (municipalities
        recorded before regions were units) is the region's name as it was typed."""
        name = self.region_names.get(key)
        if name is None:
            name = f"код {key}, регион не зарегистрирован" if _REGION_CODE.fullmatch(key) else key
        return Unit(REGION, key, name)

    def municipalities_of(self, region: str | None = None) -> list[Unit]:
        found = [m for m in self.municipalities.values() if region is None or m.region == region]
        return sorted(found, key=lambda m: (m.name, m.id))

    def organizations_of(self, unit: Unit) -> list[Org]:
        """Organizations within a unit, ordered by municipality name, name, id."""
        if not self._within:  # every unit's list at once: one sort, no scan per unit
            ordered = sorted(
                self.organizations.values(),
                key=lambda o: (self._municipality_name(o.municipality_id), o.name, o.id),
            )
            within: dict[tuple[str, str | None], list[Org]] = {}
            for org in ordered:
                within.setdefault((ORGANIZATION, org.id), []).append(org)
                within.setdefault((MUNICIPALITY, org.municipality_id), []).append(org)
                municipality = self.municipalities.get(org.municipality_id)
                if municipality is not None:
                    within.setdefault((REGION, municipality.region), []).append(org)
            self._within = within  # whole, in one step: facts may be shared between threads
        return self._within.get((unit.kind, unit.id), [])

    def contains(self, unit: Unit, org: Org) -> bool:
        if unit.kind == ORGANIZATION:
            return org.id == unit.id
        if unit.kind == MUNICIPALITY:
            return org.municipality_id == unit.id
        municipality = self.municipalities.get(org.municipality_id)
        return municipality is not None and municipality.region == unit.id

    def unit_of(self, org: Org) -> Unit:
        municipality = self.municipalities.get(org.municipality_id)
        return Unit(
            ORGANIZATION,
            org.id,
            org.name,
            municipality_id=org.municipality_id,
            region=municipality.region if municipality else None,
        )

    def _municipality_name(self, municipality_id: str) -> str:
        municipality = self.municipalities.get(municipality_id)
        return municipality.name if municipality else ""

    def ancestors(self, unit: Unit) -> list[Unit]:
        """The unit itself, then its municipality, then its region."""
        chain = [unit]
        municipality_id = unit.municipality_id if unit.kind == ORGANIZATION else None
        if municipality_id and municipality_id in self.municipalities:
            chain.append(self.municipalities[municipality_id])
        region = unit.region if unit.kind != REGION else None
        if region is not None:
            chain.append(self.region_unit(region))
        return chain

    def find_unit(self, text: str) -> Unit:
        """`region[:name]`, `municipality:<id|name>`, `organization:<id|name>`, or an id or name."""
        kind, _, key = text.partition(":") if ":" in text else ("", "", text)
        if text == REGION:
            kind, key = REGION, ""
        if kind == REGION:
            regions = self.regions()
            if not key:
                if len(regions) == 1:
                    return regions[0]
                if not regions:
                    raise LookupError("В реестре ещё нет ни одного муниципалитета (и региона)")
                raise LookupError("В реестре несколько регионов: укажите region:<название>")
            for region in regions:
                if key in (region.id, region.name):
                    return region
            return _missing(text)
        candidates: list[Unit] = []
        if kind in ("", MUNICIPALITY):
            candidates += [m for m in self.municipalities.values() if key in (m.id, m.name)]
        if kind in ("", ORGANIZATION):
            candidates += [
                self.unit_of(o) for o in self.organizations.values() if key in (o.id, o.name)
            ]
        if kind == "" and not candidates:
            candidates += [r for r in self.regions() if r.id == key]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            return _missing(text)
        raise LookupError(f"«{text}» неоднозначно: укажите municipality:<id> или organization:<id>")

    def titles(self, kind: str) -> dict[str, str]:
        return {code: title for code, title, _ in self.reference.get(kind, [])}


def _missing(text: str) -> Unit:
    raise LookupError(f"Единица «{text}» не найдена в реестре")


def load_facts(store: ViewStore, periods: Sequence[Period] | None = None) -> Facts:
    """Everything the indicators need for `periods`, and the position it reflects, from one snapshot.

    Without periods: the per-person rows, from which any period is derived (see the module).
    Years come from the kept figures (`projections.kept_figures`), which this read brings up to
    date for the next one."""
    unkept = None
    with store.transaction(write=False) as tx:
        position = store.read_position(tx, LIVE_TRACKING)
        facts = Facts(position=position, **_units_and_plans(tx))
        if periods is None:
            _read_detail(tx, facts)
        else:
            facts.figures, facts.pair_forms, unkept = read_kept_figures(tx, periods, position)
        from projections.feedback import read_feedback  # it imports the registry's questionnaire

        facts.feedback = read_feedback(tx)
    if unkept is not None:
        keep(store, unkept)
    return facts


def _units_and_plans(tx: Tx) -> dict[str, Any]:
    municipalities = {
        row[0]: Unit(MUNICIPALITY, row[0], row[1], municipality_id=row[0], region=row[2])
        for row in tx.rows("SELECT id, name, region FROM {p}municipalities ORDER BY id")
    }
    organizations = {
        row[0]: Org(row[0], row[1], row[2], row[3], _day(row[4]), _day(row[5]))  # type: ignore[arg-type]
        for row in tx.rows(
            "SELECT id, name, kind, municipality_id, registered_on, closed_on "
            "FROM {p}organizations ORDER BY id"
        )
    }
    figures = ("students_total", "students_10_19", "students_15_19", "students_extra",
               "teachers_total", "young_teachers")
    contingents = {
        (row[0], int(row[1])): dict(zip(figures, row[2:], strict=True))
        for row in tx.rows(
            f"SELECT organization_id, year, {', '.join(figures)} FROM {{p}}contingents "
            "ORDER BY organization_id, year"
        )
    }
    checklist: dict[str, dict[str, date]] = defaultdict(dict)
    for org_id, item, completed_on in tx.rows(
        "SELECT organization_id, item, completed_on FROM {p}checklist ORDER BY organization_id, item"
    ):
        checklist[org_id][item] = date.fromisoformat(completed_on)
    targets: dict[tuple[str, str, str], dict[int, Decimal]] = defaultdict(dict)
    for indicator, unit_kind, unit_id, year, share in tx.rows(
        "SELECT tp.indicator, tp.unit_kind, tp.unit_id, t.year, t.share_percent "
        "FROM {p}targets t JOIN {p}target_plans tp ON tp.id = t.plan_id "
        "ORDER BY tp.indicator, tp.unit_kind, tp.unit_id, t.year"
    ):
        targets[(indicator, unit_kind, unit_id)][int(year)] = Decimal(share)
    reference: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    for kind, code, title, retired in tx.rows(
        "SELECT l.kind, e.code, e.title, e.retired FROM {p}reference_entries e "
        "JOIN {p}reference_lists l ON l.id = e.list_id ORDER BY l.kind, e.seq, e.code"
    ):
        reference[kind].append((code, title, bool(retired)))
    region_names = {str(code): str(name) for code, name in tx.rows("SELECT code, name FROM {p}regions ORDER BY code")}
    return {
        "region_names": region_names,
        "municipalities": municipalities,
        "organizations": organizations,
        "contingents": contingents,
        "checklist": dict(checklist),
        "targets": dict(targets),
        "reference": dict(reference),
    }


def _read_detail(tx: Tx, facts: Facts) -> None:
    """Every mentee, pair interval, pair, mentor (status history, trainings), program and output."""
    facts.detailed = True
    facts.mentees = {
        row[0]: MenteeFacts(row[0], row[1], row[2], row[3], _day(row[4]))
        for row in tx.rows(
            "SELECT id, organization_id, category, birth_year, work_started_on FROM {p}mentees ORDER BY id"
        )
    }
    facts.intervals = [
        Interval(row[0], row[1], row[2], row[3], _day(row[4]), _day(row[5]))  # type: ignore[arg-type]
        for row in tx.rows(
            "SELECT mentee_id, pair_id, organization_id, form, joined_on, ended_on "
            "FROM {p}pair_members ORDER BY mentee_id, pair_id"
        )
    ]
    facts.pairs = [
        PairFacts(row[0], row[1], row[2], _day(row[3]), _day(row[4]))  # type: ignore[arg-type]
        for row in tx.rows("SELECT id, organization_id, form, started_on, ended_on FROM {p}pairs ORDER BY id")
    ]
    facts.pair_forms = frozenset(p.form for p in facts.pairs)
    mentors: dict[str, MentorFacts] = {
        row[0]: MentorFacts(row[0], row[1])
        for row in tx.rows("SELECT id, organization_id FROM {p}mentors ORDER BY id")
    }
    for mentor_id, since, status in tx.rows(
        "SELECT mentor_id, since, status FROM {p}mentor_status ORDER BY mentor_id, seq"
    ):
        if mentor_id in mentors and since is not None:
            mentors[mentor_id].history.append((date.fromisoformat(since), status))
    for mentor_id, completed_on in tx.rows(
        "SELECT mentor_id, completed_on FROM {p}trainings ORDER BY mentor_id, training_id"
    ):
        if mentor_id in mentors:
            mentors[mentor_id].trainings.append(date.fromisoformat(completed_on))
    facts.mentors = list(mentors.values())
    facts.programs = [
        (row[0], date.fromisoformat(row[1]), _day(row[2]))
        for row in tx.rows("SELECT organization_id, starts_on, ends_on FROM {p}programs ORDER BY id")
    ]
    facts.outputs = [
        (row[0], date.fromisoformat(row[1]))
        for row in tx.rows("SELECT organization_id, produced_on FROM {p}outputs ORDER BY program_id, output_id")
    ]
