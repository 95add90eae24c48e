"""The coordinator's status table: each organization of the reader's scope in one row.

Per organization, for a reporting year: whether its contingent is reported, how many items of
the region's checklist are done, how many pairs were active in the year, and what is overdue.
Every figure is a sub-select over the views (`projections.organization_status`), so the table
is filtered, sorted and paged in SQL; here, what is overdue is judged and said in words.

What "overdue" means is stated on the page and decided here (the wait in SQL, beside the
table's figures), from the deadlines the registry knows (no dates of its own):

* an open monitoring round of the year asks the organization for facts (`projections.rounds`)
  and its deadline has passed while some are still not recorded: the same judgement as the
  round's page (`api.rounds`);
* an item of the region's or the municipality's roadmap is not completed and its due date has
  passed (`projections.roadmaps`, as `/roadmap-items/states`), judged on the registry's today;
* a mentor application of the organization waits for a decision longer than 30 days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from api.scope import ReadScope
from projections import roadmaps as rm
from projections import rounds as r
from projections.organization_status import SORTS, StatusQuery, status_rows
from projections.store import Tx

__all__ = ["SORTS", "SORT_LABELS", "StatusQuery", "missed_deadlines", "overdue_items", "status_page"]

SORT_LABELS = {
    "name": "по муниципалитету и названию",
    "checklist": "меньше выполнено пунктов чек-листа — выше",
    "pairs": "меньше пар за год — выше",
    "overdue": "больше просрочено — выше",
}


def missed_deadlines(tx: Tx, scope: ReadScope, query: StatusQuery) -> dict[str, list[str]]:
    """Per organization of the scope, in words: what an open round of the year or a roadmap item
    asked by a deadline that has passed and is still not recorded."""
    found: dict[str, list[str]] = {}
    now = r.stamp(datetime.now(UTC))  # as the round's page judges an open round (api.rounds)
    titles = r.checklist_titles(tx)
    open_rounds = r.open_rounds(tx, query.year)
    for rnd in open_rounds:
        for item in r.statuses(tx, rnd, now, area=scope.area):
            if item["overdue"]:
                missing = ", ".join(r.requirement_ru(code, titles) for code in item["missing"])
                found.setdefault(item["organization_id"], []).append(
                    f"мониторинг «{rnd['title']}»: не внесено — {missing} (срок {date.fromisoformat(rnd['due_on']):%d.%m.%Y})")
    for item in rm.item_states(tx, query.today.isoformat(), area=scope.area):
        if item["state"] == rm.OVERDUE:
            found.setdefault(item["organization_id"], []).append(
                f"дорожная карта: «{item['title']}» не выполнено (срок {date.fromisoformat(item['due_on']):%d.%m.%Y})")
    return found


def status_page(
    tx: Tx, scope: ReadScope, query: StatusQuery, limit: int | None, offset: int = 0
) -> tuple[int, int, list[dict[str, Any]]]:
    """(organizations matching, checklist items in force, this page of rows), each row with what
    is overdue in words (`overdue_items`)."""
    missed = missed_deadlines(tx, scope, query)
    total, items_total, rows = status_rows(
        tx, scope.area, query, {org: len(found) for org, found in missed.items()}, limit, offset
    )
    for row in rows:
        row["overdue_items"] = overdue_items(row, missed)
    return total, items_total, rows


def overdue_items(row: dict[str, Any], missed: dict[str, list[str]]) -> list[str]:
    """What is overdue for one organization, in words (the same rules as the SQL's count)."""
    found = list(missed.get(row["id"], []))
    if row["waiting"]:
        found.append(f"заявки наставников ждут решения дольше 30 дней: {row['waiting']}")
    return found
