"""Roadmap items per organization from the views: done in time, done late, overdue or pending.

An item of the region's roadmap applies to every open organization, one of a municipality's
roadmap to that municipality's open organizations. Its state compares the organization's
checklist (`completed_on`, a date of the world) with the item's deadline and today:

* **done** — completed on or before `due_on`; **done_late** — completed after it;
* **overdue** — not completed and `due_on` is past; **pending** — not completed, still in time.
"""

from __future__ import annotations

from typing import Any

from projections.read_sql import WHOLE_REGION, Area, Where, dicts
from projections.store import Tx

DONE, DONE_LATE, OVERDUE, PENDING = "done", "done_late", "overdue", "pending"
STATE_RU = {DONE: "выполнено в срок", DONE_LATE: "выполнено с опозданием", OVERDUE: "просрочено",
            PENDING: "срок не наступил"}

_COLUMNS = [
    "organization_id", "organization", "municipality_id", "municipality", "roadmap_municipality_id",
    "item", "title", "due_on", "responsible", "document_kind", "completed_on", "document_number",
    "document_link",
]


def state(due_on: str, completed_on: str | None, today: str) -> str:
    """One item's state for one organization (ISO dates compare as text)."""
    if completed_on is not None:
        return DONE if completed_on <= due_on else DONE_LATE
    return OVERDUE if today > due_on else PENDING


def planned_items(tx: Tx, area: Area) -> list[dict[str, Any]]:
    """The items planned by the region's roadmap and by the municipalities' of the area, by due date."""
    condition, params = area.municipality_condition("r.municipality_id")
    return dicts(
        tx,
        "SELECT r.municipality_id, ri.item, COALESCE(e.title, ri.item), ri.due_on, ri.responsible, "
        "ri.document_kind FROM {p}roadmap_items ri JOIN {p}roadmaps r ON r.id = ri.roadmap_id "
        "LEFT JOIN {p}reference_lists l ON l.kind = 'checklist_item' "
        "LEFT JOIN {p}reference_entries e ON e.list_id = l.id AND e.code = ri.item "
        f"WHERE r.municipality_id IS NULL OR {condition} ORDER BY ri.due_on, ri.item, r.municipality_id",
        params,
        ["municipality_id", "item", "title", "due_on", "responsible", "document_kind"],
    )


def item_states(
    tx: Tx, today: str, *, area: Area = WHOLE_REGION, organization_id: str | None = None,
    municipality_id: str | None = None,
) -> list[dict[str, Any]]:
    """Every planned item of every open organization in `area` (or just of this organization or
    municipality), with its state."""
    where = Where().add("o.closed_on IS NULL").area(area, "o.id", "o.municipality_id")
    where.eq("o.id", organization_id).eq("o.municipality_id", municipality_id)
    rows = tx.rows(
        "SELECT o.id, o.name, o.municipality_id, m.name, r.municipality_id, ri.item, "
        "COALESCE(e.title, ri.item), ri.due_on, ri.responsible, ri.document_kind, ch.completed_on, "
        "ch.document_number, ch.document_link "
        "FROM {p}organizations o JOIN {p}municipalities m ON m.id = o.municipality_id "
        "JOIN {p}roadmaps r ON (r.municipality_id IS NULL OR r.municipality_id = o.municipality_id) "
        "JOIN {p}roadmap_items ri ON ri.roadmap_id = r.id "
        "LEFT JOIN {p}checklist ch ON ch.organization_id = o.id AND ch.item = ri.item "
        "LEFT JOIN {p}reference_lists l ON l.kind = 'checklist_item' "
        "LEFT JOIN {p}reference_entries e ON e.list_id = l.id AND e.code = ri.item "
        f"{where} ORDER BY m.name, o.name, o.id, ri.due_on, ri.item, r.municipality_id",
        where.params,
    )
    out = []
    for row in rows:
        item = dict(zip(_COLUMNS, row, strict=True))
        item["state"] = state(item["due_on"], item["completed_on"], today)
        out.append(item)
    return out


def overdue_by_municipality(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per municipality: overdue items and how many organizations have any."""
    found: dict[str, dict[str, Any]] = {}
    for item in items:
        entry = found.setdefault(item["municipality_id"], {
            "municipality_id": item["municipality_id"], "municipality": item["municipality"],
            "overdue_items": 0, "organizations": set(), "organizations_with_overdue": set()})
        entry["organizations"].add(item["organization_id"])
        if item["state"] == OVERDUE:
            entry["overdue_items"] += 1
            entry["organizations_with_overdue"].add(item["organization_id"])
    return [
        {**entry, "organizations": len(entry["organizations"]),
         "organizations_with_overdue": len(entry["organizations_with_overdue"])}
        for entry in sorted(found.values(), key=lambda e: (e["municipality"], e["municipality_id"]))
    ]
