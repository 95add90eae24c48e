"""Read routes of the mentors' registry: in full within the reader's scope, and for a curator
the public entries (what each mentor consented to publish) of other organizations' mentors."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
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
from projections.mentor_reads import MentorFilter, mentor_by_id, mentor_page, public_entry, with_trainings
from projections.store import Tx
from registry.values import MentorStatus

router = APIRouter()


# -- mentors -------------------------------------------------------------------------------------


class TrainingOut(BaseModel):
    course: str
    provider: str
    hours: int | None = None
    completed_on: date
    certificate_number: str | None = None


class MentorOut(BaseModel):
    """A mentor. `visibility` = `full` for staff in scope; `public` for a curator reading another
    organization's mentor: only what the mentor consented to publish, the rest is null."""

    id: str
    visibility: Literal["full", "public"]
    full_name: str | None = None
    organization_id: str | None = None
    organization: str | None = None
    municipality_id: str | None = None
    municipality: str | None = None
    position: str | None = None
    mentor_type: str | None = None
    forms: list[str] | None = None
    subjects: list[str] | None = None
    employer: str | None = None
    capacity: int | None = None
    status: MentorStatus
    status_since: date | None = None
    status_reason: str | None = None
    applied_on: date | None = None
    consent_fields: list[str] | None = None
    consent_since: date | None = None
    trainings: list[TrainingOut] | None = None


class MentorItem(BaseModel):
    position: int = Field(description="Позиция журнала событий, которую отражает ответ")
    item: MentorOut


class MentorPage(Paged):
    items: list[MentorOut]


@router.get(
    "/mentors",
    response_model=MentorPage,
    summary="Реестр наставников (в своей области; куратору — ещё публичные сведения остальных)",
    operation_id="ListMentors",
    tags=[REGISTRY],
    responses=READ_PROBLEMS,
)
def mentors(
    request: Request,
    response: Response,
    scope: Scope,
    organization_id: UUID | None = None,
    municipality_id: UUID | None = None,
    status: MentorStatus | None = None,
    form: FormCode = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> MentorPage:
    chosen = MentorFilter(organization_id=as_text(organization_id), municipality_id=as_text(municipality_id),
                          status=as_text(status), form=form)
    # Paged in SQL: the reader's own mentors first, then (a curator) the public entries of other
    # organizations' mentors.
    public_of = scope.organization_id if scope.public_registry else None
    position, (total, items) = read(
        request, response, lambda tx: mentor_page(tx, scope.area, chosen, limit, offset, public_of=public_of)
    )
    return MentorPage(
        position=position, total=total, limit=limit, offset=offset, items=[MentorOut(**i) for i in items]
    )


MentorId = Annotated[UUID, Path(description="Идентификатор наставника")]


@router.get(
    "/mentors/{mentor_id}",
    response_model=MentorItem,
    summary="Наставник (куратору чужой организации — только публичные сведения)",
    operation_id="GetMentor",
    tags=[REGISTRY],
    responses=ITEM_PROBLEMS,
)
def mentor(request: Request, response: Response, scope: Scope, mentor_id: MentorId) -> MentorItem:
    def build(tx: Tx) -> dict[str, Any] | None:
        row = mentor_by_id(tx, str(mentor_id))
        if row is None:
            return None
        if scope.covers(row["organization_id"], row["municipality_id"]):
            item: dict[str, Any] | None = {**row, "visibility": "full"}
        else:
            item = public_entry(row) if scope.public_registry else None
        return None if item is None else with_trainings(tx, [item])[0]

    position, item = read(request, response, build)
    if item is None:
        raise not_found("Наставника", "mentor_id", mentor_id)
    return MentorItem(position=position, item=MentorOut(**item))

