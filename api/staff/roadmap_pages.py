"""Roadmaps in the workspace: the planned checklist items with their deadlines (planned and
dropped by the institute for the region, by a municipal coordinator for its municipality), and
what is overdue, per municipality and per organization. Reads are the API's (`api.roadmaps`),
writes its commands (`PlanRoadmapItem`, `DropRoadmapItem`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api import roadmaps as api_roadmaps
from api.reads import units
from api.staff import pages
from api.staff.curator import reference
from api.staff.session import CurrentStaff, SignedIn, require_staff_roles
from registry import commands as c
from registry.roadmaps import DOCUMENT_KIND_RU
from registry.values import Role

router = APIRouter()

COORDINATORS = (Role.ADMIN, Role.MUNICIPAL)
pages.add_nav("/staff/roadmap", "Дорожная карта", Role.ADMIN, Role.MUNICIPAL, Role.CURATOR, Role.AUDITOR)
pages.NOTICES.update({"planned": "Пункт внесён в дорожную карту.", "dropped": "Пункт исключён из дорожной карты."})


def _context(request: Request, staff: SignedIn) -> dict[str, Any]:
    scope = pages.scope(staff)
    planned = pages.api_read(api_roadmaps.planned, request, scope).items
    municipalities = [(m.id, m.name) for m in pages.api_read(units.municipalities, request, scope).items]
    role = staff.actor.role
    own = staff.actor.municipality_id

    def may_change(item: Any) -> bool:
        return role == Role.ADMIN or (role == Role.MUNICIPAL and item.municipality_id == own)

    return {
        "planned": planned, "may_change": may_change, "may_plan": role in COORDINATORS,
        "is_admin": role == Role.ADMIN, "municipality_names": dict(municipalities), "municipalities": municipalities,
        "items": reference(request, "checklist_item"),
        "document_kinds": [(k.value, v) for k, v in DOCUMENT_KIND_RU.items()],
    }


def _page(request: Request, staff: SignedIn, status: int = 200, **context: Any) -> Response:
    context.setdefault("errors", {})
    context.setdefault("message", None)
    context.setdefault("values", {})
    return pages.render(request, "staff/roadmap.html.j2", status=status, **_context(request, staff), **context)


@router.get("/roadmap")
def roadmap(request: Request, staff: CurrentStaff) -> Response:
    return _page(request, staff)


def _municipality(staff: SignedIn, form: pages.FormInput) -> str | None:
    return staff.actor.municipality_id if staff.actor.role == Role.MUNICIPAL else form.text("municipality_id")


@router.post("/roadmap/plan")
def plan_item(request: Request, form: pages.PostedForm, staff: SignedIn = require_staff_roles(*COORDINATORS)) -> Response:
    data = {"item": form.text("item") or "", "municipality_id": _municipality(staff, form),
            "due_on": form.date("due_on"), "responsible": form.text("responsible") or "",
            "document_kind": form.text("document_kind") or "", "reason": form.text("reason")}
    outcome = pages.execute(request, staff, c.PlanRoadmapItem, data, form)
    if outcome.ok:
        return pages.see_other("/staff/roadmap", done="planned")
    return _page(request, staff, status=422, errors=outcome.errors, message=outcome.message, values=form.form)


@router.post("/roadmap/drop")
def drop_item(request: Request, form: pages.PostedForm, staff: SignedIn = require_staff_roles(*COORDINATORS)) -> Response:
    data = {"item": form.text("item") or "", "municipality_id": form.text("municipality_id"),
            "reason": form.text("drop_reason") or ""}
    outcome = pages.execute(request, staff, c.DropRoadmapItem, data, form)
    if outcome.ok:
        return pages.see_other("/staff/roadmap", done="dropped")
    errors = {("drop_reason" if k == "reason" else k): v for k, v in outcome.errors.items()}
    return _page(request, staff, status=422, errors=errors, message=outcome.message)


@router.get("/roadmap/overdue")
def overdue(request: Request, staff: CurrentStaff) -> Response:
    """Overdue items per municipality and, below, per organization (XLSX of the latter)."""
    scope = pages.scope(staff)
    by_municipality = pages.api_read(api_roadmaps.overdue_by_municipality, request, scope)
    states = pages.api_read(api_roadmaps.states, request, scope, state="overdue")
    if request.query_params.get("format") == "xlsx":
        rows = [[s.organization, s.municipality, s.title, s.due_on, s.responsible, s.document_kind_ru]
                for s in states.items]
        return pages.xlsx_download("prosrochennye-punkty.xlsx", ["Организация", "Муниципалитет", "Пункт", "Срок",
                                                                  "Ответственный", "Документ"], rows)
    return pages.render(request, "staff/roadmap_overdue.html.j2", today=by_municipality.today,
                        municipalities=by_municipality.items, states=states.items)
