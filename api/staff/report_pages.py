"""The report builder at /staff/reports: the dynamics report (аналитическая справка) of two
periods for a unit, calendar or school years, optionally as known on a day; shown inline with
the report's own SVG charts, and downloadable as HTML, XLSX, CSV, JSON with its manifest.

The institute and the auditor ask about any unit, a municipal coordinator about its
municipality and its organizations (the API's scope check, `api.reports`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from api.problems import ApiProblem
from api.reads.common import views_of
from api.reports import MEDIA_TYPES
from api.scope import scope_of
from api.staff.pages import render
from api.staff.report_request import (
    FORMAT_RU,
    FORMATS,
    ReportAnswer,
    ReportQuestion,
    answer,
    file_name,
    manifest_of,
    report_bytes,
    unit_choices,
)
from api.staff.session import SignedIn, StaffRefusal, require_staff_roles
from projections.formats.svg import bar_chart, ru_number
from projections.report_cache import facts_at_head
from registry.values import Role

router = APIRouter()

READERS = (Role.ADMIN, Role.AUDITOR, Role.MUNICIPAL)
_FIELDS = ("from", "to", "school_year", "unit", "known_on")


def _question(request: Request) -> ReportQuestion:
    values = {k: request.query_params.get(k, "") for k in _FIELDS}
    return ReportQuestion.from_form(values, datetime.now(UTC).date())


def _summary(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the report's own unit (the region, the municipality or the organization)."""
    kind = report["scope"]["kind"] if report["scope"] else "region"
    statuses = report["statuses"]
    return [
        {
            "indicator": indicator["title"],
            "unit": row["unit_name"],
            "a": _share(row["a"]["share"]),
            "b": _share(row["b"]["share"]),
            "change": _pp(row["change_pp"]),
            "target": _share(row["b"]["target"]),
            "achieved": "—" if row["b"]["achieved"] is None else ("да" if row["b"]["achieved"] else "нет"),
            "declined": row["declined"],
            "note": "нет данных о контингенте: " + statuses.get(row["b"]["status"], row["b"]["status"])
            if row["missing_data"]
            else "",
        }
        for indicator in report["indicators"]
        for row in indicator["rows"]
        if row["unit_kind"] == kind
    ]


def _share(value: float | None) -> str:
    return "—" if value is None else ru_number(value, 2)


def _pp(value: float | None) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + ru_number(value, 2)


def _charts(report: dict[str, Any]) -> list[tuple[str, Markup]]:
    """Each indicator's bar chart of the ranked units, drawn as the HTML report draws it."""
    a, b = report["periods"]["a"]["label"], report["periods"]["b"]["label"]
    ranked = report["ranked_unit_kind"]
    return [
        (
            indicator["title"],
            Markup(bar_chart([r for r in indicator["rows"] if r["unit_kind"] == ranked], a, b, indicator["title"])),
        )
        for indicator in report["indicators"]
    ]


@router.get("/reports")
def builder(request: Request, staff: SignedIn = require_staff_roles(*READERS)) -> Response:
    """The form, and (once asked) the report inline with its downloads."""
    actor = staff.actor
    scope = scope_of(actor)
    asked = "from" in request.query_params
    question = _question(request) if asked else ReportQuestion()
    views = views_of(request)
    facts = facts_at_head(views, list((ReportQuestion() if question.errors else question).periods()))
    context: dict[str, Any] = {
        "question": question,
        "errors": dict(question.errors),
        "asked": asked,
        "units": unit_choices(facts, scope),
        "default_unit": scope.default_unit(),
        "formats": [(f, FORMAT_RU[f]) for f in FORMATS],
        "result": None,
    }
    status = 200
    if asked and not question.errors:
        try:
            result = answer(request.app.state.registry, views, scope, question, "html")
        except ApiProblem as problem:
            context["errors"]["unit"] = problem.detail
            status = problem.status
        else:
            context.update(
                result=result,
                summary=_summary(result.report),
                charts=_charts(result.report),
                query=lambda **more: urlencode(question.query(**more)),
            )
    elif question.errors:
        status = 422
    return render(request, "staff/report_builder.html.j2", **context, status=status)


def _answer_or_refusal(request: Request, staff: SignedIn, fmt: str) -> tuple[ReportAnswer, bytes]:
    """The report file of the query string's question; a refusal page if it cannot be made."""
    if fmt not in FORMATS:
        raise StaffRefusal(404, "Нет такого формата", f"Справка бывает в форматах: {', '.join(FORMATS)}")
    question = _question(request)
    if question.errors:
        raise StaffRefusal(422, "Справка не составлена", "; ".join(question.errors.values()))
    views = views_of(request)
    try:
        result = answer(request.app.state.registry, views, scope_of(staff.actor), question, fmt)
    except ApiProblem as problem:
        raise StaffRefusal(problem.status, "Справка не составлена", problem.detail) from None
    return result, report_bytes(views, result)


@router.get("/reports/dynamics.{fmt}")
def download(request: Request, fmt: str, staff: SignedIn = require_staff_roles(*READERS)) -> Response:
    """The report file; HTML opens in the browser, the rest are saved."""
    result, data = _answer_or_refusal(request, staff, fmt)
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'{disposition}; filename="{file_name(result)}"',
            "X-Log-Position": str(result.position),
        },
    )


@router.get("/reports/manifest.{fmt}.json")
def manifest(request: Request, fmt: str, staff: SignedIn = require_staff_roles(*READERS)) -> Response:
    """The manifest that reproduces the file of this format (`reestr report reproduce`)."""
    result, data = _answer_or_refusal(request, staff, fmt)
    document = manifest_of(request.app.state.registry, result, data)
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    name = file_name(result).rsplit(".", 1)[0] + f".{fmt}.manifest.json"
    return Response(
        body.encode("utf-8"),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )
