"""Programs of mentoring and their outputs: the list (XLSX too), adopting a program, its page
with outputs and the form to record one, and its history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.reads import mentoring
from api.staff import pages
from api.staff.curator import curator_only, reference, titles
from api.staff.history import history_context
from api.staff.session import CurrentStaff, SignedIn
from registry import commands as c
from registry.values import Role

router = APIRouter()


def _org(staff: SignedIn) -> str | None:
    return staff.actor.organization_id if staff.actor.role == Role.CURATOR else None


@router.get("/programs")
def program_list(request: Request, staff: CurrentStaff) -> Response:
    forms = titles(request, "mentoring_form")
    if request.query_params.get("format") == "xlsx":
        rows = [[p.title, ", ".join(forms.get(f, f) for f in p.forms), p.starts_on, p.ends_on,
                 p.order_number, len(p.outputs)]
                for p in pages.every_item(mentoring.programs, request, pages.scope(staff), organization_id=_org(staff))]
        return pages.xlsx_download("programmy.xlsx", ["Программа", "Формы", "Начало", "Окончание", "Приказ",
                                                      "Продуктов"], rows)
    paging = pages.Paging.of(request)
    found = pages.api_read(mentoring.programs, request, pages.scope(staff), organization_id=_org(staff),
                           limit=paging.limit, offset=paging.offset)
    paging = pages.Paging(paging.offset, paging.limit, found.total, request.url.path)
    return pages.render(request, "staff/programs.html.j2", items=found.items, paging=paging, form_titles=forms)


@router.get("/programs/new")
def program_form(request: Request, staff: CurrentStaff) -> Response:
    curator_only(staff)
    return pages.render(request, "staff/program_form.html.j2", values={}, errors={}, message=None,
                        forms=reference(request, "mentoring_form"))


@router.post("/programs/new")
def adopt_program(request: Request, staff: CurrentStaff, form: pages.PostedForm) -> Response:
    organization_id = curator_only(staff)
    order = {"number": form.text("order.number"), "issued_on": form.date("order.issued_on"),
             "link": form.text("order.link")}
    data = {
        "organization_id": organization_id, "title": form.text("title") or "", "forms": form.many("forms"),
        "starts_on": form.date("starts_on"), "ends_on": form.date("ends_on"),
        "order": order if any(order.values()) else None, "personalized": form.flag("personalized"),
    }
    outcome = pages.execute(request, staff, c.AdoptProgram, data, form)
    if outcome.ok:
        assert outcome.result is not None
        return pages.see_other(f"/staff/programs/{outcome.result.aggregate_id}", done="adopted")
    return pages.render(request, "staff/program_form.html.j2", status=422, values=form.form, errors=outcome.errors,
                        message=outcome.message, forms=reference(request, "mentoring_form"))


def _program_page(request: Request, staff: SignedIn, program_id: UUID, status: int = 200, **context: Any) -> Response:
    program = pages.api_read(mentoring.program, request, pages.scope(staff), program_id).item
    pairs = pages.api_read(mentoring.pairs, request, pages.scope(staff), organization_id=program.organization_id,
                           limit=1000).items
    context.setdefault("errors", {})
    context.setdefault("message", None)
    context.setdefault("values", {})
    return pages.render(
        request, "staff/program.html.j2", status=status, program=program, form_titles=titles(request, "mentoring_form"),
        output_kinds=reference(request, "output_kind"), output_titles=titles(request, "output_kind"),
        pair_options=[(p.id, f"пара от {pages.ru_date(p.started_on)} ({p.form})") for p in pairs],
        **context, **history_context(request, staff, program_id),
    )


@router.get("/programs/{program_id}")
def program_page(request: Request, staff: CurrentStaff, program_id: UUID) -> Response:
    return _program_page(request, staff, program_id)


@router.post("/programs/{program_id}/outputs")
def record_output(request: Request, staff: CurrentStaff, program_id: UUID, form: pages.PostedForm) -> Response:
    curator_only(staff)
    pages.api_read(mentoring.program, request, pages.scope(staff), program_id)  # 404 outside the scope
    data = {"program_id": program_id, "kind": form.text("kind") or "", "title": form.text("title") or "",
            "produced_on": form.date("produced_on"), "evidence_link": form.text("evidence_link"),
            "pair_id": form.text("pair_id")}
    outcome = pages.execute(request, staff, c.RecordProgramOutput, data, form)
    if outcome.ok:
        return pages.see_other(f"/staff/programs/{program_id}", done="saved")
    return _program_page(request, staff, program_id, status=422, errors=outcome.errors, message=outcome.message,
                         values=form.form)
