"""Users over HTTP: the admin grants access (the token is generated here and shown once) and lists.

Revoking is an ordinary write route (POST /users/{user_id}/revoke, in api/writes.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from api.auth import Auditor, current_actor, registry_of
from api.problems import problem_responses, with_position
from api.writes import WRITE_PROBLEMS, IdempotencyKey, WriteResult, body_model, run_command, scoped_command_id
from registry import commands as c
from registry.users import all_users, new_token, token_sha256
from registry.validation import parse_command
from registry.values import Actor

router = APIRouter(tags=["Пользователи"])

AddUserBody = body_model(c.AddUser, {"token_sha256"})


class UserGranted(WriteResult):
    user_id: UUID
    token: str | None = Field(
        description="Токен доступа: показывается один раз и нигде не хранится "
        "(при повторе по Idempotency-Key — null: токен уже был выдан первым ответом)"
    )


class UserOut(BaseModel):
    user_id: UUID
    name: str
    role: str
    organization_id: UUID | None
    municipality_id: UUID | None
    added_at: datetime
    active: bool
    revoke_reason: str | None


class UserList(BaseModel):
    position: int
    users: list[UserOut]


@router.post(
    "/users",
    response_model=UserGranted,
    status_code=201,
    summary="Выдать доступ пользователю (токен показывается один раз)",
    description="Команда `AddUser`. Роли: admin.",
    operation_id="AddUser",
    responses=with_position(201, WRITE_PROBLEMS),
)
def add_user(
    request: Request,
    response: Response,
    body: AddUserBody,  # type: ignore[valid-type]
    actor: Annotated[Actor, Depends(current_actor)],
    idempotency_key: IdempotencyKey = None,
) -> UserGranted:
    token = new_token()
    data = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
    data["token_sha256"] = token_sha256(token)
    data["command_id"] = scoped_command_id(actor, idempotency_key)
    command = parse_command(c.AddUser, data)
    result = run_command(request, response, command, actor)
    assert result.aggregate_id is not None
    return UserGranted(
        **result.model_dump(),
        user_id=result.aggregate_id,
        token=None if result.replayed else token,
    )


@router.get(
    "/users",
    response_model=UserList,
    summary="Пользователи реестра (без токенов)",
    description="Роли: admin, auditor.",
    operation_id="ListUsers",
    responses=with_position(200, problem_responses(401, 403)),
)
def list_users(request: Request, response: Response, actor: Auditor) -> UserList:
    registry = registry_of(request)
    position = registry.position()
    users = [
        UserOut(
            user_id=user.id,
            name=user.name,
            role=user.role,
            organization_id=user.organization_id,
            municipality_id=user.municipality_id,
            added_at=user.created_on,
            active=user.active,
            revoke_reason=user.revoke_reason,
        )
        for user in all_users(registry)
    ]
    response.headers["X-Log-Position"] = str(position)
    return UserList(position=position, users=users)
