"""Read routes of the units of the registry: municipalities, organizations (contingents,
checklist) and the implementation checklists by organization."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from api.reads.common import ITEM_PROBLEMS, READ_PROBLEMS, Limit, Offset, Paged, as_text, not_found, read
from api.scope import Scope
from projections import unit_reads
from projections.reference_reads import checklist_items
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
    position, items = read(request, response, lambda tx: unit_reads.municipalities(tx, scope.area))
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
    chosen = unit_reads.OrganizationFilter(municipality_id=as_text(municipality_id), kind=as_text(kind))
    position, (total, items) = read(
        request, response, lambda tx: unit_reads.organization_page(tx, scope.area, chosen, limit, offset)
    )
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
    position, item = read(request, response, lambda tx: unit_reads.organization_by_id(tx, str(organization_id)))
    if item is None:
        raise not_found("Организации", "organization_id", organization_id)
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
    chosen = unit_reads.OrganizationFilter(municipality_id=as_text(municipality_id), organization_id=as_text(organization_id))

    def build(tx: Tx) -> tuple[list[tuple[str, str, bool]], list[dict[str, Any]]]:
        # Not paged: the API gives every organization of the reader's area in one table.
        return checklist_items(tx), unit_reads.organization_page(tx, scope.area, chosen, None)[1]

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

