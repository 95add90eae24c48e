"""Who is asking: the bearer token names a user of the registry, and the user an `Actor`.

Tokens are issued by `reestr users add` (or POST /api/v1/users) and stored only as SHA-256
hashes, inside the registry's own log. A revoked token stops working at once, in every process:
the user is read through the repository, which catches up with events recorded elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.problems import ApiProblem
from registry.application import Registry
from registry.users import User, user_for_token
from registry.values import Actor, Role

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="Токен пользователя, выданный командой `reestr users add`",
)

_ROLE_RU = {
    Role.ADMIN: "администратор",
    Role.MUNICIPAL: "муниципальный координатор",
    Role.CURATOR: "куратор",
    Role.AUDITOR: "аудитор",
}


def registry_of(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The actor of a valid bearer token; 401 without a token or with an unknown / revoked one."""
    if credentials is None:
        raise ApiProblem(
            401,
            "unauthorized",
            "Нужен токен доступа: заголовок «Authorization: Bearer <токен>»",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user = user_for_token(registry_of(request), credentials.credentials)
    if user is None:
        raise ApiProblem(
            401,
            "unauthorized",
            "Токен неизвестен или отозван",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return actor_of_user(user)


def actor_of_user(user: User) -> Actor:
    """The actor a user acts as: role and scope (the API's token and the workspace's session)."""
    return Actor(
        user_id=str(user.id),
        role=Role(user.role),
        organization_id=str(user.organization_id) if user.organization_id else None,
        municipality_id=str(user.municipality_id) if user.municipality_id else None,
    )


CurrentActor = Annotated[Actor, Depends(current_actor)]


def require_roles(*roles: Role) -> Callable[[Actor], Actor]:
    """A dependency that lets only these roles read on (writes are checked by the registry)."""

    def check(actor: CurrentActor) -> Actor:
        if actor.role not in roles:
            allowed = ", ".join(_ROLE_RU[r] for r in roles)
            raise ApiProblem(
                403,
                "forbidden",
                f"Роль «{_ROLE_RU.get(actor.role, actor.role)}» не может это читать (доступно: {allowed})",
            )
        return actor

    return check


Auditor = Annotated[Actor, Depends(require_roles(Role.ADMIN, Role.AUDITOR))]
"""The regional institute or an auditor: the readers of the full history."""
