"""Users of the registry for the institute at /staff/users: the list, adding a person with a role,
a scope and a sign-in (login and password), revoking access, resetting a password.

The grant and the revocation are the registry's commands (`AddUser`, `RevokeUser`), the same the
API and `reestr users` send; a password set or reset is recorded as `SetUserPassword` (who, when —
never the password or its hash), while the credential itself goes to the staff tables beside the
log (`api.staff.accounts`), as `reestr users add --login` and `set-password` do. The bearer token
`AddUser` needs is generated and never shown: API tokens are issued with `reestr users add`.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.reads.common import views_of
from api.scope import scope_of
from api.staff.accounts import PasswordRefused, check_login, check_password
from api.staff.pages import ROLE_RU, execute, render, see_other, xlsx_download
from api.staff.session import SignedIn, StaffRefusal, accounts_of, require_staff_roles
from projections.unit_reads import unit_choices
from registry import commands as c
from registry.users import User, all_users, new_token, token_sha256
from registry.values import Role

router = APIRouter()

ADMIN = (Role.ADMIN,)
Text = Annotated[str, Form()]
ROLE_CHOICES = [(r.value, ROLE_RU[r]) for r in (Role.CURATOR, Role.MUNICIPAL, Role.ADMIN, Role.AUDITOR)]


def _units(request: Request, staff: SignedIn) -> dict[str, dict[str, str]]:
    with views_of(request).transaction(write=False) as tx:
        found = unit_choices(tx, scope_of(staff.actor).area)
    return {"organizations": dict(found["organizations"]), "municipalities": dict(found["municipalities"])}


def _rows(request: Request, staff: SignedIn) -> list[dict[str, Any]]:
    units = _units(request, staff)
    accounts = accounts_of(request)
    rows = []
    for user in all_users(request.app.state.registry):
        where = "весь регион"
        if user.organization_id is not None:
            where = units["organizations"].get(str(user.organization_id), str(user.organization_id))
        elif user.municipality_id is not None:
            where = units["municipalities"].get(str(user.municipality_id), str(user.municipality_id))
        rows.append(
            {
                "id": str(user.id),
                "name": user.name,
                "role": ROLE_RU.get(Role(user.role), user.role),
                "where": where,
                "login": accounts.login_of(user.id),
                "active": user.active,
                "revoke_reason": user.revoke_reason,
                "added": user.created_on,
            }
        )
    return rows


@router.get("/users")
def users(request: Request, staff: SignedIn = require_staff_roles(*ADMIN)) -> Response:
    """Everyone ever given access, revoked ones marked."""
    return render(request, "staff/users.html.j2", rows=_rows(request, staff))


@router.get("/users.xlsx")
def users_xlsx(request: Request, staff: SignedIn = require_staff_roles(*ADMIN)) -> Response:
    rows = [
        [
            r["name"],
            r["role"],
            r["where"],
            r["login"] or "",
            "активен" if r["active"] else "отозван",
            r["revoke_reason"] or "",
            r["added"].date(),
            r["id"],
        ]
        for r in _rows(request, staff)
    ]
    header = ["Имя", "Роль", "Где действует", "Логин", "Доступ", "Причина отзыва", "Добавлен", "Идентификатор"]
    return xlsx_download("polzovateli.xlsx", header, rows)


def _form_page(
    request: Request, staff: SignedIn, values: Any, errors: dict[str, str], message: str | None, status: int = 200
) -> Response:
    units = _units(request, staff)
    return render(
        request,
        "staff/user_new.html.j2",
        status=status,
        values=values,
        errors=errors,
        message=message,
        roles=ROLE_CHOICES,
        organizations=list(units["organizations"].items()),
        municipalities=list(units["municipalities"].items()),
    )


@router.get("/users/new")
def new_user(request: Request, staff: SignedIn = require_staff_roles(*ADMIN)) -> Response:
    return _form_page(request, staff, {}, {}, None)


@router.post("/users/new")
def add_user(
    request: Request,
    name: Text = "",
    role: Text = "",
    organization_id: Text = "",
    municipality_id: Text = "",
    login: Text = "",
    password: Text = "",
    staff: SignedIn = require_staff_roles(*ADMIN),
) -> Response:
    """Grant access with a sign-in; refusals beside the fields, nothing recorded."""
    values = {
        "name": name,
        "role": role,
        "organization_id": organization_id,
        "municipality_id": municipality_id,
        "login": login,
    }
    errors: dict[str, str] = {}
    try:
        check_login(login)
        if accounts_of(request).user_of_login(login) is not None:
            raise PasswordRefused(f"Логин «{login.strip().lower()}» уже занят")
    except PasswordRefused as refused:
        errors["login"] = str(refused)
    try:
        check_password(password)
    except PasswordRefused as refused:
        errors["password"] = str(refused)
    data = {
        "name": name.strip() or None,
        "role": role or None,
        "token_sha256": token_sha256(new_token()),
        "organization_id": organization_id or None if role == Role.CURATOR else None,
        "municipality_id": municipality_id or None if role == Role.MUNICIPAL else None,
    }
    if errors:
        return _form_page(request, staff, values, errors, "Исправьте отмеченные поля", 422)
    outcome = execute(request, staff, c.AddUser, data)
    if not outcome.ok:
        return _form_page(request, staff, values, outcome.errors, outcome.message, 422)
    assert outcome.result is not None and outcome.result.aggregate_id is not None
    user_id = outcome.result.aggregate_id
    execute(request, staff, c.SetUserPassword, {"user_id": user_id})
    accounts_of(request).set_login(user_id, login, password)
    return see_other(f"/staff/users/{user_id}", done="saved")


def _user(request: Request, user_id: str) -> User:
    try:
        found = request.app.state.registry.repository.get(UUID(user_id))
    except (ValueError, AggregateNotFoundError):
        found = None
    if not isinstance(found, User):
        raise StaffRefusal(404, "Не найдено", f"Пользователя {user_id} нет в реестре")
    return found


def _user_page(
    request: Request, staff: SignedIn, user: User, errors: dict[str, str], message: str | None, status: int = 200
) -> Response:
    row = next(r for r in _rows(request, staff) if r["id"] == str(user.id))
    return render(request, "staff/user.html.j2", status=status, user=row, errors=errors, message=message, values={})


@router.get("/users/{user_id}")
def user_page(request: Request, user_id: str, staff: SignedIn = require_staff_roles(*ADMIN)) -> Response:
    return _user_page(request, staff, _user(request, user_id), {}, None)


@router.post("/users/{user_id}/revoke")
def revoke(
    request: Request, user_id: str, reason: Text = "", staff: SignedIn = require_staff_roles(*ADMIN)
) -> Response:
    """Revoke access: the person's sessions die with it (the session checks the user)."""
    user = _user(request, user_id)
    outcome = execute(request, staff, c.RevokeUser, {"user_id": user.id, "reason": reason.strip() or None})
    if not outcome.ok:
        return _user_page(request, staff, user, outcome.errors, outcome.message, 422)
    return see_other(f"/staff/users/{user.id}", done="saved")


@router.post("/users/{user_id}/password")
def reset_password(
    request: Request,
    user_id: str,
    password: Text = "",
    login: Text = "",
    staff: SignedIn = require_staff_roles(*ADMIN),
) -> Response:
    """Set a new password (and, for a user without one, a login); the user's sessions end."""
    user = _user(request, user_id)
    accounts = accounts_of(request)
    login = accounts.login_of(user.id) or login
    errors: dict[str, str] = {}
    try:
        check_login(login)
        taken = accounts.user_of_login(login)
        if taken is not None and taken != user.id:
            raise PasswordRefused(f"Логин «{login.strip().lower()}» уже занят")
    except PasswordRefused as refused:
        errors["login"] = str(refused)
    try:
        check_password(password)
    except PasswordRefused as refused:
        errors["password"] = str(refused)
    if not user.active:
        errors["password"] = "Доступ пользователя отозван: пароль не задаётся"
    if errors:
        return _user_page(request, staff, user, errors, "Пароль не задан: исправьте отмеченные поля", 422)
    execute(request, staff, c.SetUserPassword, {"user_id": user.id})
    if accounts.login_of(user.id) is None:
        accounts.set_login(user.id, login, password)
    else:
        accounts.set_password(user.id, password)
    return see_other(f"/staff/users/{user.id}", done="password")
