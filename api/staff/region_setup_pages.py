"""What the institute keeps of the region itself: municipalities and organizations
(/staff/units), the reference lists (/staff/reference) and the yearly targets (/staff/targets).

Lists are the API's reads (`api.reads.units`) or the views' query modules (`projections.unit_reads`,
`projections.reference_reads`); every change is a registry command through `pages.execute`, the API's way, its refusals beside the fields.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from api.reads import units as unit_routes
from api.reads.common import views_of
from api.staff.pages import (
    FormInput,
    Paging,
    api_read,
    every_item,
    execute,
    render,
    scope,
    see_other,
    xlsx_download,
)
from api.staff.session import SignedIn, require_staff_roles
from projections import unit_reads
from projections.indicators import INDICATORS
from projections.reference_reads import reference_lists
from registry import commands as c
from registry.reference import ListKind
from registry.values import OrganizationKind, Role

router = APIRouter()

ADMIN = (Role.ADMIN,)
Text = Annotated[str, Form()]
KIND_RU = {
    OrganizationKind.SCHOOL: "общеобразовательная",
    OrganizationKind.COLLEGE: "СПО",
    OrganizationKind.EXTRA: "дополнительного образования",
}
LIST_RU = {
    ListKind.MENTORING_FORM: "Формы наставничества",
    ListKind.MENTORING_KIND: "Виды наставничества",
    ListKind.MENTOR_TYPE: "Типы наставников",
    ListKind.OUTPUT_KIND: "Виды продуктов программ",
    ListKind.CHECKLIST_ITEM: "Пункты чек-листа внедрения",
}


# -- municipalities and organizations ---------------------------------------------------------------


def _units_page(
    request: Request,
    staff: SignedIn,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    reader = scope(staff)
    municipalities = api_read(unit_routes.municipalities, request, reader).items
    paging = Paging.of(request, limit=50)
    page = api_read(
        unit_routes.organizations,
        request,
        reader,
        municipality_id=None,
        kind=None,
        limit=paging.limit,
        offset=paging.offset,
    )
    paging = Paging(paging.offset, paging.limit, page.total, paging.base)
    return render(
        request,
        "staff/region_units.html.j2",
        status=status,
        municipalities=municipalities,
        municipality_options=[(m.id, m.name) for m in municipalities],
        organizations=page.items,
        paging=paging,
        kinds=[(k.value, v) for k, v in KIND_RU.items()],
        kind_names=KIND_RU,
        errors=errors or {},
        values=values or {},
        message=message,
    )


@router.get("/units")
def units(request: Request, staff: SignedIn = require_staff_roles(*ADMIN)) -> Response:
    return _units_page(request, staff)


@router.get("/units/organizations.xlsx")
def organizations_xlsx(request: Request, staff: SignedIn = require_staff_roles(*ADMIN)) -> Response:
    found = every_item(unit_routes.organizations, request, scope(staff), municipality_id=None, kind=None)
    rows = [
        [
            o.name,
            KIND_RU.get(o.kind, o.kind),
            o.municipality,
            o.inn or "",
            o.registered_on,
            o.closed_on,
            f"{o.checklist_done} из {len(o.checklist)}",
            o.id,
        ]
        for o in found
    ]
    header = ["Организация", "Вид", "Муниципалитет", "ИНН", "Зарегистрирована", "Закрыта", "Чек-лист", "Идентификатор"]
    return xlsx_download("organizacii.xlsx", header, rows)


def _done(
    request: Request,
    staff: SignedIn,
    command: type[c.Command],
    data: dict[str, Any],
    form: FormInput | None,
    values: dict[str, Any],
    back: str,
) -> Response:
    outcome = execute(request, staff, command, data, form)
    if outcome.ok:
        return see_other(back, done="saved")
    if back.startswith("/staff/units"):
        return _units_page(request, staff, outcome.errors, values, outcome.message, 422)
    if back.startswith("/staff/reference"):
        return _reference_page(request, staff, outcome.errors, values, outcome.message, 422)
    return _targets_page(request, staff, outcome.errors, values, outcome.message, 422)


@router.post("/units/municipalities")
def add_municipality(
    request: Request, name: Text = "", region: Text = "", code: Text = "", staff: SignedIn = require_staff_roles(*ADMIN)
) -> Response:
    values = {"name": name, "region": region, "code": code}
    data = {"name": name.strip() or None, "region": region.strip() or None, "code": code.strip() or None}
    return _done(request, staff, c.RegisterMunicipality, data, None, values, "/staff/units")


@router.post("/units/organizations")
def add_organization(
    request: Request,
    name: Text = "",
    kind: Text = "",
    municipality_id: Text = "",
    inn: Text = "",
    registered_on: Text = "",
    staff: SignedIn = require_staff_roles(*ADMIN),
) -> Response:
    values = {
        "name": name,
        "kind": kind,
        "municipality_id": municipality_id,
        "inn": inn,
        "registered_on": registered_on,
    }
    form = FormInput(FormData(values))
    data = {
        "name": form.text("name"),
        "kind": form.text("kind"),
        "municipality_id": form.text("municipality_id"),
        "inn": form.text("inn"),
        "registered_on": form.date("registered_on"),
    }
    return _done(request, staff, c.RegisterOrganization, data, form, values, "/staff/units")


# -- reference lists ----------------------------------------------------------------------------------


def _reference_lists(request: Request) -> dict[str, list[dict[str, Any]]]:
    """Every reference list's entries, in the lists' order (retired ones too, marked)."""
    with views_of(request).transaction(write=False) as tx:
        return reference_lists(tx)


@router.get("/reference.xlsx")
def reference_xlsx(request: Request, staff: SignedIn = require_staff_roles(*ADMIN)) -> Response:
    rows = [
        [LIST_RU.get(kind, kind), entry["title"], entry["code"], "выведено" if entry["retired"] else "действует"]
        for kind, entries in _reference_lists(request).items()
        for entry in entries
    ]
    return xlsx_download("spravochniki.xlsx", ["Справочник", "Название", "Код", "Состояние"], rows)


def _reference_page(
    request: Request,
    staff: SignedIn,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    lists = _reference_lists(request)
    return render(
        request,
        "staff/region_reference.html.j2",
        status=status,
        lists=lists,
        names=LIST_RU,
        errors=errors or {},
        values=values or {},
        message=message,
    )


@router.get("/reference")
def reference(request: Request, staff: SignedIn = require_staff_roles(*ADMIN)) -> Response:
    return _reference_page(request, staff)


@router.post("/reference/{list_kind}/entries")
def add_entry(
    request: Request, list_kind: str, code: Text = "", title: Text = "", staff: SignedIn = require_staff_roles(*ADMIN)
) -> Response:
    data = {"list_kind": list_kind, "code": code.strip() or None, "title": title.strip() or None}
    return _done(
        request,
        staff,
        c.AddReferenceEntry,
        data,
        None,
        {"list_kind": list_kind, "code": code, "title": title},
        "/staff/reference",
    )


@router.post("/reference/{list_kind}/entries/{code}/rename")
def rename_entry(
    request: Request, list_kind: str, code: str, title: Text = "", staff: SignedIn = require_staff_roles(*ADMIN)
) -> Response:
    data = {"list_kind": list_kind, "code": code, "title": title.strip() or None}
    return _done(request, staff, c.RenameReferenceEntry, data, None, {"list_kind": list_kind}, "/staff/reference")


@router.post("/reference/{list_kind}/entries/{code}/retire")
def retire_entry(
    request: Request, list_kind: str, code: str, reason: Text = "", staff: SignedIn = require_staff_roles(*ADMIN)
) -> Response:
    data = {"list_kind": list_kind, "code": code, "reason": reason.strip() or None}
    return _done(request, staff, c.RetireReferenceEntry, data, None, {"list_kind": list_kind}, "/staff/reference")


# -- targets --------------------------------------------------------------------------------------------


def _targets_page(
    request: Request,
    staff: SignedIn,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    targets, regions = _targets(request)
    years = sorted({t["year"] for t in targets})
    table: dict[tuple[str, str, str], dict[int, str]] = {}
    for t in targets:  # one row per indicator and unit, a column per year
        table.setdefault((t["indicator"], t["unit"], t["kind"]), {})[t["year"]] = t["share"]
    municipalities = api_read(unit_routes.municipalities, request, scope(staff)).items
    units = [(f"region:{code}", f"Регион {name} ({code})") for code, name in regions] + [
        (f"municipality:{m.id}", m.name) for m in municipalities
    ]
    return render(
        request,
        "staff/region_targets.html.j2",
        status=status,
        targets=table,
        years=years,
        indicators=[(k, d.title) for k, d in INDICATORS.items()],
        units=units,
        errors=errors or {},
        values=values or {},
        message=message,
    )


def _targets(request: Request) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The targets set (indicator, unit, year, share) and the registered regions (code, name)."""
    with views_of(request).transaction(write=False) as tx:
        rows = unit_reads.targets(tx)
        # Only registered regions: a target for a region is refused until it is registered.
        regions = unit_reads.regions(tx)
    targets = [
        {
            "indicator": INDICATORS[t["indicator"]].title if t["indicator"] in INDICATORS else t["indicator"],
            "unit": t["unit"],
            "kind": {"region": "регион", "municipality": "муниципалитет", "organization": "организация"}.get(
                t["unit_kind"], t["unit_kind"]
            ),
            "year": t["year"],
            "share": str(t["share_percent"]).replace(".", ","),
        }
        for t in rows
    ]
    return targets, regions


@router.get("/targets.xlsx")
def targets_xlsx(request: Request, staff: SignedIn = require_staff_roles(*ADMIN)) -> Response:
    rows = [[t["indicator"], t["unit"], t["kind"], t["year"], t["share"]] for t in _targets(request)[0]]
    return xlsx_download("celi.xlsx", ["Показатель", "Территория", "Вид", "Год", "Цель, %"], rows)


@router.get("/targets")
def targets(request: Request, staff: SignedIn = require_staff_roles(*ADMIN)) -> Response:
    return _targets_page(request, staff)


@router.post("/targets")
def set_target(
    request: Request,
    indicator: Text = "",
    unit: Text = "",
    year: Text = "",
    share_percent: Text = "",
    reason: Text = "",
    staff: SignedIn = require_staff_roles(*ADMIN),
) -> Response:
    kind, _, unit_id = unit.partition(":")
    values = {"indicator": indicator, "unit": unit, "year": year, "share_percent": share_percent, "reason": reason}
    data = {
        "indicator": indicator or None,
        "unit_kind": kind or None,
        "unit_id": unit_id or None,
        "year": year.strip() or None,
        "share_percent": share_percent.strip().replace(",", ".") or None,
        "reason": reason.strip() or None,
    }
    return _done(request, staff, c.SetTarget, data, None, values, "/staff/targets")
