"""The SQL of the mentors' registry reads, for the API (`api.reads.mentors`) and the staff workspace
alike: the list within a reader's area, paged, filtered and sorted in SQL, followed for a curator
by the public entries of other organizations' mentors; one mentor; their trainings; what a
mentor's consent publishes; the mentors the import refers to by name.

A reader's scope arrives as an `Area` (`api.scope` decides which from the role), so this module
knows no roles. Lists never load more rows than the page shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from projections.read_sql import Area, count, grouped, paging
from projections.store import Tx
from registry.values import MentorStatus

MENTOR_COLUMNS = [
    "id", "full_name", "organization_id", "organization", "municipality_id", "municipality",
    "position", "mentor_type", "forms", "subjects", "employer", "capacity", "status",
    "status_since", "status_reason", "applied_on", "consent_fields", "consent_since",
]
MENTOR_SQL = (
    "SELECT m.id, m.full_name, m.organization_id, o.name, o.municipality_id, mu.name, m.position, "
    "m.mentor_type, m.forms, m.subjects, m.employer, m.capacity, m.status, m.status_since, "
    "m.status_reason, m.applied_on, m.consent_fields, m.consent_since FROM {p}mentors m "
    "LEFT JOIN {p}organizations o ON o.id = m.organization_id "
    "LEFT JOIN {p}municipalities mu ON mu.id = o.municipality_id"
)
_COUNT_SQL = (
    "SELECT COUNT(*) FROM {p}mentors m LEFT JOIN {p}organizations o ON o.id = m.organization_id"
)
TRAININGS_SQL = (
    "SELECT mentor_id, course, provider, hours, completed_on, certificate_number FROM {p}trainings "
    "WHERE mentor_id IN ({ids}) ORDER BY mentor_id, completed_on, training_id"
)
TRAINING_COLUMNS = ["course", "provider", "hours", "completed_on", "certificate_number"]


@dataclass(frozen=True)
class MentorFilter:
    """What a list is narrowed to (None: not narrowed)."""

    organization_id: str | None = None
    municipality_id: str | None = None
    status: str | None = None
    form: str | None = None


def _listed(tx: Tx, column: str, value: str = "%s") -> str:
    """SQL: `value` (a parameter by default, or a literal) is an element of the JSON list in
    text `column`."""
    if tx.dialect == "postgres":
        return f"{column}::jsonb @> jsonb_build_array({value}::text)"
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {value})"


def _any_listed(tx: Tx, column: str) -> str:
    """SQL: the JSON list in text `column` is not empty."""
    if tx.dialect == "postgres":
        return f"jsonb_array_length({column}::jsonb) > 0"
    return f"json_array_length({column}) > 0"


def mentor_rows(tx: Tx, where: str = "", params: list[Any] | None = None, tail: str = "") -> list[dict[str, Any]]:
    """Mentor rows (organization and municipality named), JSON lists decoded; `where` with its
    leading ` WHERE`, `tail` an ORDER BY / LIMIT clause."""
    rows = [dict(zip(MENTOR_COLUMNS, row, strict=True)) for row in tx.rows(f"{MENTOR_SQL}{where}{tail}", params or [])]
    for row in rows:
        for key in ("forms", "subjects", "consent_fields"):
            row[key] = json.loads(row[key])
    return rows


def _full_where(tx: Tx, scope: tuple[str, list[Any]], chosen: MentorFilter) -> tuple[str, list[Any]]:
    parts, params = [scope[0]], list(scope[1])
    for column, value in (("m.organization_id", chosen.organization_id), ("o.municipality_id", chosen.municipality_id),
                          ("m.status", chosen.status)):
        if value is not None:
            parts.append(f"{column} = %s")
            params.append(value)
    if chosen.form is not None:
        parts.append(_listed(tx, "m.forms"))
        params.append(chosen.form)
    return " WHERE " + " AND ".join(parts), params


def _public_where(tx: Tx, own_organization: str, chosen: MentorFilter) -> tuple[str, list[Any]]:
    """Other organizations' mentors in the registry who consented to something; filters match
    only what a mentor consented to show (as the public page does)."""
    parts = ["m.organization_id <> %s", "m.status = %s", _any_listed(tx, "m.consent_fields")]
    params: list[Any] = [own_organization, "active"]
    for field, column, value in (("organization", "m.organization_id", chosen.organization_id),
                                 ("municipality", "o.municipality_id", chosen.municipality_id)):
        if value is not None:
            parts += [_listed(tx, "m.consent_fields"), f"{column} = %s"]
            params += [field, value]
    if chosen.form is not None:
        parts += [_listed(tx, "m.consent_fields"), _listed(tx, "m.forms")]
        params += ["forms", chosen.form]
    return " WHERE " + " AND ".join(parts), params


def _public_order(tx: Tx) -> str:
    """Ordered by what is shown: named entries by name (code point order, on both stores), then
    unnamed ones by id only, so an unnamed entry's place does not hint at its name."""
    named = _listed(tx, "m.consent_fields", "'name'")
    binary = ' COLLATE "C"' if tx.dialect == "postgres" else ""
    return (f" ORDER BY CASE WHEN {named} THEN 0 ELSE 1 END, "
            f"CASE WHEN {named} THEN m.full_name ELSE '' END{binary}, m.id")


def mentor_page(
    tx: Tx,
    area: Area,
    chosen: MentorFilter,
    limit: int | None,
    offset: int = 0,
    public_of: str | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """(total, items) of one page (`limit` None: the whole list): the mentors of `area` in full
    (`visibility` "full") by name;
    then, with `public_of` (a curator's organization), the other organizations' mentors whose
    consent publishes something, as `public_entry` shows them, ranked by what is shown. Each with
    its trainings (of a public entry: course, provider, date, when consented)."""
    where, params = _full_where(tx, area.condition("m.organization_id"), chosen)
    full_total = count(tx, f"{_COUNT_SQL}{where}", params)
    full: list[dict[str, Any]] = []
    if offset < full_total:
        full = mentor_rows(tx, where, params, f" ORDER BY m.full_name, m.id{paging(limit, offset)}")
    public: list[dict[str, Any]] = []
    public_total = 0
    if public_of is not None and chosen.status in (None, "active"):
        others, other_params = _public_where(tx, public_of, chosen)
        public_total = count(tx, f"{_COUNT_SQL}{others}", other_params)
        wanted = None if limit is None else limit - len(full)
        skip = max(0, offset - full_total)
        if (wanted is None or wanted > 0) and skip < public_total:
            public = mentor_rows(tx, others, other_params, f"{_public_order(tx)}{paging(wanted, skip)}")
    items = [{**row, "visibility": "full"} for row in full]
    items += [entry for row in public if (entry := public_entry(row)) is not None]
    return full_total + public_total, with_trainings(tx, items)


def mentor_by_id(tx: Tx, mentor_id: str) -> dict[str, Any] | None:
    """One mentor's row, or None."""
    rows = mentor_rows(tx, " WHERE m.id = %s", [mentor_id])
    return rows[0] if rows else None


def mentors_by_status(tx: Tx, organization_id: str) -> dict[str, int]:
    """How many of an organization's mentors are in each status (counted in SQL, not loaded)."""
    rows = tx.rows("SELECT status, COUNT(*) FROM {p}mentors WHERE organization_id = %s GROUP BY status",
                   [organization_id])
    return {str(status): int(count) for status, count in rows}


def every_mentor(tx: Tx) -> list[tuple[str, str, str]]:
    """(id, organization id, full name) of every mentor."""
    return [(str(i), str(org), str(name)) for i, org, name in tx.rows("SELECT id, organization_id, full_name FROM {p}mentors")]


# -- what a mentor's consent publishes ------------------------------------------------------------

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


def public_entry(row: dict[str, Any]) -> dict[str, Any] | None:
    """What the public page shows of a mentor row (None: nothing): a mentor in the registry who
    consented, only the consented fields; `trainings` (empty until `with_trainings`) if consented."""
    consented = set(row["consent_fields"])
    if row["status"] != MentorStatus.ACTIVE or not consented:
        return None
    entry: dict[str, Any] = {"id": row["id"], "visibility": "public", "status": row["status"], **consented_profile(row)}
    if "training" in consented:
        entry["trainings"] = []
    return entry


def with_trainings(tx: Tx, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """These mentors with their trainings: in full (`visibility` "full"), or for a public entry
    that shows them, course, provider and date."""
    wanted = [i["id"] for i in items if i["visibility"] == "full" or "trainings" in i]
    trainings = grouped(tx, TRAININGS_SQL, wanted, TRAINING_COLUMNS)
    for item in items:
        found = trainings.get(item["id"], [])
        if item["visibility"] == "full":
            item["trainings"] = found
        elif "trainings" in item:
            item["trainings"] = [
                {"course": t["course"], "provider": t["provider"], "completed_on": t["completed_on"]}
                for t in found
            ]
    return items
