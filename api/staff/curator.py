"""The curator's workspace (organization scope, exactly the API's): the dashboard at `/staff/`,
and the pages of `curator_mentors`, `curator_mentoring`, `curator_checklist`, `curator_import`.

Routes (under `/staff`): `/mentors…`, `/mentees…`, `/pairs…`, `/programs…`, `/checklist…`,
`/import…`. Reading pages are open to every staff role within its scope (a record outside it is
a 404 page); forms that write are the curator's (the registry refuses anyone else anyway).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api import reports
from api.reads import mentoring, units
from api.reads.common import views_of
from api.staff import pages
from api.staff.session import SignedIn, StaffRefusal
from api.staff.words import CATEGORY_RU, CONSENT_FIELDS_RU, PAIR_STATUS_RU, STATUS_RU
from projections.mentor_reads import mentors_by_status
from projections.reference_reads import current_entries
from registry.values import PairStatus, Role

router = APIRouter()

pages.TEMPLATES.globals.update(
    STATUS_RU=STATUS_RU, PAIR_STATUS_RU=PAIR_STATUS_RU, CATEGORY_RU=CATEGORY_RU, CONSENT_FIELDS_RU=CONSENT_FIELDS_RU
)

ANY_STAFF = (Role.CURATOR, Role.MUNICIPAL, Role.ADMIN, Role.AUDITOR)
pages.add_nav("/staff/mentors", "Наставники", *ANY_STAFF)
pages.add_nav("/staff/mentees", "Наставляемые", *ANY_STAFF)
pages.add_nav("/staff/pairs", "Пары и группы", *ANY_STAFF)
pages.add_nav("/staff/programs", "Программы", *ANY_STAFF)
pages.add_nav("/staff/checklist", "Чек-лист", Role.CURATOR)
pages.add_nav("/staff/import", "Импорт", Role.CURATOR)


def reference(request: Request, kind: str) -> list[tuple[str, str]]:
    """(code, title) of a reference list's current entries, in the region's order."""
    with views_of(request).transaction(write=False) as tx:
        return current_entries(tx, kind)


def titles(request: Request, kind: str) -> dict[str, str]:
    return dict(reference(request, kind))


def own_organization(staff: SignedIn) -> str:
    """The curator's organization (a curator without one has nothing to write for)."""
    if staff.actor.organization_id is None:
        raise StaffRefusal(403, "Нет доступа", "Это действие доступно куратору организации.")
    return staff.actor.organization_id


def curator_only(staff: SignedIn) -> str:
    """Refuse a write form to anyone but a curator (the same answer the registry would give)."""
    if staff.actor.role != Role.CURATOR:
        raise StaffRefusal(403, "Нет доступа", "Вносить эти сведения может только куратор организации.")
    return own_organization(staff)


def dashboard(request: Request, staff: SignedIn) -> Response:
    """The curator's start page: mentors by status, mentees, active pairs, the checklist and what
    is missing, and this year's indicators of the organization against their targets."""
    organization_id = own_organization(staff)
    scope = pages.scope(staff)
    organization = pages.api_read(units.organization, request, scope, organization_id).item
    with views_of(request).transaction(write=False) as tx:
        by_status = mentors_by_status(tx, organization_id)  # counted, not every mentor read
    mentee_total = pages.api_read(mentoring.mentees, request, scope, organization_id=organization_id, limit=1).total
    active_pairs = pages.api_read(mentoring.pairs, request, scope, organization_id=organization_id,
                                  status=PairStatus.ACTIVE, limit=1).total
    this_year = request.app.state.registry.clock().year
    year = pages.chosen_year(request, scope)
    figures = pages.api_read(reports.indicators, request, scope, unit=None, period=str(year),
                             school_year=False, indicator=None)
    contingent_years = {c.year for c in organization.contingents}
    return pages.render(
        request, "staff/curator_home.html.j2",
        organization=organization, by_status=[(s, by_status.get(s, 0)) for s in STATUS_RU],
        mentor_total=sum(by_status.values()), mentee_total=mentee_total, active_pairs=active_pairs,
        missing=[entry for entry in organization.checklist if not entry.done],
        figures=figures, year=year, contingent_missing=year not in contingent_years,
        years=list(range(this_year, 2019, -1)),
    )


def percent(value: Any) -> str:
    """A share as people write it here: 12,5 % (a dash when there is none)."""
    if value is None:
        return "—"
    return f"{float(value):.1f}".replace(".", ",") + " %"


pages.TEMPLATES.filters["percent"] = percent

from api.staff import HOMES  # noqa: E402  (the package imports this module while it is built)

HOMES[Role.CURATOR] = dashboard

from api.staff import (  # noqa: E402
    curator_checklist,
    curator_import,
    curator_mentoring,
    curator_mentors,
    curator_programs,
)

router.include_router(curator_mentors.router)
router.include_router(curator_mentoring.router)
router.include_router(curator_programs.router)
router.include_router(curator_checklist.router)
router.include_router(curator_import.router)
