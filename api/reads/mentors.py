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
    grouped,
    not_found,
    read,
)
from api.scope import Scope
from projections.mentor_reads import (
    TRAINING_COLUMNS,
    TRAININGS_SQL,
    MentorFilter,
    mentor_by_id,
    mentor_page,
)
from projections.queries import consented_profile
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


def _decoded(rows: list[dict[str, Any]], visibility: str) -> list[dict[str, Any]]:
    return [{**row, "visibility": visibility} for row in rows]


def public_entry(row: dict[str, Any]) -> dict[str, Any] | None:
    """What the public page shows of a mentor (None: nothing), as `Queries.public_mentors` does:
    mentors in the registry who consented, only the consented fields."""
    consented = set(row["consent_fields"])
    if row["status"] != MentorStatus.ACTIVE or not consented:
        return None
    entry: dict[str, Any] = {
        "id": row["id"],
        "visibility": "public",
        "status": row["status"],
        **consented_profile(row),
    }
    if "training" in consented:
        entry["trainings"] = []
    return entry


def _with_trainings(tx: Tx, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trainings of these mentors: in full, or (public entries) course, provider, date."""
    wanted = [i["id"] for i in items if i["visibility"] == "full" or "trainings" in i]
    trainings = grouped(tx, TRAININGS_SQL, wanted, TRAINING_COLUMNS)
    for item in items:
        found = trainings.get(item["id"], [])
        if item["visibility"] == "full":
            item["trainings"] = found
        elif "trainings" in item:
            item["trainings"] = [
                {"course": t["course"], "provider": t["provider"], "completed_on": t["completed_on"]}
                for t in found
            ]
    return items


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
    chosen = MentorFilter(
        organization_id=None if organization_id is None else str(organization_id),
        municipality_id=None if municipality_id is None else str(municipality_id),
        status=None if status is None else str(status),
        form=form,
    )

    def build(tx: Tx) -> tuple[int, list[dict[str, Any]]]:
        # Paged in SQL: only the page's rows are read, the reader's own mentors first, then (a
        # curator) the public entries of other organizations' mentors.
        public_of = scope.organization_id if scope.public_registry else None
        total, full, public = mentor_page(
            tx, scope.condition("m.organization_id"), chosen, limit, offset, public_of=public_of
        )
        page = _decoded(full, "full") + [entry for row in public if (entry := public_entry(row)) is not None]
        return total, _with_trainings(tx, page)

    position, (total, items) = read(request, response, build)
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
        return None if item is None else _with_trainings(tx, [item])[0]

    position, item = read(request, response, build)
    if item is None:
        raise not_found("Наставника", "mentor_id", mentor_id)
    return MentorItem(position=position, item=MentorOut(**item))

