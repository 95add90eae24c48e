"""The start page of the institute, the coordinator and the auditor: the indicators of their unit
(the region, or the coordinator's municipality) for a year against the targets, the counts, and
the dynamics report's charts of that year beside the one before.

The figures are the API's own (`api.reports.indicators`, the same read `/api/v1/indicators`
answers), the charts those of the dynamics report (`api.staff.report_request`).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from api import reports
from api.problems import ApiProblem
from api.reads.common import views_of
from api.staff.pages import api_read, chosen_year, render, scope
from api.staff.report_request import ReportQuestion, answer
from api.staff.session import SignedIn
from projections.approval_queue import QueueFilter, pending_page
from projections.formats.svg import ru_number
from projections.report_cache import kept
from registry.values import Role


def _share(value: float | None) -> str:
    return "—" if value is None else f"{ru_number(value, 2)} %"


def dashboard(request: Request, staff: SignedIn) -> Response:
    """Indicators of the reader's unit for a year, against the targets, with the report's charts."""
    from api.staff.report_pages import _charts

    reader = scope(staff)
    year = chosen_year(request, reader)
    figures = api_read(
        reports.indicators, request, reader, unit=None, period=str(year), school_year=False, indicator=None
    )
    cards: list[dict[str, Any]] = [
        {
            "title": i.title,
            "share": _share(i.share),
            "target": _share(i.target),
            "achieved": i.achieved,
            "numerator": i.numerator,
            "denominator": i.denominator,
            "missing": i.missing_data,
        }
        for i in figures.indicators
    ]
    charts = []
    try:
        result = answer(
            request.app.state.registry, views_of(request), reader, ReportQuestion(str(year - 1), str(year)), "html"
        )
        key = ("staff-dashboard-charts", tuple(sorted(result.parameters.items())))
        charts = kept(views_of(request), result.position, key, lambda: _charts(result.report))
    except ApiProblem:
        pass  # a unit with nothing to rank: the cards say enough
    waiting = 0
    with views_of(request).transaction(write=False) as tx:
        waiting = pending_page(tx, reader.area, QueueFilter(), 0)[0]
    return render(
        request,
        "staff/dashboard.html.j2",
        year=year,
        unit=figures.unit,
        cards=cards,
        counts=figures.counts,
        charts=charts,
        waiting=waiting,
        position=figures.position,
        is_admin=staff.actor.role == Role.ADMIN,
        years=list(range(year - 3, year + 2)),
    )
