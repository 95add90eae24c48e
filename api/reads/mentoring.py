"""Read routes of the mentoring itself: mentees (and their part in pairs), pairs and groups
(with the mentees' intervals), programs and their outputs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any
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
    Where,
    dicts,
    grouped,
    not_found,
    read,
)
from api.scope import Scope
from projections.store import Tx
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


_MENTEE_COLUMNS = ["id", "organization_id", "category", "full_name", "birth_year", "work_started_on",
                   "registered_on"]
_MENTEE_SQL = f"SELECT {', '.join(_MENTEE_COLUMNS)} FROM {{p}}mentees"


def _page(tx: Tx, table_sql: str, count_sql: str, where: Where, order: str, names: Sequence[str],
          limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    count = tx.one(f"{count_sql}{where}", where.params)
    items = dicts(
        tx, f"{table_sql}{where} ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}", where.params, names
    )
    return (int(count[0]) if count else 0), items


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
    where = Where().scope(scope, "organization_id").eq("organization_id", organization_id).eq("category", category)
    position, (total, items) = read(
        request,
        response,
        lambda tx: _page(tx, _MENTEE_SQL, "SELECT COUNT(*) FROM {p}mentees", where, "full_name, id",
                         _MENTEE_COLUMNS, limit, offset),
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
    def build(tx: Tx) -> dict[str, Any] | None:
        where = Where().eq("id", mentee_id).scope(scope, "organization_id")
        rows = dicts(tx, f"{_MENTEE_SQL}{where}", where.params, _MENTEE_COLUMNS)
        if not rows:
            return None
        rows[0]["pairs"] = dicts(
            tx,
            "SELECT pair_id, form, joined_on, ended_on FROM {p}pair_members WHERE mentee_id = %s "
            "ORDER BY joined_on, pair_id",
            [str(mentee_id)],
            ["pair_id", "form", "joined_on", "ended_on"],
        )
        return rows[0]

    position, item = read(request, response, build)
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


_PAIR_COLUMNS = ["id", "organization_id", "mentor_id", "form", "kind", "program_id", "started_on", "status",
                 "ended_on", "outcome", "end_reason"]
_PAIR_SQL = f"SELECT {', '.join(_PAIR_COLUMNS)} FROM {{p}}pairs"


def _with_members(tx: Tx, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    members = grouped(
        tx,
        "SELECT pair_id, mentee_id, joined_on, ended_on FROM {p}pair_members WHERE pair_id IN ({ids}) "
        "ORDER BY pair_id, joined_on, mentee_id",
        [i["id"] for i in items],
        ["mentee_id", "joined_on", "ended_on"],
    )
    for item in items:
        item["mentees"] = members.get(item["id"], [])
    return items


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
    where = Where().scope(scope, "organization_id").eq("organization_id", organization_id)
    where.eq("mentor_id", mentor_id).eq("status", status).eq("form", form)

    def build(tx: Tx) -> tuple[int, list[dict[str, Any]]]:
        total, items = _page(tx, _PAIR_SQL, "SELECT COUNT(*) FROM {p}pairs", where, "started_on, id",
                             _PAIR_COLUMNS, limit, offset)
        return total, _with_members(tx, items)

    position, (total, items) = read(request, response, build)
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
    def build(tx: Tx) -> dict[str, Any] | None:
        where = Where().eq("id", pair_id).scope(scope, "organization_id")
        rows = dicts(tx, f"{_PAIR_SQL}{where}", where.params, _PAIR_COLUMNS)
        return _with_members(tx, rows)[0] if rows else None

    position, item = read(request, response, build)
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


_PROGRAM_COLUMNS = ["id", "organization_id", "title", "forms", "starts_on", "ends_on", "order_number",
                    "order_issued_on", "order_link", "personalized"]
_PROGRAM_SQL = f"SELECT {', '.join(_PROGRAM_COLUMNS)} FROM {{p}}programs"


def _with_outputs(tx: Tx, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    outputs = grouped(
        tx,
        "SELECT program_id, output_id, kind, title, produced_on, evidence_link, pair_id FROM {p}outputs "
        "WHERE program_id IN ({ids}) ORDER BY program_id, produced_on, output_id",
        [i["id"] for i in items],
        ["output_id", "kind", "title", "produced_on", "evidence_link", "pair_id"],
    )
    for item in items:
        item["forms"] = json.loads(item["forms"])
        item["personalized"] = bool(item["personalized"])
        item["outputs"] = outputs.get(item["id"], [])
    return items


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
    where = Where().scope(scope, "organization_id").eq("organization_id", organization_id)

    def build(tx: Tx) -> tuple[int, list[dict[str, Any]]]:
        total, items = _page(tx, _PROGRAM_SQL, "SELECT COUNT(*) FROM {p}programs", where,
                             "starts_on, title, id", _PROGRAM_COLUMNS, limit, offset)
        return total, _with_outputs(tx, items)

    position, (total, items) = read(request, response, build)
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
    def build(tx: Tx) -> dict[str, Any] | None:
        where = Where().eq("id", program_id).scope(scope, "organization_id")
        rows = dicts(tx, f"{_PROGRAM_SQL}{where}", where.params, _PROGRAM_COLUMNS)
        return _with_outputs(tx, rows)[0] if rows else None

    position, item = read(request, response, build)
    if item is None:
        raise not_found("Программы", "program_id", program_id)
    return ProgramItem(position=position, item=ProgramOut(**item))
