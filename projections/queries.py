"""Questions answered from the views; every answer states the log position it reflects.

Each query reads its rows and the position in one read transaction (one snapshot). Mentees are
never public: `mentees()` and `involvement()` are for staff only, and `public_mentors()` returns
only mentors in the registry who consented, with only the fields they consented to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from projections.facts import load_facts
from projections.indicators import IndicatorEngine, IndicatorValue
from projections.periods import Period
from projections.store import Tx, ViewStore

#: Consent field (152-ФЗ, field by field) -> the key of a mentor row it makes public.
_PUBLISHED_KEYS = (
    ("name", "full_name"),
    ("organization", "organization"),
    ("municipality", "municipality"),
    ("forms", "forms"),
    ("subjects", "subjects"),
)


def consented_profile(row: dict[str, Any]) -> dict[str, Any]:
    """The keys of a staff mentor row its consent publishes (trainings are the caller's to shape)."""
    consented = set(row["consent_fields"])
    return {key: row[key] for field, key in _PUBLISHED_KEYS if field in consented}


@dataclass(frozen=True)
class Answer:
    position: int
    items: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"position": self.position, "items": self.items}


def _where(filters: dict[str, Any]) -> tuple[str, list[Any]]:
    used = {k: v for k, v in filters.items() if v is not None}
    if not used:
        return "", []
    return " WHERE " + " AND ".join(f"{k} = %s" for k in used), [str(v) for v in used.values()]


def _dicts(tx: Tx, sql: str, params: list[Any], names: list[str]) -> list[dict[str, Any]]:
    return [dict(zip(names, row, strict=True)) for row in tx.rows(sql, params)]


MENTOR_COLUMNS = [
    "id", "full_name", "organization_id", "organization", "municipality_id", "municipality",
    "position", "mentor_type", "forms", "subjects", "employer", "capacity", "status",
    "status_since", "status_reason", "consent_fields",
]


class Queries:
    def __init__(self, store: ViewStore):
        self.store = store

    def _answer(self, build: Any) -> Answer:
        with self.store.transaction(write=False) as tx:
            position = self.store.read_position(tx)
            return Answer(position, build(tx))

    def mentors(
        self,
        *,
        organization_id: Any = None,
        municipality_id: Any = None,
        status: str | None = None,
    ) -> Answer:
        """The registry for staff: every mentor with status, units, forms, subjects, training."""
        where, params = _where(
            {"m.organization_id": organization_id, "o.municipality_id": municipality_id, "m.status": status}
        )

        def build(tx: Tx) -> list[dict[str, Any]]:
            items = _dicts(
                tx,
                "SELECT m.id, m.full_name, m.organization_id, o.name, o.municipality_id, mu.name, "
                "m.position, m.mentor_type, m.forms, m.subjects, m.employer, m.capacity, m.status, "
                "m.status_since, m.status_reason, m.consent_fields FROM {p}mentors m "
                "LEFT JOIN {p}organizations o ON o.id = m.organization_id "
                "LEFT JOIN {p}municipalities mu ON mu.id = o.municipality_id"
                + where
                + " ORDER BY m.full_name, m.id",
                params,
                MENTOR_COLUMNS,
            )
            trainings: dict[str, list[dict[str, Any]]] = {}
            for row in _dicts(
                tx,
                "SELECT mentor_id, course, provider, hours, completed_on, certificate_number "
                "FROM {p}trainings ORDER BY mentor_id, completed_on, training_id",
                [],
                ["mentor_id", "course", "provider", "hours", "completed_on", "certificate_number"],
            ):
                trainings.setdefault(row.pop("mentor_id"), []).append(row)
            for item in items:
                for key in ("forms", "subjects", "consent_fields"):
                    item[key] = json.loads(item[key])
                item["trainings"] = trainings.get(item["id"], [])
            return items

        return self._answer(build)

    def public_mentors(self) -> Answer:
        """The public page: mentors in the registry who consented, only the consented fields."""
        staff = self.mentors(status="active")
        public = []
        for item in staff.items:
            consented = set(item["consent_fields"])
            if not consented:
                continue
            entry: dict[str, Any] = {"id": item["id"], **consented_profile(item)}
            if "training" in consented:
                entry["trainings"] = [
                    {"course": t["course"], "provider": t["provider"], "completed_on": t["completed_on"]}
                    for t in item["trainings"]
                ]
            public.append(entry)
        return Answer(staff.position, public)

    def organizations(self, *, municipality_id: Any = None) -> Answer:
        """Organizations with their contingents per year and their implementation checklist."""
        where, params = _where({"o.municipality_id": municipality_id})
        figures = ["students_total", "students_10_19", "students_15_19", "students_extra",
                   "teachers_total", "young_teachers"]

        def build(tx: Tx) -> list[dict[str, Any]]:
            items = _dicts(
                tx,
                "SELECT o.id, o.name, o.kind, o.municipality_id, mu.name, o.inn, o.registered_on, "
                "o.closed_on FROM {p}organizations o "
                "LEFT JOIN {p}municipalities mu ON mu.id = o.municipality_id"
                + where
                + " ORDER BY mu.name, o.name, o.id",
                params,
                ["id", "name", "kind", "municipality_id", "municipality", "inn", "registered_on",
                 "closed_on"],
            )
            contingents: dict[str, dict[str, Any]] = {}
            for row in tx.rows(
                f"SELECT organization_id, year, {', '.join(figures)}, corrections "
                "FROM {p}contingents ORDER BY organization_id, year"
            ):
                contingents.setdefault(row[0], {})[str(row[1])] = dict(
                    zip([*figures, "corrections"], row[2:], strict=True)
                )
            checklist: dict[str, list[dict[str, Any]]] = {}
            for row in tx.rows(
                "SELECT organization_id, item, completed_on, document_number, document_issued_on, "
                "document_link FROM {p}checklist ORDER BY organization_id, item"
            ):
                checklist.setdefault(row[0], []).append(
                    dict(zip(["item", "completed_on", "document_number", "document_issued_on",
                              "document_link"], row[1:], strict=True))
                )
            for item in items:
                item["contingents"] = contingents.get(item["id"], {})
                item["checklist"] = checklist.get(item["id"], [])
            return items

        return self._answer(build)

    def pairs(self, *, organization_id: Any = None, status: str | None = None) -> Answer:
        """Pairs and groups with their members' intervals (mentee ids only)."""
        where, params = _where({"organization_id": organization_id, "status": status})

        def build(tx: Tx) -> list[dict[str, Any]]:
            items = _dicts(
                tx,
                "SELECT id, organization_id, mentor_id, form, kind, program_id, started_on, status, "
                "ended_on, outcome, end_reason FROM {p}pairs" + where + " ORDER BY started_on, id",
                params,
                ["id", "organization_id", "mentor_id", "form", "kind", "program_id", "started_on",
                 "status", "ended_on", "outcome", "end_reason"],
            )
            members: dict[str, list[dict[str, Any]]] = {}
            for pair_id, mentee_id, joined_on, ended_on in tx.rows(
                "SELECT pair_id, mentee_id, joined_on, ended_on FROM {p}pair_members "
                "ORDER BY pair_id, joined_on, mentee_id"
            ):
                members.setdefault(pair_id, []).append(
                    {"mentee_id": mentee_id, "joined_on": joined_on, "ended_on": ended_on}
                )
            for item in items:
                item["mentees"] = members.get(item["id"], [])
            return items

        return self._answer(build)

    def mentees(self, *, organization_id: Any = None) -> Answer:
        """Mentees (never public): category, birth year, work start; for staff in scope only."""
        where, params = _where({"organization_id": organization_id})
        return self._answer(
            lambda tx: _dicts(
                tx,
                "SELECT id, organization_id, category, full_name, birth_year, work_started_on, "
                "registered_on FROM {p}mentees" + where + " ORDER BY full_name, id",
                params,
                ["id", "organization_id", "category", "full_name", "birth_year", "work_started_on",
                 "registered_on"],
            )
        )

    def programs(self, *, organization_id: Any = None) -> Answer:
        """Programs with their outputs."""
        where, params = _where({"organization_id": organization_id})

        def build(tx: Tx) -> list[dict[str, Any]]:
            items = _dicts(
                tx,
                "SELECT id, organization_id, title, forms, starts_on, ends_on, order_number, "
                "order_issued_on, order_link, personalized FROM {p}programs"
                + where
                + " ORDER BY starts_on, title, id",
                params,
                ["id", "organization_id", "title", "forms", "starts_on", "ends_on", "order_number",
                 "order_issued_on", "order_link", "personalized"],
            )
            outputs: dict[str, list[dict[str, Any]]] = {}
            for row in tx.rows(
                "SELECT program_id, output_id, kind, title, produced_on, evidence_link, pair_id "
                "FROM {p}outputs ORDER BY program_id, produced_on, output_id"
            ):
                outputs.setdefault(row[0], []).append(
                    dict(zip(["output_id", "kind", "title", "produced_on", "evidence_link", "pair_id"],
                             row[1:], strict=True))
                )
            for item in items:
                item["forms"] = json.loads(item["forms"])
                item["personalized"] = bool(item["personalized"])
                item["outputs"] = outputs.get(item["id"], [])
            return items

        return self._answer(build)

    def involvement(self, period: Period, *, organization_id: Any = None) -> Answer:
        """The indicators' facts: per involved mentee, category and age on the reference date."""
        facts = load_facts(self.store)  # per person: every mentee and pair interval
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
                items.append(
                    {
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
                    }
                )
        return Answer(facts.position, items)

    def indicator(self, indicator: str, unit: str, period: Period) -> IndicatorValue:
        """One indicator for one unit and period (the value carries its position)."""
        facts = load_facts(self.store, [period])
        return IndicatorEngine(facts).value(indicator, facts.find_unit(unit), period)
