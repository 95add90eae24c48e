"""Programs and outputs, target plans, reference lists."""

from __future__ import annotations

from typing import Any

from projections.appliers.base import as_json, day, ident, on, origin
from projections.figure_marks import before_deleting_output, of_program, organization
from projections.store import Tx


@on("Program.Adopted")
def program_adopted(tx: Tx, e: Any) -> None:
    order = e.order
    tx.execute(
        "INSERT INTO {p}programs (id, organization_id, title, forms, starts_on, ends_on, "
        "order_number, order_issued_on, order_link, personalized) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            origin(e),
            ident(e.organization_id),
            e.title,
            as_json(e.forms),
            day(e.starts_on),
            day(e.ends_on),
            order.number if order else None,
            day(order.issued_on) if order else None,
            order.link if order else None,
            1 if e.personalized else 0,
        ),
    )
    organization(tx, ident(e.organization_id))


@on("Program.OutputRecorded")
def output_recorded(tx: Tx, e: Any) -> None:
    tx.execute(
        "INSERT INTO {p}outputs (program_id, output_id, organization_id, kind, title, produced_on, "
        "evidence_link, pair_id) SELECT id, %s, organization_id, %s, %s, %s, %s, %s "
        "FROM {p}programs WHERE id = %s",
        (
            str(e.output_id),
            e.kind,
            e.title,
            day(e.produced_on),
            e.evidence_link,
            ident(e.pair_id),
            origin(e),
        ),
    )
    of_program(tx, origin(e))


@on("Program.OutputRetracted")
def output_retracted(tx: Tx, e: Any) -> None:
    before_deleting_output(tx, origin(e), str(e.output_id))
    tx.execute(
        "DELETE FROM {p}outputs WHERE program_id = %s AND output_id = %s",
        (origin(e), str(e.output_id)),
    )


@on("TargetPlan.Created")
def target_plan_created(tx: Tx, e: Any) -> None:
    tx.execute(
        "INSERT INTO {p}target_plans (id, indicator, unit_kind, unit_id) VALUES (%s, %s, %s, %s)",
        (origin(e), e.indicator, e.unit_kind, str(e.unit_id)),
    )


@on("TargetPlan.TargetSet")
def target_set(tx: Tx, e: Any) -> None:
    tx.execute(
        "INSERT INTO {p}targets (plan_id, year, share_percent) VALUES (%s, %s, %s) "
        "ON CONFLICT (plan_id, year) DO UPDATE SET share_percent = excluded.share_percent",
        (origin(e), int(e.year), str(e.share_percent)),
    )


@on("ReferenceList.Created")
def reference_list_created(tx: Tx, e: Any) -> None:
    tx.execute("INSERT INTO {p}reference_lists (id, kind) VALUES (%s, %s)", (origin(e), e.kind))


@on("ReferenceList.EntryAdded")
def reference_entry_added(tx: Tx, e: Any) -> None:
    tx.execute(
        "INSERT INTO {p}reference_entries (list_id, code, seq, title, retired) "
        "VALUES (%s, %s, %s, %s, 0)",
        (origin(e), e.code, int(e.originator_version), e.title),
    )


@on("ReferenceList.EntryRenamed")
def reference_entry_renamed(tx: Tx, e: Any) -> None:
    tx.execute(
        "UPDATE {p}reference_entries SET title = %s WHERE list_id = %s AND code = %s",
        (e.title, origin(e), e.code),
    )


@on("ReferenceList.EntryRetired")
def reference_entry_retired(tx: Tx, e: Any) -> None:
    tx.execute(
        "UPDATE {p}reference_entries SET retired = 1 WHERE list_id = %s AND code = %s",
        (origin(e), e.code),
    )
