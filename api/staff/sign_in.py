"""Signing in and out, and a person's own password: `/staff/login`, `/staff/logout`,
`/staff/password`. Every attempt, success and sign-out goes to the audit trail (the log
`reestr.staff`); passwords never do."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.staff.accounts import PasswordRefused, check_password
from api.staff.pages import execute, render, see_other
from api.staff.session import (
    COOKIE_PATH,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentStaff,
    StaffRefusal,
    accounts_of,
    active_user,
    client_address,
    config_of,
    log,
    login_form_token,
    signed_in_or_none,
)
from registry import commands as c

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Where to go after sign-in: only a path inside the workspace (never another site)."""
    if target and target.startswith("/staff/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/staff/"


def _login_page(request: Request, status: int = 200, **context: object) -> HTMLResponse:
    nonce, token = login_form_token(request)
    context.setdefault("login", "")
    context.setdefault("error", None)
    response = render(
        request, "staff/login.html.j2", status=status, csrf_token=token,
        next=_safe_next(request.query_params.get("next")), **context,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, nonce, path=COOKIE_PATH, httponly=True, samesite="strict",
        secure=config_of(request).cookie_secure,
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    if signed_in_or_none(request) is not None:
        return see_other("/staff/")
    return _login_page(request)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    login: str = Form(""),
    password: str = Form(""),
    next: str = Form("/staff/"),  # noqa: A002  (the form field's name)
) -> Response:
    config = config_of(request)
    accounts = accounts_of(request)
    address = client_address(request)
    subjects = [f"login:{login.strip().lower()}", f"address:{address}"]
    if accounts.failures(subjects, config.failure_window_seconds) >= config.max_failures:
        log.warning("staff_sign_in_throttled", login=login, client=address)
        minutes = int(config.failure_window_seconds // 60)
        return _login_page(
            request, status=429, login=login,
            error=f"Слишком много неудачных попыток входа. Повторите через {minutes} минут.",
        )
    user_id = accounts.verify(login, password) if login and password else None
    user = active_user(request, user_id) if user_id is not None else None
    if user is None:
        accounts.record_failure(subjects, config.failure_window_seconds)
        log.warning("staff_sign_in_failed", login=login, client=address)
        return _login_page(request, status=401, login=login, error="Неверный логин или пароль.")
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        accounts.close_session(old)  # a new session id at every sign-in: no fixation
    accounts.clear_failures(subjects[0])
    session_id = accounts.open_session(user.id, idle=config.idle_seconds, absolute=config.absolute_seconds)
    log.info("staff_signed_in", user_id=str(user.id), role=user.role, client=address)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, session_id, path=COOKIE_PATH, httponly=True, samesite="lax",
        secure=config.cookie_secure, max_age=int(config.absolute_seconds),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    staff = signed_in_or_none(request)
    if staff is not None:
        accounts_of(request).close_session(staff.session_id)
        log.info("staff_signed_out", user_id=staff.actor.user_id, client=client_address(request))
    response = see_other("/staff/login")
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, staff: CurrentStaff) -> Response:
    return render(request, "staff/password.html.j2", errors={}, message=None)


@router.post("/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    staff: CurrentStaff,
    current: str = Form(""),
    new: str = Form(""),
    repeat: str = Form(""),
) -> Response:
    accounts = accounts_of(request)
    user_id = UUID(staff.actor.user_id)
    errors: dict[str, str] = {}
    if not accounts.verify_user(user_id, current):
        errors["current"] = "Текущий пароль указан неверно"
    try:
        check_password(new)
    except PasswordRefused as refused:
        errors["new"] = str(refused)
    if new != repeat:
        errors["repeat"] = "Пароли не совпадают"
    if not errors:
        outcome = execute(request, staff, c.SetUserPassword, {"user_id": user_id})
        if not outcome.ok:
            raise StaffRefusal(403, "Нет доступа", outcome.message or "Пароль не изменён")
        accounts.set_password(user_id, new)  # ends every session of the user, this one too
        session_id = accounts.open_session(user_id)
        log.info("staff_password_changed", user_id=staff.actor.user_id, client=client_address(request))
        response = see_other("/staff/", done="password")
        config = config_of(request)
        response.set_cookie(
            SESSION_COOKIE, session_id, path=COOKIE_PATH, httponly=True, samesite="lax",
            secure=config.cookie_secure, max_age=int(config.absolute_seconds),
        )
        return response
    return render(request, "staff/password.html.j2", status=422, errors=errors,
                  message="Пароль не изменён: исправьте отмеченные поля")
