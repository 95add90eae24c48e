"""Read routes of the mentoring itself: mentees (and their part in pairs), pairs and groups
(with the mentees' intervals), programs and their outputs."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from api.reads.common import (
    ITEM_PROBLEMS,
    READ_PROBLEMS,
    REGISTRY,
    FormCode,
    Limit,
    Offset,
    Paged,
    as_text,
    not_found,
    read,
)
from api.scope import Scope
from projections import mentoring_reads as reads
from registry.values import MenteeCategory, PairStatus

router = APIRouter()


# -- mentees -------------------------------------------------------------------------------------


class MembershipOut(BaseModel):
    pair_id: str
    form: str
    joined_on: date
    ended_on: date | None


class MenteeOut(BaseModel):
    id: str
    organization_id: str
    category: MenteeCategory
    full_name: str
    birth_year: int | None
    work_started_on: date | None
    registered_on: date


class MenteeDetail(MenteeOut):
    pairs: list[MembershipOut] = Field(description="Участие в парах (группах)")


class MenteeItem(BaseModel):
    position: int = Field(description="Позиция журнала событий, которую отражает ответ")
    item: MenteeDetail


class MenteePage(Paged):
    items: list[MenteeOut]


@router.get(
    "/mentees",
    response_model=MenteePage,
    summary="Наставляемые (не публичны: администратор, аудитор, координатор своего "
    "муниципалитета, куратор своей организации)",
    operation_id="ListMentees",
    tags=[REGISTRY],
    responses=READ_PROBLEMS,
)
def mentees(
    request: Request,
    response: Response,
    scope: Scope,
    organization_id: UUID | None = None,
    category: MenteeCategory | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> MenteePage:
    position, (total, items) = read(
        request,
        response,
        lambda tx: reads.mentee_page(tx, scope.area, organization_id=as_text(organization_id),
                                     category=as_text(category), limit=limit, offset=offset),
    )
    return MenteePage(
        position=position, total=total, limit=limit, offset=offset, items=[MenteeOut(**i) for i in items]
    )


@router.get(
    "/mentees/{mentee_id}",
    response_model=MenteeItem,
    summary="Наставляемый и его участие в парах (в своей области)",
    operation_id="GetMentee",
    tags=[REGISTRY],
    responses=ITEM_PROBLEMS,
)
def mentee(
    request: Request,
    response: Response,
    scope: Scope,
    mentee_id: Annotated[UUID, Path(description="Идентификатор наставляемого")],
) -> MenteeItem:
    position, item = read(request, response, lambda tx: reads.mentee_by_id(tx, scope.area, str(mentee_id)))
    if item is None:
        raise not_found("Наставляемого", "mentee_id", mentee_id)
    return MenteeItem(position=position, item=MenteeDetail(**item))


# -- pairs ---------------------------------------------------------------------------------------


class PairMemberOut(BaseModel):
    mentee_id: str
    joined_on: date
    ended_on: date | None


class PairOut(BaseModel):
    id: str
    organization_id: str
    mentor_id: str
    form: str
    kind: str | None
    program_id: str | None
    started_on: date
    status: PairStatus
    ended_on: date | None
    outcome: str | None
    end_reason: str | None
    mentees: list[PairMemberOut]


class PairItem(BaseModel):
    position: int = Field(description="Позиция журнала событий, которую отражает ответ")
    item: PairOut


class PairPage(Paged):
    items: list[PairOut]


@router.get(
    "/pairs",
    response_model=PairPage,
    summary="Пары и группы «наставник – наставляемый» (в своей области)",
    operation_id="ListPairs",
    tags=[REGISTRY],
    responses=READ_PROBLEMS,
)
def pairs(
    request: Request,
    response: Response,
    scope: Scope,
    organization_id: UUID | None = None,
    mentor_id: UUID | None = None,
    status: PairStatus | None = None,
    form: FormCode = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> PairPage:
    chosen = reads.PairFilter(organization_id=as_text(organization_id), mentor_id=as_text(mentor_id),
                              status=as_text(status), form=form)
    position, (total, items) = read(
        request, response, lambda tx: reads.pair_page(tx, scope.area, chosen, limit, offset)
    )
    return PairPage(position=position, total=total, limit=limit, offset=offset, items=[PairOut(**i) for i in items])


@router.get(
    "/pairs/{pair_id}",
    response_model=PairItem,
    summary="Пара (группа) и интервалы участия наставляемых",
    operation_id="GetPair",
    tags=[REGISTRY],
    responses=ITEM_PROBLEMS,
)
def pair(
    request: Request,
    response: Response,
    scope: Scope,
    pair_id: Annotated[UUID, Path(description="Идентификатор пары (группы)")],
) -> PairItem:
    position, item = read(request, response, lambda tx: reads.pair_by_id(tx, scope.area, str(pair_id)))
    if item is None:
        raise not_found("Пары", "pair_id", pair_id)
    return PairItem(position=position, item=PairOut(**item))


# -- programs and outputs ------------------------------------------------------------------------


class OutputOut(BaseModel):
    output_id: str
    kind: str
    title: str
    produced_on: date
    evidence_link: str | None
    pair_id: str | None


class ProgramOut(BaseModel):
    id: str
    organization_id: str
    title: str
    forms: list[str]
    starts_on: date
    ends_on: date | None
    order_number: str | None
    order_issued_on: date | None
    order_link: str | None
    personalized: bool
    outputs: list[OutputOut] = Field(description="Продукты программы (отозванные не показываются)")


class ProgramItem(BaseModel):
    position: int = Field(description="Позиция журнала событий, которую отражает ответ")
    item: ProgramOut


class ProgramPage(Paged):
    items: list[ProgramOut]


@router.get(
    "/programs",
    response_model=ProgramPage,
    summary="Программы наставничества и их продукты (в своей области)",
    operation_id="ListPrograms",
    tags=["Программы"],
    responses=READ_PROBLEMS,
)
def programs(
    request: Request,
    response: Response,
    scope: Scope,
    organization_id: UUID | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ProgramPage:
    position, (total, items) = read(
        request, response,
        lambda tx: reads.program_page(tx, scope.area, organization_id=as_text(organization_id), limit=limit,
                                      offset=offset),
    )
    return ProgramPage(
        position=position, total=total, limit=limit, offset=offset, items=[ProgramOut(**i) for i in items]
    )


@router.get(
    "/programs/{program_id}",
    response_model=ProgramItem,
    summary="Программа наставничества и её продукты",
    operation_id="GetProgram",
    tags=["Программы"],
    responses=ITEM_PROBLEMS,
)
def program(
    request: Request,
    response: Response,
    scope: Scope,
    program_id: Annotated[UUID, Path(description="Идентификатор программы")],
) -> ProgramItem:
    position, item = read(request, response, lambda tx: reads.program_by_id(tx, scope.area, str(program_id)))
    if item is None:
        raise not_found("Программы", "program_id", program_id)
    return ProgramItem(position=position, item=ProgramOut(**item))
