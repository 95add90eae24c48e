"""The auditor's pages at /staff/audit (the institute reads them too): the log by position, any
record's history with its state as known at a moment and as in force on a date, a finder of
records, the verification of the log and the latest signed checkpoint, and the reproduction of
a report from its manifest.

Everything is read from the log itself through the audit API's own functions (`api.audit`), and
nothing here writes to the registry.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api import audit
from api.problems import ApiProblem
from api.reads.common import views_of
from api.staff.history import history_context
from api.staff.pages import render, xlsx_download
from api.staff.record_history import (
    aggregate_title,
    effective_by,
    event_facts,
    event_row,
    ru_moment,
)
from api.staff.report_request import parse_day
from api.staff.session import SignedIn, require_staff_roles
from projections.audit_reads import records_named
from registry.values import Role

router = APIRouter()

AUDITORS = (Role.ADMIN, Role.AUDITOR)
LOG_PAGE = 50
_MOMENT = re.compile(r"^(\d{1,2}\.\d{1,2}\.\d{4})(?:[ T](\d{1,2}):(\d{2}))?$")


def parse_moment_ru(text: str) -> datetime:
    """`дд.мм.гггг` (the end of that day) or `дд.мм.гггг чч:мм`, in UTC; ValueError otherwise."""
    found = _MOMENT.match(text.strip())
    if not found:
        raise ValueError(text)
    day = parse_day(found.group(1))
    if found.group(2) is None:
        return datetime.combine(day, time.max, tzinfo=UTC)
    return datetime.combine(day, time(int(found.group(2)), int(found.group(3))), tzinfo=UTC)


# -- the log by position -----------------------------------------------------------------------


def _log_page(request: Request, actor: Any, after: int, limit: int) -> audit.LogPage:
    return audit.event_log(request, Response(), actor, after=after, limit=limit)


@router.get("/audit/log")
def event_log(request: Request, after: int = 0, staff: SignedIn = require_staff_roles(*AUDITORS)) -> Response:
    """The log from a position on, LOG_PAGE events a page, each with who and when."""
    actor = staff.actor
    after = max(0, after)
    page = _log_page(request, actor, after, LOG_PAGE)
    rows = [event_row(e) for e in page.items]
    for row in rows:
        row["aggregate"] = aggregate_title(row["type"].split(".", 1)[0])
    return render(
        request,
        "staff/audit_log.html.j2",
        **{
            "page": page,
            "rows": rows,
            "after": after,
            "previous": max(0, after - LOG_PAGE) if after > 0 else None,
            "next": page.next_after if page.next_after < page.head and page.items else None,
        },
    )


@router.get("/audit/log.xlsx")
def event_log_xlsx(
    request: Request, after: int = 0, limit: int = 1000, staff: SignedIn = require_staff_roles(*AUDITORS)
) -> Response:
    """Up to 1,000 events of the log from a position on, as an Excel file."""
    actor = staff.actor
    page = _log_page(request, actor, max(0, after), min(max(1, limit), 1000))
    rows = [
        [
            e.position,
            e.recorded_at.astimezone(UTC).strftime("%d.%m.%Y %H:%M:%S"),
            r["title"],
            e.type,
            str(e.aggregate_id),
            e.version,
            r["effective_date"],
            r["who"],
            r["role"],
            e.reason or "",
            "; ".join(f"{k}: {v}" for k, v in r["facts"]),
        ]
        for e, r in ((e, event_row(e)) for e in page.items)
    ]
    header = [
        "Позиция",
        "Записано (UTC)",
        "Событие",
        "Тип",
        "Запись",
        "Версия",
        "Дата факта",
        "Кто",
        "Роль",
        "Причина",
        "Сведения",
    ]
    return xlsx_download(f"zhurnal_{after + 1}_{page.next_after}.xlsx", header, rows)


# -- finding a record ---------------------------------------------------------------------------


def _found(request: Request, text: str) -> dict[str, list[dict[str, Any]]]:
    with views_of(request).transaction(write=False) as tx:
        return records_named(tx, text)


@router.get("/audit/records")
def find_record(request: Request, q: str = "", staff: SignedIn = require_staff_roles(*AUDITORS)) -> Response:
    """Find a record by its id (straight to its history) or by a part of a name."""
    text = q.strip()[:200]
    try:
        return RedirectResponse(f"/staff/audit/records/{UUID(text)}", status_code=303)
    except ValueError:
        pass
    found = _found(request, text) if len(text) >= 2 else None
    return render(request, "staff/audit_find.html.j2", **{"q": text, "found": found})


# -- a record's history -------------------------------------------------------------------------


def _history(request: Request, actor: Any, record_id: str) -> audit.History | None:
    """The record's history as the API gives it to this reader; None for a malformed or unknown id."""
    try:
        return audit.history(request, Response(), UUID(record_id), actor)
    except (ValueError, ApiProblem):
        return None


@router.get("/audit/records/{record_id}")
def record(
    request: Request,
    record_id: str,
    known_at: str = "",
    effective_on: str = "",
    staff: SignedIn = require_staff_roles(*AUDITORS),
) -> Response:
    """The whole history; the state as known at a moment; the facts in force on a date."""
    actor = staff.actor
    found = _history(request, actor, record_id)
    if found is None:
        return render(request, "staff/audit_not_found.html.j2", **{"record_id": record_id}, status=404)
    rows = [event_row(e) for e in found.events]
    errors: dict[str, str] = {}
    known: dict[str, Any] | None = None
    if known_at.strip():
        try:
            moment = parse_moment_ru(known_at)
        except ValueError:
            errors["known_at"] = "Момент не распознан: нужно дд.мм.гггг или дд.мм.гггг чч:мм (UTC)"
        else:
            try:
                state = audit.state(request, Response(), found.aggregate_id, actor, as_known_at=moment)
            except ApiProblem:
                known = {"moment": ru_moment(moment), "state": None}
            else:
                known = {
                    "moment": ru_moment(moment),
                    "version": state.version,
                    "state": event_facts({k: v for k, v in state.state.items() if k != "id"}),
                }
    effective: dict[str, Any] | None = None
    if effective_on.strip():
        try:
            day = parse_day(effective_on)
        except ValueError:
            errors["effective_on"] = "Дата не распознана: нужно дд.мм.гггг"
        else:
            effective = {"day": day, "rows": effective_by(rows, day)}
    return render(
        request,
        "staff/audit_record.html.j2",
        **history_context(request, staff, found.aggregate_id),
        **{
            "history": found,
            "rows": rows,
            "kind": aggregate_title(found.aggregate_type),
            "title": _record_title(rows),
            "known": known,
            "effective": effective,
            "errors": errors,
            "values": {"known_at": known_at, "effective_on": effective_on},
        },
        status=422 if errors else 200,
    )


def _record_title(rows: list[dict[str, Any]]) -> str:
    """The record's name as its events say it (the latest name given), else nothing."""
    title = ""
    for row in rows:
        for name, value in row["facts"]:
            if name == "название":
                title = value
            elif name == "персональные данные" and value.startswith("ФИО: "):
                title = value.removeprefix("ФИО: ").split(";", 1)[0]
    return title


@router.get("/audit/records/{record_id}/history.xlsx")
def record_xlsx(request: Request, record_id: str, staff: SignedIn = require_staff_roles(*AUDITORS)) -> Response:
    actor = staff.actor
    found = _history(request, actor, record_id)
    if found is None:
        return render(request, "staff/audit_not_found.html.j2", **{"record_id": record_id}, status=404)
    rows = [
        [
            r["version"],
            r["recorded_at"],
            r["title"],
            r["type"],
            r["effective_date"],
            r["who"],
            r["role"],
            r["reason"] or "",
            "; ".join(f"{k}: {v}" for k, v in r["facts"]),
        ]
        for r in (event_row(e) for e in found.events)
    ]
    header = ["Версия", "Записано", "Событие", "Тип", "Дата факта", "Кто", "Роль", "Причина", "Сведения"]
    return xlsx_download(f"istoriya_{record_id}.xlsx", header, rows)
