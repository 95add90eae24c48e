"""`reestr users add|list|revoke`: who may use the API, with which role and scope.

A token is printed once, by `add`, on standard output alone (so `TOKEN=$(reestr users add …)`
works); the registry keeps only its SHA-256. Grants and revocations are events in the log,
attributed to `cli:<system user>`.
"""

from __future__ import annotations

import getpass
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

from ops.runtime import LogFormat, load_settings, registry_from_settings
from registry import commands as c
from registry.application import Registry
from registry.errors import RegistryError
from registry.users import all_users, new_token, token_sha256
from registry.validation import parse_command
from registry.values import Actor, Role

users_app = typer.Typer(
    help="Пользователи API: выдать токен, показать список, отозвать доступ.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True, soft_wrap=True)  # paths and messages stay whole lines


_ROLE_HELP = "admin (региональный институт), municipal (муниципальный координатор), curator (куратор ОО), auditor"


def cli_actor() -> Actor:
    """The person at the console acts as an administrator; the log names their system account."""
    try:
        name = getpass.getuser()
    except Exception:  # no user name in some containers
        name = "unknown"
    return Actor(user_id=f"cli:{name}", role=Role.ADMIN)


def refused(error: RegistryError) -> typer.Exit:
    console.print(f"[red]Отказано: {error.message}[/red]")
    for problem in error.problems:
        if problem.message != error.message:
            console.print(f"  {problem.field}: {problem.message}")
    return typer.Exit(1)


@users_app.command("add", help="Выдать доступ: печатает токен один раз (в базе хранится только его хеш).")
def add(
    name: Annotated[str, typer.Option("--name", help="Имя пользователя (ФИО или должность)")],
    role: Annotated[c.UserRole, typer.Option("--role", help=_ROLE_HELP)],
    organization: Annotated[
        UUID | None, typer.Option("--organization", help="Организация куратора (идентификатор)")
    ] = None,
    municipality: Annotated[
        UUID | None, typer.Option("--municipality", help="Муниципалитет координатора (идентификатор)")
    ] = None,
    log_format: LogFormat = None,
) -> None:
    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    token = new_token()
    try:
        command = parse_command(
            c.AddUser,
            {
                "name": name,
                "role": role,
                "organization_id": organization,
                "municipality_id": municipality,
                "token_sha256": token_sha256(token),
            },
        )
        result = registry.execute(command, cli_actor())
    except RegistryError as error:
        raise refused(error) from None
    finally:
        registry.close()
    console.print(
        f"Пользователь {result.aggregate_id} ({name}, {role.value}) добавлен. "
        "Токен показан ниже один раз — сохраните его:"
    )
    typer.echo(token)


@users_app.command("list", help="Показать пользователей (токены не показываются: их нет в базе).")
def list_(
    all_: Annotated[bool, typer.Option("--all", help="Включая отозванных")] = False,
    log_format: LogFormat = None,
) -> None:
    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    try:
        rows = [
            (user, _scope(registry, user.organization_id, user.municipality_id))
            for user in all_users(registry)
            if all_ or user.active
        ]
    finally:
        registry.close()
    out = Console(highlight=False)
    if not rows:
        out.print("Пользователей нет.")
    for user, scope in rows:  # two lines each: readable at any width, the id whole for `revoke`
        status = "активен" if user.active else f"отозван: {user.revoke_reason}"
        out.print(f"{user.id}  {user.role}  {status}", soft_wrap=True)
        out.print(f"    {user.name} — {scope}; добавлен {user.created_on:%Y-%m-%d %H:%M} UTC", soft_wrap=True)


def _scope(registry: Registry, organization_id: UUID | None, municipality_id: UUID | None) -> str:
    """Where a user acts, by name: an organization, a municipality, or the whole region."""
    for unit_id in (organization_id, municipality_id):
        if unit_id is not None:
            try:
                return str(registry.repository.get(unit_id).name)
            except Exception:
                return str(unit_id)
    return "весь регион"


@users_app.command("revoke", help="Отозвать доступ пользователя (токен перестаёт действовать сразу).")
def revoke(
    user_id: Annotated[UUID, typer.Argument(help="Идентификатор пользователя (см. reestr users list)")],
    reason: Annotated[str, typer.Option("--reason", help="Причина отзыва")],
    log_format: LogFormat = None,
) -> None:
    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    try:
        command = parse_command(c.RevokeUser, {"user_id": user_id, "reason": reason})
        registry.execute(command, cli_actor())
    except RegistryError as error:
        raise refused(error) from None
    finally:
        registry.close()
    console.print(f"Доступ пользователя {user_id} отозван.")
