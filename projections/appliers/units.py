"""Units: municipalities, organizations, contingents, the implementation checklist."""

from __future__ import annotations

from typing import Any

from projections.appliers.base import day, ident, on, origin
from projections.store import Tx


@on("Region.Registered")
def region_registered(tx: Tx, e: Any) -> None:
    tx.execute("INSERT INTO {p}regions (code, name) VALUES (%s, %s)", (e.code, e.name))


@on("Region.Renamed")
def region_renamed(tx: Tx, e: Any) -> None:
    tx.execute("UPDATE {p}regions SET name = %s WHERE code = %s", (e.name, e.code))


@on("Municipality.Registered")
def municipality_registered(tx: Tx, e: Any) -> None:
    tx.execute(
        "INSERT INTO {p}municipalities (id, name, region, code) VALUES (%s, %s, %s, %s)",
        (origin(e), e.name, e.region, e.code),
    )


@on("Municipality.Renamed")
def municipality_renamed(tx: Tx, e: Any) -> None:
    tx.execute("UPDATE {p}municipalities SET name = %s WHERE id = %s", (e.name, origin(e)))


@on("Organization.Registered")
def organization_registered(tx: Tx, e: Any) -> None:
    tx.execute(
        "INSERT INTO {p}organizations (id, name, kind, municipality_id, inn, registered_on) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        (origin(e), e.name, e.kind, ident(e.municipality_id), e.inn, day(e.registered_on)),
    )


@on("Organization.Renamed")
def organization_renamed(tx: Tx, e: Any) -> None:
    tx.execute("UPDATE {p}organizations SET name = %s WHERE id = %s", (e.name, origin(e)))


@on("Organization.Closed")
def organization_closed(tx: Tx, e: Any) -> None:
    tx.execute(
        "UPDATE {p}organizations SET closed_on = %s, close_reason = %s WHERE id = %s",
        (day(e.effective_date), e.reason, origin(e)),
    )


_FIGURES = (
    "students_total",
    "students_10_19",
    "students_15_19",
    "students_extra",
    "teachers_total",
    "young_teachers",
)


@on("Organization.ContingentReported", "Organization.ContingentCorrected")
def contingent(tx: Tx, e: Any) -> None:
    corrected = 1 if hasattr(e, "corrects_version") else 0  # a correction names what it corrects
    figures = [getattr(e.figures, name) for name in _FIGURES]
    updates = ", ".join(f"{name} = excluded.{name}" for name in _FIGURES)
    tx.execute(
        f"INSERT INTO {{p}}contingents (organization_id, year, {', '.join(_FIGURES)}, corrections) "
        f"VALUES (%s, %s, {', '.join(['%s'] * len(_FIGURES))}, %s) "
        f"ON CONFLICT (organization_id, year) DO UPDATE SET {updates}, "
        "corrections = {p}contingents.corrections + excluded.corrections",
        (origin(e), int(e.year), *figures, corrected),
    )


@on("Organization.ChecklistItemCompleted")
def checklist_item_completed(tx: Tx, e: Any) -> None:
    doc = e.document
    tx.execute(
        "INSERT INTO {p}checklist (organization_id, item, completed_on, document_number, "
        "document_issued_on, document_link) VALUES (%s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (organization_id, item) DO UPDATE SET completed_on = excluded.completed_on, "
        "document_number = excluded.document_number, "
        "document_issued_on = excluded.document_issued_on, document_link = excluded.document_link",
        (origin(e), e.item, day(e.completed_on), doc.number, day(doc.issued_on), doc.link),
    )


@on("Organization.ChecklistItemReopened")
def checklist_item_reopened(tx: Tx, e: Any) -> None:
    tx.execute(
        "DELETE FROM {p}checklist WHERE organization_id = %s AND item = %s", (origin(e), e.item)
    )
