"""Read routes of the units of the registry: municipalities, organizations (contingents,
checklist) and the implementation checklists by organization."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from api.reads.common import (
    ITEM_PROBLEMS,
    READ_PROBLEMS,
    Limit,
    Offset,
    Paged,
    Where,
    dicts,
    grouped,
    not_found,
    read,
)
from api.scope import Scope
from projections.store import Tx
from registry.values import OrganizationKind

router = APIRouter()


# -- municipalities ------------------------------------------------------------------------------


class MunicipalityOut(BaseModel):
    id: str
    name: str
    region: str
    code: str | None


class MunicipalityList(BaseModel):
    position: int
    items: list[MunicipalityOut]


@router.get(
    "/municipalities",
    response_model=MunicipalityList,
    summary="Муниципалитеты (в своей области)",
    operation_id="ListMunicipalities",
    tags=["Муниципалитеты и организации"],
    responses=READ_PROBLEMS,
)
def municipalities(request: Request, response: Response, scope: Scope) -> MunicipalityList:
    where = Where().add(*scope.municipality_condition("id"))
    position, items = read(
        request,
        response,
        lambda tx: dicts(
            tx,
            f"SELECT id, name, region, code FROM {{p}}municipalities{where} ORDER BY region, name, id",
            where.params,
            ["id", "name", "region", "code"],
        ),
    )
    return MunicipalityList(position=position, items=[MunicipalityOut(**i) for i in items])


# -- organizations and checklists ----------------------------------------------------------------


class ContingentOut(BaseModel):
    year: int
    students_total: int | None
    students_10_19: int | None
    students_15_19: int | None
    students_extra: int | None
    teachers_total: int | None
    young_teachers: int | None
    corrections: int = Field(description="Сколько раз исправлялся")


class ChecklistEntry(BaseModel):
    item: str
    title: str
    done: bool
    completed_on: date | None = None
    document_number: str | None = None
    document_issued_on: date | None = None
    document_link: str | None = None


class OrganizationOut(BaseModel):
    id: str
    name: str
    kind: OrganizationKind
    municipality_id: str
    municipality: str | None
    inn: str | None
    registered_on: date
    closed_on: date | None
    close_reason: str | None
    contingents: list[ContingentOut]
    checklist: list[ChecklistEntry] = Field(description="Пункты чек-листа региона: выполнен ли, чем подтверждён")
    checklist_done: int
    checklist_complete: bool


class OrganizationItem(BaseModel):
    position: int = Field(description="Позиция журнала событий, которую отражает ответ")
    item: OrganizationOut


class OrganizationPage(Paged):
    items: list[OrganizationOut]


_ORG_COLUMNS = [
    "id", "name", "kind", "municipality_id", "municipality", "inn", "registered_on", "closed_on",
    "close_reason",
]
_ORG_SQL = (
    "SELECT o.id, o.name, o.kind, o.municipality_id, mu.name, o.inn, o.registered_on, o.closed_on, "
    "o.close_reason FROM {p}organizations o LEFT JOIN {p}municipalities mu ON mu.id = o.municipality_id"
)
_FIGURES = ["students_total", "students_10_19", "students_15_19", "students_extra", "teachers_total",
            "young_teachers"]
_CHECKLIST_COLUMNS = ["item", "completed_on", "document_number", "document_issued_on", "document_link"]


def checklist_items(tx: Tx) -> list[tuple[str, str, bool]]:
    """(code, title, retired) of the region's checklist, in its order."""
    return [
        (code, title, bool(retired))
        for code, title, retired in tx.rows(
            "SELECT e.code, e.title, e.retired FROM {p}reference_entries e "
            "JOIN {p}reference_lists l ON l.id = e.list_id WHERE l.kind = %s ORDER BY e.seq, e.code",
            ["checklist_item"],
        )
    ]


def _checklist(items: list[tuple[str, str, bool]], done: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every current item of the region's checklist (done or not), then other items done."""
    by_item = {d["item"]: d for d in done}
    titles = {code: title for code, title, _ in items}
    listed = [code for code, _, retired in items if not retired]
    extra = sorted(set(by_item) - set(listed))
    return [
        {**by_item.get(code, {}), "item": code, "title": titles.get(code, code), "done": code in by_item}
        for code in [*listed, *extra]
    ]


def _organizations(tx: Tx, where: Where, limit: int | None = None, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    count = tx.one(f"SELECT COUNT(*) FROM {{p}}organizations o{where}", where.params)
    total = int(count[0]) if count else 0
    paging = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
    items = dicts(tx, f"{_ORG_SQL}{where} ORDER BY mu.name, o.name, o.id{paging}", where.params, _ORG_COLUMNS)
    ids = [i["id"] for i in items]
    contingents = grouped(
        tx,
        f"SELECT organization_id, year, {', '.join(_FIGURES)}, corrections FROM {{p}}contingents "
        "WHERE organization_id IN ({ids}) ORDER BY organization_id, year",
        ids,
        ["year", *_FIGURES, "corrections"],
    )
    done = grouped(
        tx,
        "SELECT organization_id, item, completed_on, document_number, document_issued_on, document_link "
        "FROM {p}checklist WHERE organization_id IN ({ids}) ORDER BY organization_id, item",
        ids,
        _CHECKLIST_COLUMNS,
    )
    regional = checklist_items(tx)
    current = {code for code, _, retired in regional if not retired}
    for item in items:
        item["contingents"] = contingents.get(item["id"], [])
        item["checklist"] = _checklist(regional, done.get(item["id"], []))
        finished = {entry["item"] for entry in item["checklist"] if entry["done"]}
        item["checklist_done"] = len(finished & current)
        item["checklist_complete"] = bool(current) and current <= finished
    return total, items


@router.get(
    "/organizations",
    response_model=OrganizationPage,
    summary="Организации с контингентом и чек-листом внедрения (в своей области)",
    operation_id="ListOrganizations",
    tags=["Муниципалитеты и организации"],
    responses=READ_PROBLEMS,
)
def organizations(
    request: Request,
    response: Response,
    scope: Scope,
    municipality_id: UUID | None = None,
    kind: OrganizationKind | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> OrganizationPage:
    where = Where().scope(scope, "o.id", "o.municipality_id").eq("o.municipality_id", municipality_id)
    where.eq("o.kind", kind)
    position, (total, items) = read(request, response, lambda tx: _organizations(tx, where, limit, offset))
    return OrganizationPage(
        position=position, total=total, limit=limit, offset=offset,
        items=[OrganizationOut(**i) for i in items],
    )


OrganizationId = Annotated[UUID, Path(description="Идентификатор организации")]


@router.get(
    "/organizations/{organization_id}",
    response_model=OrganizationItem,
    summary="Организация: контингент по годам и чек-лист внедрения с документами",
    operation_id="GetOrganization",
    tags=["Муниципалитеты и организации"],
    responses=ITEM_PROBLEMS,
)
def organization(
    request: Request, response: Response, scope: Scope, organization_id: OrganizationId
) -> OrganizationItem:
    position, (_, items) = read(
        request, response, lambda tx: _organizations(tx, Where().eq("o.id", organization_id))
    )
    if not items:
        raise not_found("Организации", "organization_id", organization_id)
    item = items[0]
    if not scope.covers(item["id"], item["municipality_id"]):
        raise scope.refuse_organization()
    return OrganizationItem(position=position, item=OrganizationOut(**item))


class ChecklistItemOut(BaseModel):
    item: str
    title: str
    retired: bool
    done: int = Field(description="Сколько организаций из списка выполнили пункт")


class ChecklistRow(BaseModel):
    organization_id: str
    organization: str
    municipality_id: str
    municipality: str | None
    closed_on: date | None
    checklist_done: int
    checklist_complete: bool
    checklist: list[ChecklistEntry]


class Checklists(BaseModel):
    position: int
    items: list[ChecklistItemOut] = Field(description="Пункты чек-листа региона, по порядку")
    organizations: list[ChecklistRow]


@router.get(
    "/checklists",
    response_model=Checklists,
    summary="Чек-лист внедрения ЦМН по организациям (в своей области)",
    operation_id="ListChecklists",
    tags=["Муниципалитеты и организации"],
    responses=READ_PROBLEMS,
)
def checklists(
    request: Request,
    response: Response,
    scope: Scope,
    municipality_id: UUID | None = None,
    organization_id: UUID | None = None,
) -> Checklists:
    where = Where().scope(scope, "o.id", "o.municipality_id").eq("o.municipality_id", municipality_id)
    where.eq("o.id", organization_id)

    def build(tx: Tx) -> tuple[list[tuple[str, str, bool]], list[dict[str, Any]]]:
        return checklist_items(tx), _organizations(tx, where)[1]

    position, (regional, items) = read(request, response, build)
    done: dict[str, int] = {}
    for org in items:
        for entry in org["checklist"]:
            done[entry["item"]] = done.get(entry["item"], 0) + int(entry["done"])
    return Checklists(
        position=position,
        items=[
            ChecklistItemOut(item=code, title=title, retired=retired, done=done.get(code, 0))
            for code, title, retired in regional
        ],
        organizations=[
            ChecklistRow(
                organization_id=o["id"], organization=o["name"], municipality_id=o["municipality_id"],
                municipality=o["municipality"], closed_on=o["closed_on"], checklist_done=o["checklist_done"],
                checklist_complete=o["checklist_complete"], checklist=o["checklist"],
            )
            for o in items
        ],
    )

