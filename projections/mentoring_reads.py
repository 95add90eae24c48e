"""The SQL of the mentoring's reads: mentees (and their part in pairs), pairs and groups (with the
mentees' intervals), programs and their outputs, the mentors' loads, the questionnaires a pair
has, and the mentees and programs the import refers to by name.

Lists are narrowed to the reader's `Area` and paged, filtered and sorted in SQL (`read_sql`); a
page's members and outputs are read for its rows only. One item outside the area is None, as
an unknown id is: the caller answers both alike, so existence is not disclosed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from projections.read_sql import Area, Where, dicts, grouped, page
from projections.store import Tx

# -- mentees -------------------------------------------------------------------------------------

_MENTEE_COLUMNS = ["id", "organization_id", "category", "full_name", "birth_year", "work_started_on",
                   "registered_on"]
_MENTEE_SQL = f"SELECT {', '.join(_MENTEE_COLUMNS)} FROM {{p}}mentees"


def mentee_page(
    tx: Tx, area: Area, *, organization_id: str | None = None, category: str | None = None,
    limit: int | None, offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """(how many match, this page of them) by name."""
    where = Where().area(area, "organization_id").eq("organization_id", organization_id).eq("category", category)
    return page(tx, _MENTEE_SQL, "SELECT COUNT(*) FROM {p}mentees", where, "full_name, id", _MENTEE_COLUMNS,
                limit, offset)


def mentee_by_id(tx: Tx, area: Area, mentee_id: str) -> dict[str, Any] | None:
    """One mentee of the area with their memberships of pairs (`pairs`), or None."""
    where = Where().eq("id", mentee_id).area(area, "organization_id")
    rows = dicts(tx, f"{_MENTEE_SQL}{where}", where.params, _MENTEE_COLUMNS)
    if not rows:
        return None
    rows[0]["pairs"] = dicts(
        tx,
        "SELECT pair_id, form, joined_on, ended_on FROM {p}pair_members WHERE mentee_id = %s "
        "ORDER BY joined_on, pair_id",
        [mentee_id],
        ["pair_id", "form", "joined_on", "ended_on"],
    )
    return rows[0]


def full_names(tx: Tx, people: str, ids: Sequence[str]) -> dict[str, str]:
    """{id: full name} of these mentors (`people` = "mentors") or mentees ("mentees")."""
    table = {"mentors": "mentors", "mentees": "mentees"}[people]  # never a caller's text in the SQL
    where = Where().among("id", ids)
    return {str(i): str(name) for i, name in tx.rows(f"SELECT id, full_name FROM {{p}}{table}{where}", where.params)}


# -- pairs ---------------------------------------------------------------------------------------

_PAIR_COLUMNS = ["id", "organization_id", "mentor_id", "form", "kind", "program_id", "started_on", "status",
                 "ended_on", "outcome", "end_reason"]
_PAIR_SQL = f"SELECT {', '.join(_PAIR_COLUMNS)} FROM {{p}}pairs"


@dataclass(frozen=True)
class PairFilter:
    """What a list of pairs is narrowed to (None: not narrowed)."""

    organization_id: str | None = None
    mentor_id: str | None = None
    status: str | None = None
    form: str | None = None


_MEMBERS_SQL = (
    "SELECT pair_id, mentee_id, joined_on, ended_on FROM {p}pair_members WHERE pair_id IN ({ids}) "
    "ORDER BY pair_id, joined_on, mentee_id"
)


def _with_members(tx: Tx, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    members = grouped(tx, _MEMBERS_SQL, [i["id"] for i in items], ["mentee_id", "joined_on", "ended_on"])
    for item in items:
        item["mentees"] = members.get(item["id"], [])
    return items


def pair_page(
    tx: Tx, area: Area, chosen: PairFilter, limit: int | None, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """(how many match, this page of them) by start, each with its mentees' intervals (`mentees`)."""
    where = Where().area(area, "organization_id").eq("organization_id", chosen.organization_id)
    where.eq("mentor_id", chosen.mentor_id).eq("status", chosen.status).eq("form", chosen.form)
    total, items = page(tx, _PAIR_SQL, "SELECT COUNT(*) FROM {p}pairs", where, "started_on, id", _PAIR_COLUMNS,
                        limit, offset)
    return total, _with_members(tx, items)


def pair_by_id(tx: Tx, area: Area, pair_id: str) -> dict[str, Any] | None:
    """One pair (group) of the area with its mentees' intervals, or None."""
    where = Where().eq("id", pair_id).area(area, "organization_id")
    rows = dicts(tx, f"{_PAIR_SQL}{where}", where.params, _PAIR_COLUMNS)
    return _with_members(tx, rows)[0] if rows else None


def mentor_loads(tx: Tx, organization_id: str) -> dict[str, int]:
    """Mentees each mentor of the organization has in active pairs now."""
    rows = tx.rows(
        "SELECT p.mentor_id, COUNT(*) FROM {p}pair_members pm JOIN {p}pairs p ON p.id = pm.pair_id "
        "WHERE p.organization_id = %s AND p.status = 'active' AND pm.ended_on IS NULL GROUP BY p.mentor_id",
        [organization_id],
    )
    return {str(mentor): int(count) for mentor, count in rows}


def questionnaires_in(tx: Tx, pair_id: str) -> dict[str, str]:
    """Whose questionnaires of a pair are in: respondent key ("mentor" or a mentee's id) -> answered_on."""
    rows = tx.rows("SELECT DISTINCT respondent_key, answered_on FROM {p}feedback_scores WHERE pair_id = %s",
                   [pair_id])
    return {str(key): str(on) for key, on in rows}


# -- programs and outputs ------------------------------------------------------------------------

_PROGRAM_COLUMNS = ["id", "organization_id", "title", "forms", "starts_on", "ends_on", "order_number",
                    "order_issued_on", "order_link", "personalized"]
_PROGRAM_SQL = f"SELECT {', '.join(_PROGRAM_COLUMNS)} FROM {{p}}programs"


_OUTPUT_COLUMNS = ["output_id", "kind", "title", "produced_on", "evidence_link", "pair_id"]
_OUTPUTS_SQL = (
    f"SELECT program_id, {', '.join(_OUTPUT_COLUMNS)} FROM {{p}}outputs "
    "WHERE program_id IN ({ids}) ORDER BY program_id, produced_on, output_id"
)


def _with_outputs(tx: Tx, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    outputs = grouped(tx, _OUTPUTS_SQL, [i["id"] for i in items], _OUTPUT_COLUMNS)
    for item in items:
        item["forms"] = json.loads(item["forms"])
        item["personalized"] = bool(item["personalized"])
        item["outputs"] = outputs.get(item["id"], [])
    return items


def program_page(
    tx: Tx, area: Area, *, organization_id: str | None = None, limit: int | None, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """(how many match, this page of them) by start and title, each with its outputs."""
    where = Where().area(area, "organization_id").eq("organization_id", organization_id)
    total, items = page(tx, _PROGRAM_SQL, "SELECT COUNT(*) FROM {p}programs", where, "starts_on, title, id",
                        _PROGRAM_COLUMNS, limit, offset)
    return total, _with_outputs(tx, items)


def program_by_id(tx: Tx, area: Area, program_id: str) -> dict[str, Any] | None:
    """One program of the area with its outputs, or None."""
    where = Where().eq("id", program_id).area(area, "organization_id")
    rows = dicts(tx, f"{_PROGRAM_SQL}{where}", where.params, _PROGRAM_COLUMNS)
    return _with_outputs(tx, rows)[0] if rows else None


# -- what the import refers to -------------------------------------------------------------------


def every_program(tx: Tx) -> list[tuple[str, str, str]]:
    """(id, organization id, title) of every program."""
    return [(str(i), str(org), str(title)) for i, org, title in tx.rows("SELECT id, organization_id, title FROM {p}programs")]


def organization_mentees(tx: Tx, organization_id: str) -> list[tuple[str, str, int | None]]:
    """(id, full name, birth year) of an organization's mentees."""
    return [
        (str(i), str(name), birth_year)
        for i, name, birth_year in tx.rows(
            "SELECT id, full_name, birth_year FROM {p}mentees WHERE organization_id = %s", [organization_id])
    ]


def mentee_organization(tx: Tx, mentee_id: str) -> str | None:
    """The organization of a mentee, or None for an unknown id."""
    found = tx.one("SELECT organization_id FROM {p}mentees WHERE id = %s", [mentee_id])
    return None if found is None else str(found[0])
