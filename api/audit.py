"""Audit reads (admin, auditor): an aggregate's history and past states, the log, a user's writes.

Everything here is read from the event log itself, not from projections: what an auditor sees is
what was recorded, with who recorded it, when, and (where the world has its own date) the
effective date. Each response states the log position it reflects (`X-Log-Position` and body).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from api.auth import Auditor, registry_of
from api.problems import ApiProblem, problem_responses, with_position
from registry.application import Registry
from registry.errors import FieldProblem
from registry.users import User

router = APIRouter(prefix="/audit", tags=["Аудит"])

_PAGE_MAX = 1000
_SCAN_BUDGET = 20_000
_NOT_DATA = {"originator_id", "originator_version", "timestamp", "meta", "originator_topic"}
#: Fields that carry the date a fact took effect in the world, most specific first.
_EFFECTIVE_FIELDS = (
    "effective_date", "started_on", "joined_on", "ended_on", "completed_on", "produced_on",
    "applied_on", "registered_on", "starts_on",
)


class Who(BaseModel):
    """Who recorded an event: the user (named, if a registry user), role, scope and command."""

    user_id: str
    user_name: str | None = None
    role: str
    organization_id: str | None = None
    municipality_id: str | None = None
    command_id: str


class EventOut(BaseModel):
    position: int | None = Field(default=None, description="Позиция в журнале (в журнале и выборках)")
    aggregate_id: UUID
    version: int
    type: str = Field(description="Тип события, например Mentor.Approved")
    recorded_at: datetime = Field(description="Когда событие записано (UTC)")
    effective_date: date | None = Field(description="Когда факт произошёл в мире, если у него есть своя дата")
    reason: str | None
    who: Who | None
    data: dict[str, Any]


class History(BaseModel):
    aggregate_id: UUID
    aggregate_type: str
    version: int
    position: int = Field(description="Позиция журнала, не ниже которой отражена история")
    events: list[EventOut]


class StateOut(BaseModel):
    aggregate_id: UUID
    aggregate_type: str
    version: int
    created_at: datetime
    modified_at: datetime
    as_known_at: datetime | None = None
    position: int
    state: dict[str, Any]


class LogPage(BaseModel):
    after: int
    limit: int
    head: int = Field(description="Позиция журнала, на которой прочитана страница")
    next_after: int = Field(description="Значение after для следующей страницы")
    items: list[EventOut]


class UserWrites(BaseModel):
    user_id: str
    after: int
    head: int
    scanned_to: int = Field(description="До какой позиции журнал просмотрен; продолжать с after=scanned_to")
    complete: bool = Field(description="Журнал просмотрен до head")
    items: list[EventOut]


def jsonable(value: Any) -> Any:
    """Event values as JSON: dates ISO, decimals as exact strings, value objects as objects."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, Enum):
        return jsonable(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return str(value)


def _type_name(obj: Any) -> str:
    topic = getattr(type(obj), "TOPIC", None) or f"{type(obj).__module__}:{type(obj).__qualname__}"
    return topic.removeprefix("reestr:")


class _Reader:
    """Turns stored events into `EventOut`, naming each user once per request."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self._names: dict[str, str | None] = {}

    def user_name(self, user_id: str) -> str | None:
        if user_id not in self._names:
            self._names[user_id] = None
            found: object
            try:
                found = self.registry.repository.get(UUID(user_id))
            except Exception:  # not a UUID, or not in the log: the system or the CLI
                found = None
            if isinstance(found, User):
                self._names[user_id] = found.name
        return self._names[user_id]

    def event(self, recorded: Any, position: int | None = None) -> EventOut:
        fields = {k: v for k, v in vars(recorded).items() if k not in _NOT_DATA}
        meta = getattr(recorded, "meta", None)
        who = None
        if meta is not None:
            who = Who(
                user_id=meta.user_id,
                user_name=self.user_name(meta.user_id),
                role=meta.role,
                organization_id=meta.organization_id,
                municipality_id=meta.municipality_id,
                command_id=meta.command_id,
            )
        reason = fields.get("reason")
        return EventOut(
            position=position,
            aggregate_id=recorded.originator_id,
            version=recorded.originator_version,
            type=_type_name(recorded),
            recorded_at=recorded.timestamp,
            effective_date=_effective_date(fields),
            reason=reason if isinstance(reason, str) else None,
            who=who,
            data=jsonable(fields),
        )

    def notification(self, notification: Any) -> EventOut:
        return self.event(self.registry.mapper.to_domain_event(notification), notification.id)


def _effective_date(fields: dict[str, Any]) -> date | None:
    for name in _EFFECTIVE_FIELDS:
        value = fields.get(name)
        if isinstance(value, date):
            return value
    record = fields.get("record")  # a training record carries its completion date
    value = getattr(record, "completed_on", None)
    return value if isinstance(value, date) else None


def _not_found(aggregate_id: object) -> ApiProblem:
    message = f"Агрегата {aggregate_id} нет в журнале"
    return ApiProblem(
        404, "not_found", message, [FieldProblem(field="aggregate_id", rule="exists", message=message)]
    )


AggregateId = Annotated[UUID, Path(description="Идентификатор агрегата")]
AUDIT_PROBLEMS = with_position(200, problem_responses(401, 403, 404, 422))


@router.get(
    "/aggregates/{aggregate_id}/history",
    response_model=History,
    summary="Полная история агрегата: каждое событие, кто, когда, дата факта, причина",
    operation_id="AggregateHistory",
    responses=AUDIT_PROBLEMS,
)
def history(request: Request, response: Response, aggregate_id: AggregateId, actor: Auditor) -> History:
    registry = registry_of(request)
    position = registry.position()
    reader = _Reader(registry)
    events = [reader.event(e) for e in registry.history(aggregate_id)]
    if not events:
        raise _not_found(aggregate_id)
    response.headers["X-Log-Position"] = str(position)
    return History(
        aggregate_id=aggregate_id,
        aggregate_type=events[0].type.rsplit(".", 1)[0],
        version=events[-1].version,
        position=position,
        events=events,
    )


@router.get(
    "/aggregates/{aggregate_id}/state",
    response_model=StateOut,
    summary="Состояние агрегата на версию или каким оно было известно на момент",
    description=(
        "`version` — состояние после этой версии; `as_known_at` — по событиям, записанным не позже "
        "этого момента (время без часового пояса считается UTC). Без параметров — текущее."
    ),
    operation_id="AggregateState",
    responses=AUDIT_PROBLEMS,
)
def state(
    request: Request,
    response: Response,
    aggregate_id: AggregateId,
    actor: Auditor,
    version: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None,
    as_known_at: Annotated[datetime | None, Query()] = None,
) -> StateOut:
    registry = registry_of(request)
    if version is not None and as_known_at is not None:
        message = "Укажите что-то одно: версию или момент"
        raise ApiProblem(
            422, "invalid_command", message,
            [FieldProblem(field="as_known_at", rule="one_of", message=message)],
        )
    position = registry.position()
    last = next(iter(registry.events.get(aggregate_id, desc=True, limit=1)), None)
    if last is None:
        raise _not_found(aggregate_id)
    moment = None
    if as_known_at is not None:
        moment = as_known_at if as_known_at.tzinfo else as_known_at.replace(tzinfo=UTC)
        known = [e.originator_version for e in registry.history(aggregate_id) if e.timestamp <= moment]
        if not known:
            message = f"На {moment.isoformat()} агрегат {aggregate_id} ещё не был записан"
            raise ApiProblem(
                404, "not_found", message,
                [FieldProblem(field="as_known_at", rule="exists", message=message)],
            )
        version = known[-1]
    elif version is not None and version > last.originator_version:
        message = f"У агрегата нет версии {version}: последняя — {last.originator_version}"
        raise ApiProblem(
            404, "not_found", message, [FieldProblem(field="version", rule="exists", message=message)]
        )
    aggregate: Any = registry.repository.get(aggregate_id, version=version)
    response.headers["X-Log-Position"] = str(position)
    return StateOut(
        aggregate_id=aggregate_id,
        aggregate_type=_type_name(aggregate),
        version=aggregate.version,
        created_at=aggregate.created_on,
        modified_at=aggregate.modified_on,
        as_known_at=moment,
        position=position,
        state={k: jsonable(v) for k, v in vars(aggregate).items() if not k.startswith("_")},
    )


@router.get(
    "/log",
    response_model=LogPage,
    summary="Журнал событий по порядку записи, постранично",
    operation_id="EventLog",
    responses=with_position(200, problem_responses(401, 403, 422)),
)
def event_log(
    request: Request,
    response: Response,
    actor: Auditor,
    after: Annotated[int, Query(ge=0, description="Позиция, после которой читать")] = 0,
    limit: Annotated[int, Query(ge=1, le=_PAGE_MAX)] = 100,
) -> LogPage:
    registry = registry_of(request)
    head = registry.position()
    reader = _Reader(registry)
    batch = registry.recorder.select_notifications(start=after + 1, limit=limit, stop=head) if head > after else []
    items = [reader.notification(n) for n in batch]
    response.headers["X-Log-Position"] = str(head)
    return LogPage(
        after=after,
        limit=limit,
        head=head,
        next_after=items[-1].position if items and items[-1].position else after,
        items=items,
    )


@router.get(
    "/users/{user_id}/writes",
    response_model=UserWrites,
    summary="Все записи пользователя (события, им записанные), по порядку журнала",
    description=(
        "Журнал просматривается по страницам: за один запрос — не больше "
        f"{_SCAN_BUDGET} позиций; если `complete` = false, продолжайте с `after=scanned_to`. "
        "Кроме пользователей реестра, здесь можно искать `system` и `cli:<имя>`."
    ),
    operation_id="UserWrites",
    responses=AUDIT_PROBLEMS,
)
def user_writes(
    request: Request,
    response: Response,
    actor: Auditor,
    user_id: Annotated[str, Path(min_length=1, max_length=200)],
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=_PAGE_MAX)] = 100,
) -> UserWrites:
    registry = registry_of(request)
    _require_user(registry, user_id)
    head = registry.position()
    reader = _Reader(registry)
    # Without a cipher or compression the stored JSON names the user in clear (and unescaped,
    # for ids of these characters): events that do not are skipped without decoding them.
    plain = (
        registry.mapper.cipher is None
        and registry.mapper.compressor is None
        and re.fullmatch(r"[A-Za-z0-9:._@-]+", user_id) is not None
    )
    needle = f'"{user_id}"'.encode()
    items: list[EventOut] = []
    scanned_to = after
    while scanned_to < head and scanned_to - after < _SCAN_BUDGET and len(items) < limit:
        batch = registry.recorder.select_notifications(
            start=scanned_to + 1, limit=min(_PAGE_MAX, after + _SCAN_BUDGET - scanned_to), stop=head
        )
        if not batch:
            scanned_to = head
            break
        for notification in batch:
            scanned_to = notification.id
            if plain and needle not in notification.state:
                continue
            item = reader.notification(notification)
            if item.who is not None and item.who.user_id == user_id:
                items.append(item)
                if len(items) == limit:
                    break
    response.headers["X-Log-Position"] = str(head)
    return UserWrites(
        user_id=user_id,
        after=after,
        head=head,
        scanned_to=scanned_to,
        complete=scanned_to >= head,
        items=items,
    )


def _require_user(registry: Registry, user_id: str) -> None:
    """A UUID must name a user of the registry; other ids are the system's own (system, cli:…)."""
    try:
        uid = UUID(user_id)
    except ValueError:
        return
    found: object
    try:
        found = registry.repository.get(uid)
    except Exception:
        found = None
    if not isinstance(found, User):
        message = f"Пользователь {user_id} не найден в реестре"
        raise ApiProblem(
            404, "not_found", message, [FieldProblem(field="user_id", rule="exists", message=message)]
        )
