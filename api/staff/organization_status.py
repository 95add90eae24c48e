"""The coordinator's status table: each organization of the reader's scope in one row.

Per organization, for a reporting year: whether its contingent is reported, how many items of
the region's checklist are done, how many pairs were active in the year, and what is overdue.
Every figure is a sub-select over the views, so the table is filtered, sorted and paged in SQL.

What "overdue" means is stated on the page and decided here only, from the deadlines the
registry knows (no dates of its own):

* an open monitoring round of the year asks the organization for facts (`projections.rounds`)
  and its deadline has passed while some are still not recorded: the same judgement as the
  round's page (`api.rounds`);
* an item of the region's or the municipality's roadmap is not completed and its due date has
  passed (`projections.roadmaps`, as `/roadmap-items/states`), judged on the registry's today;
* a mentor application of the organization waits for a decision longer than 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from api.reads.common import Where, dicts
from api.scope import ReadScope
from projections import roadmaps as rm
from projections import rounds as r
from projections.store import Tx

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


def missed_deadlines(tx: Tx, scope: ReadScope, query: StatusQuery) -> dict[str, list[str]]:
    """Per organization of the scope, in words: what an open round of the year or a roadmap item
    asked by a deadline that has passed and is still not recorded."""
    found: dict[str, list[str]] = {}
    on_o = scope.condition("o.id", "o.municipality_id")
    now = r.stamp(datetime.now(UTC))  # as the round's page judges an open round (api.rounds)
    titles = r.checklist_titles(tx)
    open_rounds = r.round_rows(tx, " WHERE r.closed_at IS NULL AND r.year = %s", [query.year])
    for rnd in open_rounds:
        for item in r.statuses(tx, rnd, now, scope=on_o):
            if item["overdue"]:
                missing = ", ".join(r.requirement_ru(code, titles) for code in item["missing"])
                found.setdefault(item["organization_id"], []).append(
                    f"мониторинг «{rnd['title']}»: не внесено — {missing} (срок {date.fromisoformat(rnd['due_on']):%d.%m.%Y})")
    for item in rm.item_states(tx, query.today.isoformat(), scope=on_o):
        if item["state"] == rm.OVERDUE:
            found.setdefault(item["organization_id"], []).append(
                f"дорожная карта: «{item['title']}» не выполнено (срок {date.fromisoformat(item['due_on']):%d.%m.%Y})")
    return found


def _select(query: StatusQuery, missed: dict[str, list[str]]) -> tuple[str, list[Any]]:
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
    # The missed deadlines were judged above; SQL only counts them, to filter and sort the page.
    ids = sorted(missed)
    by_id = " ".join(f"WHEN %s THEN {len(missed[i])}" for i in ids)
    counted = f"(CASE t.id {by_id} ELSE 0 END)" if ids else "0"
    sql = (
        f"SELECT t.*, {counted} "
        "+ (CASE WHEN t.waiting > 0 THEN 1 ELSE 0 END) AS overdue "
        f"FROM ({figures}) t"
    )
    return sql, [*ids, query.year, end, start, waited]


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
    missed = missed_deadlines(tx, scope, query)
    select, params = _select(query, missed)
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
        row["overdue_items"] = overdue_items(row, missed)
    return (int(count[0]) if count else 0), total_items, rows


def overdue_items(row: dict[str, Any], missed: dict[str, list[str]]) -> list[str]:
    """What is overdue for one organization, in words (the same rules as the SQL's count)."""
    found = list(missed.get(row["id"], []))
    if row["waiting"]:
        found.append(f"заявки наставников ждут решения дольше 30 дней: {row['waiting']}")
    return found
