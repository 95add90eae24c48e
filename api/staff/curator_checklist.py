"""The organization's implementation checklist: each item done or not, with the document that
proves it (number, date, link); the curator marks an item done or takes the mark back."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.reads import units
from api.staff import pages
from api.staff.curator import curator_only, own_organization
from api.staff.history import history_context
from api.staff.session import CurrentStaff, SignedIn
from registry import commands as c
from registry.values import Role

router = APIRouter()


def _page(request: Request, staff: SignedIn, status: int = 200, **context: object) -> Response:
    organization_id = own_organization(staff)
    organization = pages.api_read(units.organization, request, pages.scope(staff), organization_id).item
    context.setdefault("errors", {})
    context.setdefault("message", None)
    context.setdefault("values", {})
    context.setdefault("failed_item", None)
    return pages.render(request, "staff/checklist.html.j2", status=status, organization=organization,
                        **context, **history_context(request, staff, organization_id))


@router.get("/checklist")
def checklist(request: Request, staff: CurrentStaff) -> Response:
    if staff.actor.role != Role.CURATOR:
        curator_only(staff)
    return _page(request, staff)


@router.post("/checklist/{item}")
def complete_item(request: Request, staff: CurrentStaff, item: str, form: pages.PostedForm) -> Response:
    organization_id = curator_only(staff)
    data = {
        "organization_id": organization_id, "item": item,
        "completed_on": form.date(f"{item}.completed_on", "completed_on"),
        "document": {"number": form.text(f"{item}.number"),
                     "issued_on": form.date(f"{item}.issued_on", "document.issued_on"),
                     "link": form.text(f"{item}.link")},
    }
    outcome = pages.execute(request, staff, c.CompleteChecklistItem, data, form)
    if outcome.ok:
        return pages.see_other(f"/staff/checklist#item-{item}", done="saved")
    return _page(request, staff, status=422, errors=outcome.errors, message=outcome.message,
                 values=form.form, failed_item=item)


@router.post("/checklist/{item}/reopen")
def reopen_item(request: Request, staff: CurrentStaff, item: str, form: pages.PostedForm) -> Response:
    organization_id = curator_only(staff)
    data = {"organization_id": organization_id, "item": item, "reason": form.text(f"{item}.reason")}
    outcome = pages.execute(request, staff, c.ReopenChecklistItem, data, form)
    if outcome.ok:
        return pages.see_other(f"/staff/checklist#item-{item}", done="saved")
    return _page(request, staff, status=422, errors=outcome.errors, message=outcome.message,
                 values=form.form, failed_item=item)
