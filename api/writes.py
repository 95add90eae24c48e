"""Write routes: one REST path per command of the core, declared in a table.

Each route's body is the command without its path parameters (they come from the URL) and
without `command_id`: the `Idempotency-Key` header supplies it. Who may send what is decided by
the registry (`Command.allowed_roles` and the curator's scope), never here; a refusal is a 403
problem and nothing is recorded.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import structlog
from annotated_types import Ge, Le, MaxLen, MinLen
from fastapi import APIRouter, Body, Depends, Header, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from api.auth import current_actor, registry_of
from api.problems import problem_responses, with_position
from registry import commands as c
from registry.validation import parse_command
from registry.values import Actor

log = structlog.get_logger("reestr.api")



class WriteResult(BaseModel):
    """What a write recorded: the aggregate, its new version and the log position after it."""

    command_id: str = Field(description="Идентификатор команды (из Idempotency-Key, если он был)")
    aggregate_id: UUID | None
    version: int | None = Field(description="Новая версия агрегата")
    position: int = Field(description="Позиция журнала после записи")
    events: int = Field(description="Сколько событий записано (0 при повторе)")
    replayed: bool = Field(description="Повтор по Idempotency-Key: ничего нового не записано")
    item_id: str | None = Field(
        default=None, description="Идентификатор созданного элемента (обучения, продукта)"
    )


@dataclass(frozen=True)
class WriteRoute:
    path: str
    command: type[c.Command]
    summary: str
    tag: str
    creates: bool = False
    #: The field of the recorded event that names an item created inside the aggregate.
    item_attr: str | None = None

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)


_UNITS = "Муниципалитеты и организации"
_LISTS = "Справочники и целевые показатели"
_MENTORS = "Наставники"
_MENTEES = "Наставляемые"
_PAIRS = "Пары и группы"
_PROGRAMS = "Программы"
_USERS = "Пользователи"
_ERASURE = "Персональные данные"
_ROUNDS = "Мониторинг"

#: REST path (under /api/v1) -> command. POST /api/v1/users (AddUser) is in api/users.py:
#: the server generates the token there.
WRITE_ROUTES: tuple[WriteRoute, ...] = (
    WriteRoute("/municipalities", c.RegisterMunicipality, "Зарегистрировать муниципалитет", _UNITS, creates=True),
    WriteRoute("/municipalities/{municipality_id}/rename", c.RenameMunicipality, "Переименовать муниципалитет", _UNITS),
    WriteRoute("/regions", c.RegisterRegion, "Зарегистрировать регион (код и название)", _UNITS, creates=True),
    WriteRoute("/regions/{code}/rename", c.RenameRegion, "Переименовать регион", _UNITS),
    WriteRoute("/organizations", c.RegisterOrganization, "Зарегистрировать организацию", _UNITS, creates=True),
    WriteRoute("/organizations/{organization_id}/rename", c.RenameOrganization, "Переименовать организацию", _UNITS),
    WriteRoute("/organizations/{organization_id}/close", c.CloseOrganization, "Закрыть организацию", _UNITS),
    WriteRoute("/organizations/{organization_id}/contingents", c.ReportContingent, "Внести контингент за год", _UNITS),
    WriteRoute(
        "/organizations/{organization_id}/contingents/{year}/correct",
        c.CorrectContingent, "Исправить контингент за год", _UNITS,
    ),
    WriteRoute(
        "/organizations/{organization_id}/checklist/{item}/complete",
        c.CompleteChecklistItem, "Отметить пункт чек-листа выполненным", _UNITS,
    ),
    WriteRoute(
        "/organizations/{organization_id}/checklist/{item}/reopen",
        c.ReopenChecklistItem, "Снять отметку с пункта чек-листа", _UNITS,
    ),
    WriteRoute(
        "/reference-lists/{list_kind}/entries", c.AddReferenceEntry, "Добавить значение справочника", _LISTS,
        creates=True,
    ),
    WriteRoute(
        "/reference-lists/{list_kind}/entries/{code}/rename",
        c.RenameReferenceEntry, "Переименовать значение справочника", _LISTS,
    ),
    WriteRoute(
        "/reference-lists/{list_kind}/entries/{code}/retire",
        c.RetireReferenceEntry, "Вывести значение справочника из употребления", _LISTS,
    ),
    WriteRoute("/targets", c.SetTarget, "Установить целевое значение показателя на год", _LISTS),
    WriteRoute("/mentors", c.SubmitMentorApplication, "Подать заявку наставника", _MENTORS, creates=True),
    WriteRoute("/mentors/{mentor_id}/approve", c.ApproveMentor, "Включить наставника в реестр", _MENTORS),
    WriteRoute("/mentors/{mentor_id}/reject", c.RejectMentor, "Отклонить заявку наставника", _MENTORS),
    WriteRoute("/mentors/{mentor_id}/profile", c.UpdateMentorProfile, "Изменить анкету наставника", _MENTORS),
    WriteRoute("/mentors/{mentor_id}/consent", c.GiveConsent, "Внести согласие на публикацию", _MENTORS),
    WriteRoute("/mentors/{mentor_id}/consent/withdraw", c.WithdrawConsent, "Отозвать согласие на публикацию", _MENTORS),
    WriteRoute("/mentors/{mentor_id}/suspend", c.SuspendMentor, "Приостановить наставника", _MENTORS),
    WriteRoute("/mentors/{mentor_id}/remove", c.RemoveMentor, "Исключить наставника из реестра", _MENTORS),
    WriteRoute("/mentors/{mentor_id}/reinstate", c.ReinstateMentor, "Восстановить наставника в реестре", _MENTORS),
    WriteRoute(
        "/mentors/{mentor_id}/trainings", c.RecordTraining, "Учесть обучение наставника", _MENTORS,
        creates=True, item_attr="training_id",
    ),
    WriteRoute(
        "/mentors/{mentor_id}/trainings/{training_id}/correct",
        c.CorrectTraining, "Исправить сведения об обучении", _MENTORS,
    ),
    WriteRoute("/mentees", c.RegisterMentee, "Зарегистрировать наставляемого", _MENTEES, creates=True),
    WriteRoute("/mentees/{mentee_id}/correct", c.CorrectMentee, "Исправить сведения о наставляемом", _MENTEES),
    WriteRoute("/mentees/{mentee_id}/move", c.MoveMentee, "Перевести наставляемого в другую организацию", _MENTEES),
    WriteRoute("/pairs", c.FormPair, "Сформировать пару (группу)", _PAIRS, creates=True),
    WriteRoute("/pairs/{pair_id}/mentees", c.AddMenteeToPair, "Добавить наставляемого в пару (группу)", _PAIRS),
    WriteRoute("/pairs/{pair_id}/complete", c.CompletePair, "Завершить пару с результатом", _PAIRS),
    WriteRoute("/pairs/{pair_id}/dissolve", c.DissolvePair, "Расформировать пару", _PAIRS),
    WriteRoute("/pairs/{pair_id}/correct-start", c.CorrectPairStart, "Исправить дату формирования пары", _PAIRS),
    WriteRoute("/pairs/{pair_id}/transfer", c.TransferPair, "Передать пару другому наставнику", _PAIRS),
    WriteRoute("/pairs/{pair_id}/feedback", c.RecordPairFeedback, "Внести анкету участника завершённой пары", _PAIRS),
    WriteRoute("/programs", c.AdoptProgram, "Утвердить программу наставничества", _PROGRAMS, creates=True),
    WriteRoute(
        "/programs/{program_id}/outputs", c.RecordProgramOutput, "Учесть продукт программы", _PROGRAMS,
        creates=True, item_attr="output_id",
    ),
    WriteRoute(
        "/programs/{program_id}/outputs/{output_id}/retract",
        c.RetractProgramOutput, "Отозвать ошибочно учтённый продукт", _PROGRAMS,
    ),
    WriteRoute("/users/{user_id}/revoke", c.RevokeUser, "Отозвать доступ пользователя", _USERS),
    WriteRoute(
        "/persons/{person_id}/erase", c.ErasePersonalData,
        "Удалить персональные данные наставника или наставляемого (152-ФЗ)", _ERASURE,
    ),
    WriteRoute("/monitoring-rounds", c.OpenMonitoringRound, "Объявить мониторинг", _ROUNDS, creates=True),
    WriteRoute("/monitoring-rounds/{round_id}/close", c.CloseMonitoringRound, "Закрыть мониторинг", _ROUNDS),
    WriteRoute("/roadmap-items", c.PlanRoadmapItem, "Запланировать пункт дорожной карты со сроком", _ROUNDS),
    WriteRoute("/roadmap-items/{item}/drop", c.DropRoadmapItem, "Исключить пункт из дорожной карты", _ROUNDS),
)

WRITE_PROBLEMS = problem_responses(401, 403, 404, 409, 422)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9._:~-]+$",
        description=(
            "Ключ идемпотентности (например UUID): повтор запроса с тем же ключом возвращает "
            "первый результат и ничего не записывает. Ключи разных пользователей не пересекаются."
        ),
    ),
]


def body_model(command: type[c.Command], exclude: set[str], name: str | None = None) -> type[BaseModel]:
    """The command's fields less those given elsewhere (path parameters, `command_id`)."""
    fields: dict[str, Any] = {
        field_name: (info.annotation, info)
        for field_name, info in command.model_fields.items()
        if field_name not in exclude | {"command_id"}
    }
    return create_model(  # type: ignore[call-overload,no-any-return]
        name or f"{command.__name__}Body",
        __config__=ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True),
        __doc__=(command.__doc__ or "").strip() or None,
        **fields,
    )


def _path_parameter(info: FieldInfo) -> Any:
    """A path parameter typed and constrained like the command field it fills."""
    limits: dict[str, Any] = {}
    for item in info.metadata:
        if isinstance(item, MinLen):
            limits["min_length"] = item.min_length
        elif isinstance(item, MaxLen):
            limits["max_length"] = item.max_length
        elif isinstance(item, Ge):
            limits["ge"] = item.ge
        elif isinstance(item, Le):
            limits["le"] = item.le
        elif getattr(item, "pattern", None):
            limits["pattern"] = item.pattern
    return Annotated[info.annotation, Path(**limits)]  # type: ignore[name-defined]


def scoped_command_id(actor: Actor, idempotency_key: str | None) -> str | None:
    """The command id of an Idempotency-Key: per user, so one user's key never replays another's."""
    return f"{actor.user_id}:{idempotency_key}" if idempotency_key else None


def run_command(
    request: Request, response: Response, command: c.Command, actor: Actor, item_attr: str | None = None
) -> WriteResult:
    """Execute through the registry (its after-commit subscribers catch the views up: a client
    reads its own writes) and say what was recorded."""
    registry = registry_of(request)
    result = registry.execute(command, actor)
    item_id = None
    if item_attr and result.aggregate_id and result.version:
        for recorded in registry.events.get(
            result.aggregate_id, gt=result.version - 1, lte=result.version
        ):
            item_id = getattr(recorded, item_attr, None)
    position = result.position if result.position is not None else registry.position()
    response.headers["X-Log-Position"] = str(position)
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return WriteResult(
        command_id=result.command_id,
        aggregate_id=result.aggregate_id,
        version=result.version,
        position=position,
        events=result.events,
        replayed=result.replayed,
        item_id=item_id,
    )


def _endpoint(route: WriteRoute, body_type: type[BaseModel], body_required: bool) -> Callable[..., WriteResult]:
    params = route.path_params

    def endpoint(**values: Any) -> WriteResult:
        actor: Actor = values["actor"]
        body: BaseModel | None = values["body"]
        data = body.model_dump(exclude_unset=True) if body is not None else {}
        data.update({name: values[name] for name in params})
        data["command_id"] = scoped_command_id(actor, values["idempotency_key"])
        command = parse_command(route.command, data)
        return run_command(values["request"], values["response"], command, actor, route.item_attr)

    keyword = inspect.Parameter.KEYWORD_ONLY
    signature = [
        inspect.Parameter("request", keyword, annotation=Request),
        inspect.Parameter("response", keyword, annotation=Response),
        inspect.Parameter("actor", keyword, annotation=Annotated[Actor, Depends(current_actor)]),
        inspect.Parameter("idempotency_key", keyword, annotation=IdempotencyKey, default=None),
    ]
    signature += [
        inspect.Parameter(name, keyword, annotation=_path_parameter(route.command.model_fields[name]))
        for name in params
    ]
    if body_required:
        signature.append(inspect.Parameter("body", keyword, annotation=body_type))
    else:
        signature.append(
            inspect.Parameter("body", keyword, annotation=Annotated[body_type | None, Body()], default=None)
        )
    endpoint.__signature__ = inspect.Signature(signature)  # type: ignore[attr-defined]
    endpoint.__name__ = route.command.__name__
    return endpoint


def write_router() -> APIRouter:
    """Every route of `WRITE_ROUTES`, with its body schema and the problems it can end in."""
    router = APIRouter()
    for route in WRITE_ROUTES:
        body_type = body_model(route.command, set(route.path_params))
        body_required = any(info.is_required() for info in body_type.model_fields.values())
        allowed = ", ".join(sorted(role.value for role in route.command.allowed_roles))
        router.add_api_route(
            route.path,
            _endpoint(route, body_type, body_required),
            methods=["POST"],
            response_model=WriteResult,
            status_code=201 if route.creates else 200,
            summary=route.summary,
            description=f"Команда `{route.command.__name__}`. Роли: {allowed}.",
            operation_id=route.command.__name__,
            tags=[route.tag],
            responses=with_position(201 if route.creates else 200, WRITE_PROBLEMS),
        )
    return router
