"""Monitoring rounds in the workspace: the list, opening a round (the institute for the region,
a municipal coordinator for its municipality), a round's page with each organization's status
(filter «overdue», XLSX), closing it after a confirmation, and the frozen report with its
manifest. Reads are the API's (`api.rounds`), writes its commands: no rules of their own here.
Who sees which round follows the API: a curator the rounds asking its organization."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api import rounds as api_rounds
from api.reads import units
from api.staff import pages
from api.staff.curator import reference
from api.staff.session import CurrentStaff, SignedIn, require_staff_roles
from api.staff.words import FIELDS_RU, ORGANIZATION_KIND_RU
from projections import rounds as r
from registry import commands as c
from registry.values import Role

router = APIRouter()

ANY_STAFF = (Role.ADMIN, Role.MUNICIPAL, Role.CURATOR, Role.AUDITOR)
COORDINATORS = (Role.ADMIN, Role.MUNICIPAL)
pages.add_nav("/staff/rounds", "Мониторинги", *ANY_STAFF)
pages.NOTICES.update({"round_opened": "Мониторинг объявлен.", "round_closed": "Мониторинг закрыт, отчёт зафиксирован."})

# The error summary names a field by its last part (rounds' and roadmaps' fields, in Russian).
for _code, _text in {"asked": "что запрашивается", "checklist_items": "пункты чек-листа",
                     "organization_kinds": "у каких организаций", "opened_on": "дата объявления",
                     "due_on": "срок", "closed_on": "дата закрытия", "reminders_to": "адреса для напоминаний",
                     "round_id": "мониторинг", "time_zone": "часовой пояс", "responsible": "ответственный",
                     "document_kind": "документ", "drop_reason": "причина исключения",
                     "subject": "предмет или направление"}.items():
    FIELDS_RU.setdefault(_code, _text)

ASKED_RU = {"contingent": "контингент за год", "checklist": "пункты чек-листа", "outputs": "продукты программ за год",
            "pairs": "пары и группы, сформированные к концу года"}
KIND_RU = ORGANIZATION_KIND_RU


def _kinds(request: Request) -> list[tuple[str, str]]:
    return list(ORGANIZATION_KIND_RU.items())


def _statuses(request: Request, staff: SignedIn, round_id: UUID, overdue: bool | None = None) -> Any:
    return pages.api_read(api_rounds.round_statuses, request, pages.scope(staff), round_id, overdue=overdue)


def _may_run(staff: SignedIn, rnd: Any) -> bool:
    """The one who runs the round: the institute, or the coordinator of its municipality (as the API)."""
    role = staff.actor.role
    return role == Role.ADMIN or (role == Role.MUNICIPAL and rnd.municipality_id == staff.actor.municipality_id)


@router.get("/rounds")
def round_list(request: Request, staff: CurrentStaff) -> Response:
    found = pages.api_read(api_rounds.list_rounds, request, pages.scope(staff)).items
    own: dict[str, Any] = {}
    if staff.actor.role == Role.CURATOR:
        # What is still missing from the curator's own organization, round by round.
        for rnd in found:
            items = _statuses(request, staff, UUID(rnd.id)).items
            own[rnd.id] = items[0] if items else None
    return pages.render(request, "staff/rounds.html.j2", rounds=found, own=own, asked_ru=ASKED_RU,
                        may_open=staff.actor.role in COORDINATORS)


def _municipalities(request: Request, staff: SignedIn) -> list[tuple[str, str]]:
    found = pages.api_read(units.municipalities, request, pages.scope(staff)).items
    return [(m.id, m.name) for m in found]


def _form_context(request: Request, staff: SignedIn) -> dict[str, Any]:
    return {"asked_options": list(ASKED_RU.items()), "kind_options": _kinds(request),
            "checklist_options": reference(request, "checklist_item"),
            "municipalities": _municipalities(request, staff), "is_admin": staff.actor.role == Role.ADMIN}


@router.get("/rounds/new")
def round_form(request: Request, staff: SignedIn = require_staff_roles(*COORDINATORS)) -> Response:
    today = request.app.state.registry.clock()
    values = {"year": str(today.year), "opened_on": pages.ru_date(today), "asked": ["contingent"],
              "organization_kinds": ["school"]}
    return pages.render(request, "staff/round_form.html.j2", values=values, errors={}, message=None,
                        **_form_context(request, staff))


@router.post("/rounds/new")
def open_round(request: Request, form: pages.PostedForm,
               staff: SignedIn = require_staff_roles(*COORDINATORS)) -> Response:
    municipality = (staff.actor.municipality_id if staff.actor.role == Role.MUNICIPAL
                    else form.text("municipality_id"))
    emails = [e.strip() for e in (form.text("reminders_to") or "").replace(";", ",").split(",") if e.strip()]
    data = {
        "title": form.text("title") or "", "year": form.integer("year"), "asked": form.many("asked"),
        "checklist_items": form.many("checklist_items"), "organization_kinds": form.many("organization_kinds"),
        "municipality_id": municipality, "opened_on": form.date("opened_on"), "due_on": form.date("due_on"),
        "reminders_to": emails,
    }
    outcome = pages.execute(request, staff, c.OpenMonitoringRound, data, form)
    if outcome.ok:
        assert outcome.result is not None
        return pages.see_other(f"/staff/rounds/{outcome.result.aggregate_id}", done="round_opened")
    errors = {k.split(".")[0] if k.startswith(("asked.", "reminders_to.", "checklist_items.",
                                                "organization_kinds.")) else k: v
              for k, v in outcome.errors.items()}
    values = {**{k: form.form.get(k) for k in form.form}, "asked": form.many("asked"),
              "checklist_items": form.many("checklist_items"), "organization_kinds": form.many("organization_kinds")}
    return pages.render(request, "staff/round_form.html.j2", status=422, values=values, errors=errors,
                        message=outcome.message, **_form_context(request, staff))


def _round_page(request: Request, staff: SignedIn, round_id: UUID, status: int = 200, **context: Any) -> Response:
    found = pages.api_read(api_rounds.get_round, request, pages.scope(staff), round_id)
    only_overdue = request.query_params.get("overdue") in ("1", "on")
    statuses = _statuses(request, staff, round_id, overdue=True if only_overdue else None)
    if request.query_params.get("format") == "xlsx":
        rows = [[s.organization, s.municipality, s.status_ru, "да" if s.overdue else "нет", "; ".join(s.missing_ru)]
                for s in statuses.items]
        return pages.xlsx_download(f"monitoring-{round_id}.xlsx", ["Организация", "Муниципалитет", "Статус",
                                                                     "Срок истёк", "Не представлено"], rows)
    rnd = found.item
    titles = dict(reference(request, "checklist_item"))
    context.setdefault("errors", {})
    context.setdefault("message", None)
    context.setdefault("values", {})
    return pages.render(
        request, "staff/round.html.j2", status=status, rnd=rnd, summary=found.summary, statuses=statuses.items,
        frozen=statuses.frozen, only_overdue=only_overdue, asked_ru=ASKED_RU, kind_ru=KIND_RU,
        checklist_titles=titles, may_run=_may_run(staff, rnd),
        may_report=rnd.status == "closed" and (_may_run(staff, rnd) or staff.actor.role == Role.AUDITOR),
        **context,
    )


@router.get("/rounds/{round_id}")
def round_page(request: Request, staff: CurrentStaff, round_id: UUID) -> Response:
    return _round_page(request, staff, round_id)


@router.get("/rounds/{round_id}/close")
def close_confirmation(request: Request, round_id: UUID,
                       staff: SignedIn = require_staff_roles(*COORDINATORS)) -> Response:
    rnd = pages.api_read(api_rounds.get_round, request, pages.scope(staff), round_id)
    values = {"closed_on": pages.ru_date(request.app.state.registry.clock())}
    return pages.render(request, "staff/round_close.html.j2", rnd=rnd.item, summary=rnd.summary, values=values,
                        errors={}, message=None)


@router.post("/rounds/{round_id}/close")
def close_round(request: Request, round_id: UUID, form: pages.PostedForm,
                staff: SignedIn = require_staff_roles(*COORDINATORS)) -> Response:
    rnd = pages.api_read(api_rounds.get_round, request, pages.scope(staff), round_id)  # 404 outside the scope
    outcome = pages.execute(request, staff, c.CloseMonitoringRound,
                            {"round_id": round_id, "closed_on": form.date("closed_on")}, form)
    if outcome.ok:
        return pages.see_other(f"/staff/rounds/{round_id}", done="round_closed")
    return pages.render(request, "staff/round_close.html.j2", status=422, rnd=rnd.item, summary=rnd.summary,
                        values=form.form, errors=outcome.errors, message=outcome.message)


def _report(request: Request, staff: SignedIn, round_id: UUID) -> Any:
    return pages.api_read(api_rounds.round_report, request, staff.actor, round_id)


@router.get("/rounds/{round_id}/report.json")
def report_file(request: Request, staff: CurrentStaff, round_id: UUID) -> Response:
    """The frozen report, byte for byte the file its manifest describes."""
    found = _report(request, staff, round_id)
    return Response(r.render_report_document(found.report), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="monitoring-round-{round_id}.json"'})


@router.get("/rounds/{round_id}/manifest.json")
def manifest_file(request: Request, staff: CurrentStaff, round_id: UUID) -> Response:
    found = _report(request, staff, round_id)
    body = json.dumps(found.manifest, ensure_ascii=False, indent=2, sort_keys=True).encode() + b"\n"
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="monitoring-round-{round_id}.manifest.json"'})
