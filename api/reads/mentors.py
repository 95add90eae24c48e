"""Read routes of the mentors' registry: in full within the reader's scope, and for a curator
the public entries (what each mentor consented to publish) of other organizations' mentors."""

from __future__ import annotations

import json
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
    Where,
    dicts,
    grouped,
    not_found,
    read,
)
from api.scope import Scope
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


_MENTOR_COLUMNS = [
    "id", "full_name", "organization_id", "organization", "municipality_id", "municipality",
    "position", "mentor_type", "forms", "subjects", "employer", "capacity", "status",
    "status_since", "status_reason", "applied_on", "consent_fields", "consent_since",
]
_MENTOR_SQL = (
    "SELECT m.id, m.full_name, m.organization_id, o.name, o.municipality_id, mu.name, m.position, "
    "m.mentor_type, m.forms, m.subjects, m.employer, m.capacity, m.status, m.status_since, "
    "m.status_reason, m.applied_on, m.consent_fields, m.consent_since FROM {p}mentors m "
    "LEFT JOIN {p}organizations o ON o.id = m.organization_id "
    "LEFT JOIN {p}municipalities mu ON mu.id = o.municipality_id"
)
_TRAININGS_SQL = (
    "SELECT mentor_id, course, provider, hours, completed_on, certificate_number FROM {p}trainings "
    "WHERE mentor_id IN ({ids}) ORDER BY mentor_id, completed_on, training_id"
)
_TRAINING_COLUMNS = ["course", "provider", "hours", "completed_on", "certificate_number"]


def _mentor_rows(tx: Tx, where: Where) -> list[dict[str, Any]]:
    rows = dicts(tx, f"{_MENTOR_SQL}{where} ORDER BY m.full_name, m.id", where.params, _MENTOR_COLUMNS)
    for row in rows:
        for key in ("forms", "subjects", "consent_fields"):
            row[key] = json.loads(row[key])
    return rows


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


def _public_matches(
    row: dict[str, Any], organization_id: UUID | None, municipality_id: UUID | None, form: str | None
) -> bool:
    """Filters on a public entry only look at what the mentor consented to show."""
    consented = set(row["consent_fields"])
    if organization_id is not None and (
        "organization" not in consented or row["organization_id"] != str(organization_id)
    ):
        return False
    if municipality_id is not None and (
        "municipality" not in consented or row["municipality_id"] != str(municipality_id)
    ):
        return False
    return form is None or ("forms" in consented and form in row["forms"])


def _with_trainings(tx: Tx, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trainings of these mentors: in full, or (public entries) course, provider, date."""
    wanted = [i["id"] for i in items if i["visibility"] == "full" or "trainings" in i]
    trainings = grouped(tx, _TRAININGS_SQL, wanted, _TRAINING_COLUMNS)
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
    def build(tx: Tx) -> tuple[int, list[dict[str, Any]]]:
        where = Where().scope(scope, "m.organization_id").eq("m.organization_id", organization_id)
        where.eq("o.municipality_id", municipality_id).eq("m.status", status)
        found = [{**row, "visibility": "full"} for row in _mentor_rows(tx, where)]
        if form is not None:
            found = [row for row in found if form in row["forms"]]
        if scope.public_registry and status in (None, MentorStatus.ACTIVE):
            others = Where().add("m.organization_id <> %s", [scope.organization_id]).eq("m.status", "active")
            public = [
                entry
                for row in _mentor_rows(tx, others)
                if (entry := public_entry(row)) is not None
                and _public_matches(row, organization_id, municipality_id, form)
            ]
            # Ordered by what is shown: an unnamed entry's place must not hint at its name.
            public.sort(key=lambda e: ("full_name" not in e, e.get("full_name") or "", e["id"]))
            found.extend(public)
        page = found[offset : offset + limit]
        return len(found), _with_trainings(tx, page)

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
        rows = _mentor_rows(tx, Where().eq("m.id", mentor_id))
        if not rows:
            return None
        row = rows[0]
        if scope.covers(row["organization_id"], row["municipality_id"]):
            item: dict[str, Any] | None = {**row, "visibility": "full"}
        else:
            item = public_entry(row) if scope.public_registry else None
        return None if item is None else _with_trainings(tx, [item])[0]

    position, item = read(request, response, build)
    if item is None:
        raise not_found("Наставника", "mentor_id", mentor_id)
    return MentorItem(position=position, item=MentorOut(**item))

