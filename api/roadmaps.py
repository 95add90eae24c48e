"""Reads of the roadmaps: planned items, each organization's items with their state, and the
overdue ones per municipality. Writes (plan, drop) are in the table of `api.writes`.

Who sees what follows `api.scope`: admin and auditor everything, a municipal coordinator its
municipality's organizations, a curator its own. Today is the registry's day.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from api.auth import registry_of
from api.reads.common import READ_PROBLEMS, as_text, read
from api.scope import ReadScope, Scope
from projections import roadmaps as rm
from registry.roadmaps import DOCUMENT_KIND_RU, DocumentKind

router = APIRouter(prefix="/roadmap-items", tags=["Мониторинг"])

State = Literal["done", "done_late", "overdue", "pending"]


class PlannedItem(BaseModel):
    municipality_id: str | None = Field(description="Муниципалитет (пусто — дорожная карта региона)")
    item: str
    title: str
    due_on: date
    responsible: str
    document_kind: DocumentKind
    document_kind_ru: str


class PlannedList(BaseModel):
    position: int
    items: list[PlannedItem]


class ItemState(BaseModel):
    organization_id: str
    organization: str
    municipality_id: str
    municipality: str
    roadmap_municipality_id: str | None = Field(description="Чья дорожная карта: пусто — региона")
    item: str
    title: str
    due_on: date
    responsible: str
    document_kind: DocumentKind
    document_kind_ru: str
    completed_on: date | None
    document_number: str | None
    document_link: str | None
    state: State
    state_ru: str


class StateList(BaseModel):
    position: int
    today: date
    items: list[ItemState]


class MunicipalityOverdue(BaseModel):
    municipality_id: str
    municipality: str
    organizations: int
    organizations_with_overdue: int
    overdue_items: int


class OverdueSummary(BaseModel):
    position: int
    today: date
    items: list[MunicipalityOverdue]


@router.get("", response_model=PlannedList, summary="Пункты дорожных карт со сроками",
            operation_id="ListRoadmapItems", responses=READ_PROBLEMS)
def planned(request: Request, response: Response, scope: Scope) -> PlannedList:
    position, items = read(request, response, lambda tx: rm.planned_items(tx, scope.area))
    return PlannedList(position=position, items=[
        PlannedItem(**i, document_kind_ru=DOCUMENT_KIND_RU[DocumentKind(i["document_kind"])]) for i in items
    ])


def _states(
    request: Request, response: Response, scope: ReadScope, organization_id: UUID | None = None,
    municipality_id: UUID | None = None,
) -> tuple[int, str, list[dict[str, Any]]]:
    today = registry_of(request).clock().isoformat()
    position, items = read(
        request, response,
        lambda tx: rm.item_states(tx, today, area=scope.area, organization_id=as_text(organization_id),
                                  municipality_id=as_text(municipality_id)),
    )
    return position, today, items


@router.get("/states", response_model=StateList,
            summary="Пункты дорожных карт по организациям: выполнено в срок, с опозданием, просрочено",
            operation_id="RoadmapItemStates", responses=READ_PROBLEMS)
def states(
    request: Request,
    response: Response,
    scope: Scope,
    state: Annotated[State | None, Query(description="Только это состояние (overdue — просроченные)")] = None,
    organization_id: Annotated[UUID | None, Query(description="Только эта организация")] = None,
    municipality_id: Annotated[UUID | None, Query(description="Только этот муниципалитет")] = None,
) -> StateList:
    position, today, items = _states(request, response, scope, organization_id, municipality_id)
    # The state is judged on today's date from each item's row (`projections.roadmaps.state`).
    chosen = [i for i in items if state is None or i["state"] == state]
    return StateList(position=position, today=date.fromisoformat(today), items=[
        ItemState(**i, document_kind_ru=DOCUMENT_KIND_RU[DocumentKind(i["document_kind"])],
                  state_ru=rm.STATE_RU[i["state"]])
        for i in chosen
    ])


@router.get("/overdue-by-municipality", response_model=OverdueSummary,
            summary="Просроченные пункты дорожных карт по муниципалитетам",
            operation_id="RoadmapOverdueByMunicipality", responses=READ_PROBLEMS)
def overdue_by_municipality(request: Request, response: Response, scope: Scope) -> OverdueSummary:
    position, today, items = _states(request, response, scope)
    return OverdueSummary(position=position, today=date.fromisoformat(today),
                          items=[MunicipalityOverdue(**m) for m in rm.overdue_by_municipality(items)])
