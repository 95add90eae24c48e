"""The organizations' status table at /staff/organizations/status: the municipal coordinator's
own municipality, the institute's and the auditor's whole region (`api.staff.organization_status`).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.reads.common import views_of
from api.scope import scope_of
from api.staff.organization_status import SORT_LABELS, SORTS, StatusQuery, status_page
from api.staff.page_links import PAGE_SIZE, page_links, page_number
from api.staff.pages import render, xlsx_download
from api.staff.session import SignedIn, require_staff_roles
from projections.unit_reads import unit_choices
from registry.values import Role

router = APIRouter()

READERS = (Role.ADMIN, Role.AUDITOR, Role.MUNICIPAL)
KIND_RU = {"school": "школа", "college": "СПО", "extra": "доп. образование"}


def _query(
    request: Request, year: str | None, municipality_id: str | None, overdue: str | None, sort: str | None
) -> tuple[StatusQuery, dict[str, str], str | None]:
    """The table's question from the query string; a bad year is said beside its field."""
    today = request.app.state.registry.clock()
    error = None
    chosen_year = today.year if today.month >= 9 else today.year - 1  # the school year under way
    if year:
        try:
            chosen_year = int(year)
            if not 2000 <= chosen_year <= today.year:
                raise ValueError
        except ValueError:
            error = f"Год — число от 2000 до {today.year}"
            chosen_year = today.year
    try:
        municipality = str(UUID(municipality_id)) if municipality_id else None
    except ValueError:
        municipality = None
    query = StatusQuery(
        year=chosen_year,
        today=today,
        municipality_id=municipality,
        only_overdue=overdue in ("1", "on"),
        sort=sort if sort in SORTS else "name",
    )
    values = {
        "year": str(chosen_year),
        "municipality_id": municipality or "",
        "overdue": "1" if query.only_overdue else "",
        "sort": query.sort,
    }
    return query, values, error


@router.get("/organizations/status")
def status(
    request: Request,
    year: str | None = None,
    municipality_id: str | None = None,
    overdue: str | None = None,
    sort: str | None = None,
    page: str | None = None,
    staff: SignedIn = require_staff_roles(*READERS),
) -> Response:
    """One row per organization of the reader's scope: contingent, checklist, pairs, overdue."""
    actor = staff.actor
    query, values, error = _query(request, year, municipality_id, overdue, sort)
    number = page_number(page)
    scope = scope_of(actor)
    with views_of(request).transaction(write=False) as tx:
        total, items_total, rows = status_page(tx, scope, query, PAGE_SIZE, (number - 1) * PAGE_SIZE)
        municipalities = unit_choices(tx, scope.area)["municipalities"]
    return render(
        request,
        "staff/organization_status.html.j2",
        **{
            "rows": rows,
            "total": total,
            "items_total": items_total,
            "query": query,
            "values": values,
            "error": error,
            "municipalities": municipalities,
            "sorts": SORT_LABELS,
            "kinds": KIND_RU,
            "download": urlencode({k: v for k, v in values.items() if v}),
            "pages": page_links("/staff/organizations/status", values, number, total),
            "offset": (number - 1) * PAGE_SIZE,
            "today": query.today,
        },
        status=422 if error else 200,
    )


@router.get("/organizations/status.xlsx")
def status_xlsx(
    request: Request,
    year: str | None = None,
    municipality_id: str | None = None,
    overdue: str | None = None,
    sort: str | None = None,
    staff: SignedIn = require_staff_roles(*READERS),
) -> Response:
    """The whole table (as filtered) as an Excel file."""
    actor = staff.actor
    query, _, _ = _query(request, year, municipality_id, overdue, sort)
    with views_of(request).transaction(write=False) as tx:
        _, items_total, rows = status_page(tx, scope_of(actor), query, None)
    table: list[list[Any]] = [
        [
            r["municipality"],
            r["name"],
            KIND_RU.get(r["kind"], r["kind"]),
            "да" if r["contingent"] else "нет",
            f"{r['checklist_done']} из {items_total}",
            r["pairs_year"],
            "; ".join(r["overdue_items"]) or "—",
        ]
        for r in rows
    ]
    header = [
        "Муниципалитет",
        "Организация",
        "Вид",
        f"Контингент {query.year} внесён",
        "Чек-лист",
        f"Пар в {query.year} г.",
        "Просрочено",
    ]
    return xlsx_download(f"status_{query.year}_{date.today():%Y%m%d}.xlsx", header, table)
