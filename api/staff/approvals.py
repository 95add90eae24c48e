"""The institute's approval queue at /staff/approvals: approve or reject mentor applications,
one or many at once after one confirmation.

Reads go through the reader's scope (`api.scope`); decisions are `ApproveMentor` and
`RejectMentor` run as ONE batch (`Registry.execute_batch`): all recorded or none, the refused
application named. Only the institute decides (the commands' roles); a municipal coordinator and
an auditor see the queue of their scope read-only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.reads.common import views_of
from api.scope import scope_of
from api.staff.page_links import PAGE_SIZE, page_links, page_number
from api.staff.pages import render, xlsx_download
from api.staff.record_history import ru_date
from api.staff.report_request import parse_day
from api.staff.session import SignedIn, require_staff_roles
from projections.approval_queue import SORTS, QueueFilter, pending_by_ids, pending_page
from projections.reference_reads import reference_titles
from projections.unit_reads import unit_choices
from registry import commands as c
from registry.errors import BatchRefused, InvalidCommand, RegistryError
from registry.validation import parse_command
from registry.values import Actor, Role

router = APIRouter()

READERS = (Role.ADMIN, Role.AUDITOR, Role.MUNICIPAL)
MAX_AT_ONCE = 200

SORT_LABELS = {
    "applied": "сначала давние заявки",
    "applied_desc": "сначала новые заявки",
    "name": "по ФИО",
    "organization": "по муниципалитету и организации",
}


def _uuid_or_none(text: str | None) -> str | None:
    try:
        return str(UUID(text)) if text else None
    except ValueError:
        return None


def _filter(municipality_id: str | None, organization_id: str | None, sort: str | None) -> QueueFilter:
    return QueueFilter(
        municipality_id=_uuid_or_none(municipality_id),
        organization_id=_uuid_or_none(organization_id),
        sort=sort if sort in SORTS else "applied",
    )


def _query(chosen: QueueFilter) -> dict[str, str]:
    return {
        k: v
        for k, v in (
            ("municipality_id", chosen.municipality_id),
            ("organization_id", chosen.organization_id),
            ("sort", chosen.sort),
        )
        if v
    }


_DECIDED = {"approve": "Включены в реестр: {n}.", "reject": "Отклонены заявки: {n}."}


@router.get("/approvals")
def approvals(
    request: Request,
    municipality_id: str | None = None,
    organization_id: str | None = None,
    sort: str | None = None,
    page: str | None = None,
    decided: str | None = None,
    n: int = 0,
    staff: SignedIn = require_staff_roles(*READERS),
) -> Response:
    """The queue of the reader's scope, a page at a time."""
    actor = staff.actor
    scope = scope_of(actor)
    chosen = _filter(municipality_id, organization_id, sort)
    number = page_number(page)
    with views_of(request).transaction(write=False) as tx:
        total, items = pending_page(tx, scope.area, chosen, PAGE_SIZE, (number - 1) * PAGE_SIZE)
        choices = unit_choices(tx, scope.area)
        titles = reference_titles(tx)
    query = _query(chosen)
    return render(
        request,
        "staff/approvals.html.j2",
        **{
            "items": items,
            "total": total,
            "offset": (number - 1) * PAGE_SIZE,
            "chosen": chosen,
            "choices": choices,
            "sorts": SORT_LABELS,
            "titles": titles,
            "query": urlencode(query),
            "pages": page_links("/staff/approvals", query, number, total),
            "can_decide": actor.role == Role.ADMIN,
            "can_read_history": actor.role in (Role.ADMIN, Role.AUDITOR),
            "decided": _DECIDED[decided].format(n=n) if decided in _DECIDED and n > 0 else None,
        },
    )


@router.get("/approvals.xlsx")
def approvals_xlsx(
    request: Request,
    municipality_id: str | None = None,
    organization_id: str | None = None,
    sort: str | None = None,
    staff: SignedIn = require_staff_roles(*READERS),
) -> Response:
    """The whole queue (as filtered) as an Excel file."""
    actor = staff.actor
    chosen = _filter(municipality_id, organization_id, sort)
    with views_of(request).transaction(write=False) as tx:
        _, items = pending_page(tx, scope_of(actor).area, chosen, None)
        titles = reference_titles(tx)
    rows = [
        [
            m["full_name"],
            m["organization"],
            m["municipality"],
            m["position"],
            titles["mentor_type"].get(m["mentor_type"], m["mentor_type"]),
            "; ".join(titles["mentoring_form"].get(f, f) for f in m["forms"]),
            "; ".join(m["subjects"]),
            m["capacity"],
            ru_date(m["applied_on"]),
            m["id"],
        ]
        for m in items
    ]
    header = [
        "ФИО",
        "Организация",
        "Муниципалитет",
        "Должность",
        "Тип наставника",
        "Формы наставничества",
        "Предметы, компетенции",
        "Наставляемых одновременно",
        "Заявка подана",
        "Идентификатор",
    ]
    return xlsx_download(f"zayavki_{date.today():%Y%m%d}.xlsx", header, rows)


def _chosen(request: Request, actor: Actor, ids: list[str]) -> list[dict[str, object]]:
    wanted = [i for i in (_uuid_or_none(x) for x in ids[:MAX_AT_ONCE]) if i]
    with views_of(request).transaction(write=False) as tx:
        return pending_by_ids(tx, scope_of(actor).area, wanted)


def _back(message: str) -> RedirectResponse:
    return RedirectResponse("/staff/approvals?" + urlencode({"decided": message}), status_code=303)


@router.post("/approvals/confirm")
def confirm(
    request: Request,
    mentor_id: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI reads a default list per request
    action: Annotated[str, Form()] = "approve",
    one: Annotated[str, Form()] = "",
    staff: SignedIn = require_staff_roles(Role.ADMIN),
) -> Response:
    """The confirmation page: which applications, and the date or the reason the decision needs."""
    actor = staff.actor
    if one:  # a row's own button: that application alone
        action, _, single = one.partition(":")
        mentor_id = [single]
    if action not in ("approve", "reject"):
        action = "approve"
    items = _chosen(request, actor, mentor_id)
    if not items:
        return _back("none")
    today = request.app.state.registry.clock()
    return _confirm_page(request, actor, action, items, {}, {"effective_date": f"{today:%d.%m.%Y}", "reason": ""}, None)


def _confirm_page(
    request: Request,
    actor: Actor,
    action: str,
    items: list[dict[str, object]],
    errors: dict[str, str],
    values: dict[str, str],
    error: str | None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "staff/approvals_confirm.html.j2",
        **{
            "action": action,
            "items": items,
            "errors": errors,
            "values": values,
            "error": error,
        },
        status=status,
    )


def _decide(
    request: Request,
    actor: Actor,
    action: str,
    items: list[dict[str, object]],
    commands: list[c.Command],
    values: dict[str, str],
) -> Response:
    """Record the decisions as one batch; on a refusal show which application and why."""
    registry = request.app.state.registry
    try:
        registry.execute_batch(commands, actor)
    except BatchRefused as refused:
        who = items[refused.index]["full_name"] if refused.index < len(items) else ""
        field = refused.error.problems[0].field if refused.error.problems else ""
        errors = {"effective_date": refused.error.message} if field == "effective_date" else {}
        return _confirm_page(
            request, actor, action, items, errors, values, f"Заявка «{who}»: {refused.error.message}", status=422
        )
    except RegistryError as error:
        return _confirm_page(request, actor, action, items, {}, values, error.message, status=422)
    return RedirectResponse("/staff/approvals?" + urlencode({"decided": action, "n": len(commands)}), status_code=303)


@router.post("/approvals/approve")
def approve(
    request: Request,
    mentor_id: Annotated[list[str], Form()] = [],  # noqa: B006
    effective_date: Annotated[str, Form()] = "",
    staff: SignedIn = require_staff_roles(Role.ADMIN),
) -> Response:
    """Approve the confirmed applications on one date."""
    actor = staff.actor
    items = _chosen(request, actor, mentor_id)
    values = {"effective_date": effective_date, "reason": ""}
    if not items:
        return _back("none")
    try:
        day = parse_day(effective_date)
    except ValueError:
        message = "Укажите дату включения в реестр: дд.мм.гггг, например 15.09.2021"
        return _confirm_page(request, actor, "approve", items, {"effective_date": message}, values, None, 422)
    commands = [c.ApproveMentor(mentor_id=UUID(str(m["id"])), effective_date=day) for m in items]
    return _decide(request, actor, "approve", items, list(commands), values)


@router.post("/approvals/reject")
def reject(
    request: Request,
    mentor_id: Annotated[list[str], Form()] = [],  # noqa: B006
    reason: Annotated[str, Form()] = "",
    staff: SignedIn = require_staff_roles(Role.ADMIN),
) -> Response:
    """Reject the confirmed applications with one reason."""
    actor = staff.actor
    items = _chosen(request, actor, mentor_id)
    values = {"effective_date": "", "reason": reason}
    if not items:
        return _back("none")
    try:
        commands = [parse_command(c.RejectMentor, {"mentor_id": m["id"], "reason": reason}) for m in items]
    except InvalidCommand as invalid:
        message = next((p.message for p in invalid.problems if p.field == "reason"), invalid.message)
        return _confirm_page(
            request, actor, "reject", items, {"reason": f"Причина отказа: {message}"}, values, None, 422
        )
    return _decide(request, actor, "reject", items, list(commands), values)
