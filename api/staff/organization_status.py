"""The coordinator's status table: each organization of the reader's scope in one row.

Per organization, for a reporting year: whether its contingent is reported, how many items of
the region's checklist are done, how many pairs were active in the year, and what is overdue.
Every figure is a sub-select over the views, so the table is filtered, sorted and paged in SQL.

What "overdue" means is stated on the page and decided here only:

* the contingent of the year is not reported after the monitoring round's deadline, 10 October
  of that year (the regional letters ask «до 10.10.2021 представить информацию…»);
* the checklist is not complete after 1 November of the year (the letters' last deadline of the
  round: «в срок до 01.11.2021 – организовать обучение наставников…»);
* a mentor application of the organization waits for a decision longer than 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from api.reads.common import Where, dicts
from api.scope import ReadScope
from projections.store import Tx

CONTINGENT_DUE = (10, 10)  # (day, month): contingents of a year are due by 10 October
CHECKLIST_DUE = (1, 11)  # the checklist of a year is due by 1 November
APPLICATION_WAIT = timedelta(days=30)

SORTS: dict[str, str] = {
    "name": "municipality, name, id",
    "checklist": "checklist_done, municipality, name, id",
    "pairs": "pairs_year, municipality, name, id",
    "overdue": "overdue DESC, municipality, name, id",
}
SORT_LABELS = {
    "name": "по муниципалитету и названию",
    "checklist": "меньше выполнено пунктов чек-листа — выше",
    "pairs": "меньше пар за год — выше",
    "overdue": "больше просрочено — выше",
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

    @property
    def contingent_due(self) -> date:
        return date(self.year, CONTINGENT_DUE[1], CONTINGENT_DUE[0])

    @property
    def checklist_due(self) -> date:
        return date(self.year, CHECKLIST_DUE[1], CHECKLIST_DUE[0])


def _select(query: StatusQuery) -> tuple[str, list[Any]]:
    """The table's SELECT (one row per organization) and its parameters."""
    start, end = date(query.year, 1, 1).isoformat(), date(query.year, 12, 31).isoformat()
    contingent_late = 1 if query.today > query.contingent_due else 0
    checklist_late = 1 if query.today > query.checklist_due else 0
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
    total_items = f"(SELECT COUNT(*) FROM ({_CURRENT_ITEMS}) items)"
    sql = (
        "SELECT t.*, "
        f"(CASE WHEN t.contingent = 0 AND {contingent_late} = 1 THEN 1 ELSE 0 END) "
        f"+ (CASE WHEN t.checklist_done < {total_items} AND {checklist_late} = 1 THEN 1 ELSE 0 END) "
        "+ (CASE WHEN t.waiting > 0 THEN 1 ELSE 0 END) AS overdue "
        f"FROM ({figures}) t"
    )
    return sql, [query.year, end, start, waited]


def _where(scope: ReadScope, query: StatusQuery) -> Where:
    where = Where().scope(scope, "s.id", "s.municipality_id").eq("s.municipality_id", query.municipality_id)
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


def status_page(
    tx: Tx, scope: ReadScope, query: StatusQuery, limit: int | None, offset: int = 0
) -> tuple[int, int, list[dict[str, Any]]]:
    """(organizations matching, checklist items in force, this page of rows)."""
    select, params = _select(query)
    where = _where(scope, query)
    base = f"SELECT * FROM ({select}) s{where}"
    count = tx.one(f"SELECT COUNT(*) FROM ({base}) n", [*params, *where.params])
    items = tx.one(f"SELECT COUNT(*) FROM ({_CURRENT_ITEMS}) i")
    order = SORTS.get(query.sort, SORTS["name"])
    paging = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
    rows = dicts(
        tx, f"SELECT {', '.join(_COLUMNS)} FROM ({base}) r ORDER BY {order}{paging}", [*params, *where.params], _COLUMNS
    )
    total_items = int(items[0]) if items else 0
    for row in rows:
        row["overdue_items"] = overdue_items(row, query, total_items)
    return (int(count[0]) if count else 0), total_items, rows


def overdue_items(row: dict[str, Any], query: StatusQuery, total_items: int) -> list[str]:
    """What is overdue for one organization, in words (the same rules as the SQL's count)."""
    found = []
    if not row["contingent"] and query.today > query.contingent_due:
        found.append(f"контингент {query.year} г. не внесён (срок {query.contingent_due:%d.%m.%Y})")
    if row["checklist_done"] < total_items and query.today > query.checklist_due:
        left = total_items - row["checklist_done"]
        found.append(f"чек-лист: не выполнено пунктов — {left} (срок {query.checklist_due:%d.%m.%Y})")
    if row["waiting"]:
        found.append(f"заявки наставников ждут решения дольше 30 дней: {row['waiting']}")
    return found
