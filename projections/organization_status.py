"""The SQL of the coordinator's status table: each organization of the reader's area in one row.

Per organization, for a reporting year: whether its contingent is reported, how many items of
the region's checklist are done, how many pairs were active in the year, how many mentor
applications wait too long, and how many deadlines it missed. Every figure is a sub-select over
the views, so the table is filtered, sorted and paged in SQL. The missed deadlines of rounds and
roadmaps are judged by the caller (`api.staff.organization_status`, with `projections.rounds`
and `projections.roadmaps`) and arrive here as counts per organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from projections.read_sql import Area, Where, count, dicts, paging
from projections.store import Tx

#: An application waiting longer than this is overdue.
APPLICATION_WAIT = timedelta(days=30)

#: sort key of the page -> ORDER BY (every order ends with the id: stable pages)
SORTS: dict[str, str] = {
    "name": "municipality, name, id",
    "checklist": "checklist_done, municipality, name, id",
    "pairs": "pairs_year, municipality, name, id",
    "overdue": "overdue DESC, municipality, name, id",
}

_CURRENT_ITEMS = (
    "SELECT e.code FROM {p}reference_entries e JOIN {p}reference_lists l ON l.id = e.list_id "
    "WHERE l.kind = 'checklist_item' AND e.retired = 0"
)


@dataclass(frozen=True)
class StatusQuery:
    """The year the table is about, the day it is read on, and the filters."""

    year: int
    today: date
    municipality_id: str | None = None
    only_overdue: bool = False
    sort: str = "name"


def _select(query: StatusQuery, missed: dict[str, int]) -> tuple[str, list[Any]]:
    """The table's SELECT (one row per organization) and its parameters."""
    start, end = date(query.year, 1, 1).isoformat(), date(query.year, 12, 31).isoformat()
    waited = (query.today - APPLICATION_WAIT).isoformat()
    figures = (
        "SELECT o.id AS id, o.name AS name, o.kind AS kind, o.municipality_id AS municipality_id, "
        "COALESCE(mu.name, '') AS municipality, o.closed_on AS closed_on, "
        "(SELECT COUNT(*) FROM {p}contingents c WHERE c.organization_id = o.id AND c.year = %s) AS contingent, "
        f"(SELECT COUNT(*) FROM {{p}}checklist k WHERE k.organization_id = o.id AND k.item IN ({_CURRENT_ITEMS})) "
        "AS checklist_done, "
        "(SELECT COUNT(*) FROM {p}pairs p WHERE p.organization_id = o.id AND p.started_on <= %s "
        "AND (p.ended_on IS NULL OR p.ended_on >= %s)) AS pairs_year, "
        "(SELECT COUNT(*) FROM {p}mentors m WHERE m.organization_id = o.id AND m.status = 'pending' "
        "AND m.applied_on < %s) AS waiting "
        "FROM {p}organizations o LEFT JOIN {p}municipalities mu ON mu.id = o.municipality_id"
    )
    # The missed deadlines were judged by the caller; SQL only counts them, to filter and sort.
    ids = sorted(missed)
    by_id = " ".join(f"WHEN %s THEN {int(missed[i])}" for i in ids)
    counted = f"(CASE t.id {by_id} ELSE 0 END)" if ids else "0"
    sql = (
        f"SELECT t.*, {counted} "
        "+ (CASE WHEN t.waiting > 0 THEN 1 ELSE 0 END) AS overdue "
        f"FROM ({figures}) t"
    )
    return sql, [*ids, query.year, end, start, waited]


def _where(area: Area, query: StatusQuery) -> Where:
    where = Where().area(area, "s.id", "s.municipality_id").eq("s.municipality_id", query.municipality_id)
    if query.only_overdue:
        where.add("s.overdue > 0")
    # An organization closed before the year is not asked for anything in it.
    where.add("(s.closed_on IS NULL OR s.closed_on >= %s)", [date(query.year, 1, 1).isoformat()])
    return where


_COLUMNS = [
    "id",
    "name",
    "kind",
    "municipality_id",
    "municipality",
    "closed_on",
    "contingent",
    "checklist_done",
    "pairs_year",
    "waiting",
    "overdue",
]


def status_rows(
    tx: Tx, area: Area, query: StatusQuery, missed: dict[str, int], limit: int | None, offset: int = 0
) -> tuple[int, int, list[dict[str, Any]]]:
    """(organizations matching, checklist items in force, this page of rows); `missed`: how many
    deadlines each organization missed (counted into `overdue` with a too long wait)."""
    select, params = _select(query, missed)
    where = _where(area, query)
    base = f"SELECT * FROM ({select}) s{where}"
    total = count(tx, f"SELECT COUNT(*) FROM ({base}) n", [*params, *where.params])
    items_total = count(tx, f"SELECT COUNT(*) FROM ({_CURRENT_ITEMS}) i", [])
    order = SORTS.get(query.sort, SORTS["name"])
    rows = dicts(
        tx, f"SELECT {', '.join(_COLUMNS)} FROM ({base}) r ORDER BY {order}{paging(limit, offset)}",
        [*params, *where.params], _COLUMNS,
    )
    return total, items_total, rows
