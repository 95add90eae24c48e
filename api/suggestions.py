"""Mentor suggestions for a mentee (or a group) when a pair is being formed; each says why.

`GET /mentees/{id}/mentor-suggestions` for one mentee, `GET /mentor-suggestions?mentee_ids=…`
for a group. The mentees must be within the reader's scope (else 404, as for the mentee itself);
mentors of other organizations are shown with the fields they consented to publish only, unless
the reader's scope covers them. The rules are in `projections.suggestions`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from api.auth import registry_of
from api.problems import ApiProblem
from api.reads.common import ITEM_PROBLEMS, not_found, read
from api.scope import ReadScope, Scope
from projections.store import Tx
from projections.suggestions import Wish, mentees_of, suggest
from registry.errors import FieldProblem

router = APIRouter(tags=["Пары и группы"])


class Suggestion(BaseModel):
    rank: int
    mentor_id: str
    full_name: str | None = Field(description="Пусто, если наставник другой организации не дал согласия на имя")
    organization_id: str | None
    organization: str | None
    municipality: str | None
    forms: list[str] | None
    subjects: list[str] | None
    capacity: int | None = Field(description="Сколько наставляемых может вести (пусто — не ограничено)")
    load: int = Field(description="Скольких ведёт в парах, пересекающих период")
    free: int | None = Field(description="Свободно мест на период (пусто — не ограничено)")
    trained: bool
    subject_matches: bool
    reasons: list[str] = Field(description="Почему предложен — по-русски")


class SuggestionList(BaseModel):
    position: int
    mentee_ids: list[str]
    form: str
    starts_on: date
    ends_on: date | None
    items: list[Suggestion]


Form = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$",
                            description="Форма наставничества (код справочника)")]
Subject = Annotated[str | None, Query(min_length=1, max_length=500, description="Предмет или направление")]
StartsOn = Annotated[date | None, Query(description="Начало предполагаемой работы пары (по умолчанию сегодня)")]
EndsOn = Annotated[date | None, Query(description="Окончание (пусто — без даты окончания)")]
Limit = Annotated[int, Query(ge=1, le=100, description="Сколько предложений вернуть")]


def _suggestions(
    request: Request, response: Response, scope: ReadScope, mentee_ids: list[UUID], form: str,
    subject: str | None, starts_on: date | None, ends_on: date | None, limit: int,
) -> SuggestionList:
    start = starts_on or registry_of(request).clock()
    if ends_on is not None and ends_on < start:
        message = "Окончание раньше начала периода"
        raise ApiProblem(422, "invalid_command", message, [FieldProblem(field="ends_on", rule="date_order", message=message)])
    ids = list(dict.fromkeys(str(m) for m in mentee_ids))
    wish = Wish(mentee_ids=ids, form=form, subject=subject, starts_on=start, ends_on=ends_on)

    def build(tx: Tx) -> list[dict[str, Any]]:
        found = mentees_of(tx, ids, scope.area)
        missing = sorted(set(ids) - {row[0] for row in found})
        if missing:
            raise not_found("Наставляемого", "mentee_ids", missing[0])
        organizations = {(org, municipality) for _, org, municipality in found}
        if len(organizations) > 1:
            message = "Наставляемые группы из разных организаций: пару формирует одна организация"
            raise ApiProblem(422, "rule_violation", message,
                             [FieldProblem(field="mentee_ids", rule="mentee_of_pair_organization", message=message)])
        [(organization_id, municipality_id)] = organizations
        return suggest(tx, wish, organization_id, municipality_id, reader_sees=scope.covers, limit=limit)

    position, items = read(request, response, build)
    return SuggestionList(position=position, mentee_ids=ids, form=form, starts_on=start, ends_on=ends_on,
                          items=[Suggestion(**{k: v for k, v in i.items() if k != "locality"}) for i in items])


@router.get("/mentees/{mentee_id}/mentor-suggestions", response_model=SuggestionList,
            summary="Подходящие наставники для наставляемого, с объяснением",
            operation_id="MentorSuggestions", responses=ITEM_PROBLEMS)
def for_mentee(
    request: Request, response: Response, scope: Scope,
    mentee_id: Annotated[UUID, Path(description="Идентификатор наставляемого")],
    form: Form, subject: Subject = None, starts_on: StartsOn = None, ends_on: EndsOn = None, limit: Limit = 20,
) -> SuggestionList:
    return _suggestions(request, response, scope, [mentee_id], form, subject, starts_on, ends_on, limit)


@router.get("/mentor-suggestions", response_model=SuggestionList,
            summary="Подходящие наставники для группы наставляемых, с объяснением",
            operation_id="GroupMentorSuggestions", responses=ITEM_PROBLEMS)
def for_group(
    request: Request, response: Response, scope: Scope,
    mentee_ids: Annotated[list[UUID], Query(min_length=1, max_length=50, description="Наставляемые группы")],
    form: Form, subject: Subject = None, starts_on: StartsOn = None, ends_on: EndsOn = None, limit: Limit = 20,
) -> SuggestionList:
    return _suggestions(request, response, scope, mentee_ids, form, subject, starts_on, ends_on, limit)
