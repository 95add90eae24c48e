"""The start page of the institute, the coordinator and the auditor: the indicators of their unit
(the region, or the coordinator's municipality) for a year against the targets, the counts, and
the dynamics report's charts of that year beside the one before.

The figures are the API's own (`api.reports.indicators`, the same read `/api/v1/indicators`
answers), the charts those of the dynamics report, drawn from its ranked rows
(`projections.report.ranked_report`).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup

from api import reports
from api.problems import ApiProblem
from api.reads.common import views_of
from api.reports import _unit_in_scope
from api.scope import ReadScope
from api.staff.pages import api_read, chosen_year, render, scope
from api.staff.report_request import ReportQuestion
from api.staff.session import SignedIn
from projections.approval_queue import QueueFilter, pending_page
from projections.formats.svg import ru_number
from projections.report import ranked_report
from projections.report_cache import facts_at_head, kept
from projections.store import ViewStore
from registry.values import Role


def _share(value: float | None) -> str:
    return "—" if value is None else f"{ru_number(value, 2)} %"


def _charts_of(views: ViewStore, reader: ReadScope, year: int) -> list[tuple[str, Markup]]:
    """The dynamics report's charts of the year beside the one before, for the reader's unit:
    drawn from its ranked rows only, once per log position."""
    from api.staff.report_pages import _charts

    a, b = ReportQuestion(str(year - 1), str(year)).periods()
    facts = facts_at_head(views, [a, b])
    try:
        unit = _unit_in_scope(facts, reader, None)
    except ApiProblem:
        return []  # a unit with nothing to rank: the cards say enough
    key = ("staff-dashboard-charts", a.key, b.key, None if unit is None else (unit.kind, unit.id))
    return kept(views, facts.position, key, lambda: _charts(ranked_report(facts, a, b, scope=unit)))


def dashboard(request: Request, staff: SignedIn) -> Response:
    """Indicators of the reader's unit for a year, against the targets, with the report's charts."""
    reader = scope(staff)
    year = chosen_year(request, reader)
    charts = _charts_of(views_of(request), reader, year)  # first: its facts hold the year the cards read
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
