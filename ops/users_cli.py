"""`reestr users add|list|revoke|set-password`: who may use the API and the workspace, with which role and scope.

A token is printed once, by `add`, on standard output alone (so `TOKEN=$(reestr users add …)`
works); the registry keeps only its SHA-256. Grants and revocations are events in the log,
attributed to `cli:<system user>`. A workspace login and password (`--login L --password-stdin`,
`set-password L`) are kept beside the log as an argon2id hash; the log records only that the
password was set, and by whom.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

from ops.runtime import LogFormat, load_settings, registry_from_settings
from registry import commands as c
from registry.application import Registry
from registry.errors import RegistryError
from registry.users import all_users, new_token, token_sha256
from api.staff.accounts import PasswordRefused, StaffAccounts, check_login, check_password
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
    login: Annotated[
        str | None, typer.Option("--login", help="Логин для входа в рабочее место /staff/ (с --password-stdin)")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Прочитать пароль для входа из стандартного ввода")
    ] = False,
    log_format: LogFormat = None,
) -> None:
    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    token = new_token()
    password = None
    if (login is None) != (not password_stdin):
        registry.close()
        console.print("[red]Логин и пароль задаются вместе: --login L --password-stdin[/red]")
        raise typer.Exit(2)
    if login is not None:
        password = _read_password()
        accounts = StaffAccounts(registry)
        try:
            check_login(login)
            check_password(password)
            if accounts.user_of_login(login) is not None:
                raise PasswordRefused(f"Логин «{login.strip().lower()}» уже занят")
        except PasswordRefused as refused_:
            registry.close()
            console.print(f"[red]Отказано: {refused_}[/red]")
            raise typer.Exit(1) from None
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
        if login is not None and password is not None:
            _set_credentials(registry, UUID(str(result.aggregate_id)), password, login=login)
    except RegistryError as error:
        raise refused(error) from None
    except PasswordRefused as refused_:
        console.print(f"[red]Отказано: {refused_}[/red]")
        raise typer.Exit(1) from None
    finally:
        registry.close()
    if login is not None:
        console.print(f"Логин для входа в рабочее место: {login.strip().lower()}")
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


def _read_password() -> str:
    """The password from standard input: its first line (never an argument: it would show in `ps`)."""
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _set_credentials(registry: Registry, user_id: UUID, password: str, *, login: str | None = None) -> None:
    """Check the password, record in the log that it was set (by whom; refused for a revoked
    user), then store its hash beside the log."""
    check_password(password)
    accounts = StaffAccounts(registry)
    registry.execute(parse_command(c.SetUserPassword, {"user_id": user_id}), cli_actor())
    if login is not None:
        accounts.set_login(user_id, login, password)
    else:
        accounts.set_password(user_id, password)


@users_app.command(
    "set-password",
    help="Задать новый пароль входа в рабочее место по логину (пароль — из стандартного ввода).",
)
def set_password(
    login: Annotated[str, typer.Argument(help="Логин пользователя")],
    log_format: LogFormat = None,
) -> None:
    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    try:
        user_id = StaffAccounts(registry).user_of_login(login)
        if user_id is None:
            console.print(f"[red]Отказано: логина «{login}» нет[/red]")
            raise typer.Exit(1)
        _set_credentials(registry, user_id, _read_password())
    except RegistryError as error:
        raise refused(error) from None
    except PasswordRefused as refused_:
        console.print(f"[red]Отказано: {refused_}[/red]")
        raise typer.Exit(1) from None
    finally:
        registry.close()
    console.print(f"Пароль пользователя {login} задан; все его сеансы завершены.")
