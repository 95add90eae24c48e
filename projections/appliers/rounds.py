"""Monitoring rounds (the rounds, their addressees, the facts a round asks for, the frozen report)
and roadmaps.

The facts (`round_facts`) are kept from the organizations', programs' and pairs' own events with
the moment each was recorded (the event's timestamp): a round's status is derived from them.
These appliers run after the ones of the same topics in `units`, `programs` and `pairs` (they are
registered later), so the rows they read (a program's organization) are there.
"""

from __future__ import annotations

import json
from typing import Any

from projections.appliers.base import day, ident, on, origin
from projections.rounds import ROUND_COLUMNS, round_row, stamp, statuses
from projections.store import Tx


def _fact(tx: Tx, organization_id: str, kind: str, key: str, year: int | None, e: Any) -> None:
    tx.execute(
        "INSERT INTO {p}round_facts (organization_id, kind, key, year, recorded_at) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (organization_id, kind, key) DO NOTHING",
        (organization_id, kind, key, year, stamp(e.timestamp)),
    )


def _forget(tx: Tx, organization_id: str, kind: str, key: str) -> None:
    tx.execute(
        "DELETE FROM {p}round_facts WHERE organization_id = %s AND kind = %s AND key = %s",
        (organization_id, kind, key),
    )


# -- the facts ----------------------------------------------------------------------------------


@on("Organization.ContingentReported")
def contingent_reported(tx: Tx, e: Any) -> None:
    _fact(tx, origin(e), "contingent", str(int(e.year)), int(e.year), e)


@on("Organization.ChecklistItemCompleted")
def checklist_item_completed(tx: Tx, e: Any) -> None:
    _fact(tx, origin(e), "checklist", e.item, e.completed_on.year, e)


@on("Organization.ChecklistItemReopened")
def checklist_item_reopened(tx: Tx, e: Any) -> None:
    _forget(tx, origin(e), "checklist", e.item)


@on("Program.OutputRecorded")
def output_recorded(tx: Tx, e: Any) -> None:
    row = tx.one("SELECT organization_id FROM {p}programs WHERE id = %s", (origin(e),))
    if row is not None:
        _fact(tx, row[0], "output", f"{origin(e)}/{e.output_id}", e.produced_on.year, e)


@on("Program.OutputRetracted")
def output_retracted(tx: Tx, e: Any) -> None:
    row = tx.one("SELECT organization_id FROM {p}programs WHERE id = %s", (origin(e),))
    if row is not None:
        _forget(tx, row[0], "output", f"{origin(e)}/{e.output_id}")


@on("Pair.Formed")
def pair_formed(tx: Tx, e: Any) -> None:
    _fact(tx, ident(e.organization_id) or "", "pair", origin(e), e.started_on.year, e)


@on("Pair.StartCorrected")
def pair_start_corrected(tx: Tx, e: Any) -> None:
    tx.execute(
        "UPDATE {p}round_facts SET year = %s WHERE kind = 'pair' AND key = %s",
        (e.started_on.year, origin(e)),
    )


# -- the rounds -----------------------------------------------------------------------------------


@on("MonitoringRound.Opened")
def round_opened(tx: Tx, e: Any) -> None:
    values = {
        "id": origin(e),
        "title": e.title,
        "year": int(e.year),
        "asked": json.dumps(list(e.asked)),
        "checklist_items": json.dumps(list(e.checklist_items)),
        "organization_kinds": json.dumps(list(e.organization_kinds)),
        "municipality_id": ident(e.municipality_id),
        "opened_on": day(e.opened_on),
        "due_on": day(e.due_on),
        "time_zone": e.time_zone,
        "reminders_to": json.dumps(list(e.reminders_to)),
        "opened_at": stamp(e.timestamp),
        "closed_on": None,
        "closed_at": None,
    }
    tx.execute(
        f"INSERT INTO {{p}}rounds ({', '.join(ROUND_COLUMNS)}) VALUES ({', '.join(['%s'] * len(ROUND_COLUMNS))})",
        [values[c] for c in ROUND_COLUMNS],
    )
    # The addressees are fixed at the opening: the open organizations of the asked kinds.
    kinds = list(e.organization_kinds)
    condition = f"kind IN ({', '.join(['%s'] * len(kinds))}) AND closed_on IS NULL"
    params: list[Any] = [origin(e), *kinds]
    if e.municipality_id is not None:
        condition += " AND municipality_id = %s"
        params.append(ident(e.municipality_id))
    tx.execute(
        f"INSERT INTO {{p}}round_organizations (round_id, organization_id) "
        f"SELECT %s, id FROM {{p}}organizations WHERE {condition}",
        params,
    )


@on("MonitoringRound.Closed")
def round_closed(tx: Tx, e: Any) -> None:
    closed_at = stamp(e.timestamp)
    tx.execute(
        "UPDATE {p}rounds SET closed_on = %s, closed_at = %s WHERE id = %s",
        (day(e.closed_on), closed_at, origin(e)),
    )
    rnd = round_row(tx, origin(e))
    if rnd is None:
        return
    # Frozen: what every addressee had recorded by the close, judged at the moment of the close.
    for item in statuses(tx, rnd, closed_at):
        tx.execute(
            "INSERT INTO {p}round_report (round_id, organization_id, organization, municipality_id, "
            "municipality, status, overdue, last_recorded_at, missing) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                rnd["id"], item["organization_id"], item["organization"], item["municipality_id"],
                item["municipality"], item["status"], 1 if item["overdue"] else 0,
                item["last_recorded_at"], json.dumps(item["missing"], ensure_ascii=False),
            ),
        )


# -- roadmaps -------------------------------------------------------------------------------------


@on("Roadmap.Created")
def roadmap_created(tx: Tx, e: Any) -> None:
    tx.execute(
        "INSERT INTO {p}roadmaps (id, municipality_id) VALUES (%s, %s)", (origin(e), ident(e.municipality_id))
    )


@on("Roadmap.ItemPlanned")
def roadmap_item_planned(tx: Tx, e: Any) -> None:
    tx.execute(
        "INSERT INTO {p}roadmap_items (roadmap_id, item, due_on, responsible, document_kind) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (roadmap_id, item) DO UPDATE SET due_on = excluded.due_on, "
        "responsible = excluded.responsible, document_kind = excluded.document_kind",
        (origin(e), e.item, day(e.due_on), e.responsible, e.document_kind),
    )


@on("Roadmap.ItemDropped")
def roadmap_item_dropped(tx: Tx, e: Any) -> None:
    tx.execute("DELETE FROM {p}roadmap_items WHERE roadmap_id = %s AND item = %s", (origin(e), e.item))
