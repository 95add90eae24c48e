"""The SQL of the approval queue: mentor applications waiting for the institute's decision.

Read from the views within the reader's `Area`, paged, sorted and filtered in SQL; the pages
are `api.staff.approvals` and the dashboard's count. Decisions are the registry's own commands
(`ApproveMentor`, `RejectMentor`): the institute (admin) decides; the rules give a municipal coordinator no approval of its own, so its page lists
its municipality's applications read-only (see `registry/commands.py`: neither command names
the municipal role).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from projections.read_sql import Area, Where, count, dicts, paging
from projections.store import Tx

#: sort key of the page -> ORDER BY (every order ends with the id: stable pages)
SORTS: dict[str, str] = {
    "applied": "m.applied_on, m.full_name, m.id",
    "applied_desc": "m.applied_on DESC, m.full_name, m.id",
    "name": "m.full_name, m.id",
    "organization": "mu.name, o.name, m.full_name, m.id",
}
_COLUMNS = [
    "id",
    "full_name",
    "organization_id",
    "organization",
    "municipality_id",
    "municipality",
    "position",
    "mentor_type",
    "forms",
    "subjects",
    "capacity",
    "applied_on",
    "consent_fields",
]
_FROM = (
    " FROM {p}mentors m JOIN {p}organizations o ON o.id = m.organization_id "
    "LEFT JOIN {p}municipalities mu ON mu.id = o.municipality_id"
)
_SELECT = (
    "SELECT m.id, m.full_name, m.organization_id, o.name, o.municipality_id, mu.name, m.position, "
    "m.mentor_type, m.forms, m.subjects, m.capacity, m.applied_on, m.consent_fields" + _FROM
)


@dataclass(frozen=True)
class QueueFilter:
    """What the queue is narrowed to: a municipality, an organization."""

    municipality_id: str | None = None
    organization_id: str | None = None
    sort: str = "applied"

    def where(self, area: Area) -> Where:
        where = Where().add("m.status = %s", ["pending"]).area(area, "m.organization_id", "o.municipality_id")
        return where.eq("o.municipality_id", self.municipality_id).eq("m.organization_id", self.organization_id)


def pending_page(
    tx: Tx, area: Area, chosen: QueueFilter, limit: int | None, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """(how many wait, this page of them) within the reader's area."""
    where = chosen.where(area)
    total = count(tx, f"SELECT COUNT(*){_FROM}{where}", where.params)
    order = SORTS.get(chosen.sort, SORTS["applied"])
    rows = dicts(tx, f"{_SELECT}{where} ORDER BY {order}{paging(limit, offset)}", where.params, _COLUMNS)
    for row in rows:
        for key in ("forms", "subjects", "consent_fields"):
            row[key] = json.loads(row[key])
    return total, rows


def pending_by_ids(tx: Tx, area: Area, ids: list[str]) -> list[dict[str, Any]]:
    """The chosen applications that still wait and are within the area (others are dropped)."""
    if not ids:
        return []
    where = QueueFilter().where(area).among("m.id", ids)
    return dicts(tx, f"{_SELECT}{where} ORDER BY m.applied_on, m.full_name, m.id", where.params, _COLUMNS)
