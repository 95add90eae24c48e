"""Who is signed in: the session cookie, its CSRF token, the timeouts and the throttle.

- The session id travels only in the cookie `reestr_staff` (HttpOnly, SameSite=Lax, path
  `/staff`, Secure when `StaffConfig.cookie_secure`); the server keeps its SHA-256, the user,
  a CSRF token and the times (`api.staff.accounts`). A sign-in always opens a new session
  (no fixation); sign-out and a password change end it.
- Every POST under `/staff/` carries `csrf_token`: the session's, or before sign-in the signed
  double-submit token of the login form (cookie `reestr_login_csrf` = nonce, field = nonce and
  its HMAC under a key kept in the store, so every server process accepts it). Otherwise 403.
- After 5 failed sign-ins for a login or from an address within 15 minutes, the form answers 429.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import structlog
from eventsourcing.application import AggregateNotFoundError
from fastapi import Depends, Request

from api.auth import actor_of_user
from api.staff.accounts import StaffAccounts, StaffSession
from registry.users import User
from registry.values import Actor, Role

log = structlog.get_logger("reestr.staff")

SESSION_COOKIE = "reestr_staff"
LOGIN_CSRF_COOKIE = "reestr_login_csrf"
COOKIE_PATH = "/staff"


@dataclass(frozen=True)
class StaffConfig:
    """The workspace's settings (from `REESTR_COOKIE_SECURE`, `REESTR_SESSION_IDLE_MINUTES`, ...)."""

    cookie_secure: bool = False
    idle_seconds: float = 30 * 60
    absolute_seconds: float = 12 * 3600
    max_failures: int = 5
    failure_window_seconds: float = 15 * 60


class SignInRequired(Exception):
    """No live session: the page answers with a redirect to the sign-in form."""


class StaffRefusal(Exception):
    """A page refused with a status and a Russian explanation (403, 404, 429)."""

    def __init__(self, status: int, title: str, detail: str):
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


def accounts_of(request: Request) -> StaffAccounts:
    """The app's staff tables (opened on first use, beside the registry's events)."""
    accounts: StaffAccounts | None = getattr(request.app.state, "staff_accounts", None)
    if accounts is None:
        accounts = request.app.state.staff_accounts = StaffAccounts(request.app.state.registry)
    return accounts


def config_of(request: Request) -> StaffConfig:
    return getattr(request.app.state, "staff_config", None) or StaffConfig()


@dataclass(frozen=True)
class SignedIn:
    """The signed-in person of a request: the actor the registry sees, their name, the session."""

    actor: Actor
    name: str
    session: StaffSession
    session_id: str


def signed_in_or_none(request: Request) -> SignedIn | None:
    """The live session of the request's cookie with its active user, or None."""
    cached = getattr(request.state, "staff_signed_in", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    found = None
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        config = config_of(request)
        accounts = accounts_of(request)
        session = accounts.session(session_id, idle=config.idle_seconds, absolute=config.absolute_seconds)
        user = active_user(request, session.user_id) if session else None
        if session is not None and user is None:
            accounts.close_session(session_id)  # revoked since: the session dies with the access
        if session is not None and user is not None:
            found = SignedIn(actor_of_user(user), str(user.name), session, session_id)
    request.state.staff_signed_in = found
    return found


def active_user(request: Request, user_id: UUID) -> User | None:
    """The user of this id if it exists and is not revoked."""
    try:
        user = request.app.state.registry.repository.get(user_id)
    except AggregateNotFoundError:
        return None
    return user if isinstance(user, User) and not user.revoked else None


def signed_in(request: Request) -> SignedIn:
    """Dependency: the signed-in person; without a live session, a redirect to the sign-in form."""
    found = signed_in_or_none(request)
    if found is None:
        raise SignInRequired()
    return found


CurrentStaff = Annotated[SignedIn, Depends(signed_in)]


def staff_actor(staff: CurrentStaff) -> Actor:
    """Dependency: the `Actor` of the signed-in person (the same the API's bearer token gives)."""
    return staff.actor


StaffActor = Annotated[Actor, Depends(staff_actor)]


def require_staff_roles(*roles: Role) -> Any:
    """Dependency: the signed-in person, if their role is one of these; otherwise a 403 page."""

    def check(staff: CurrentStaff) -> SignedIn:
        if staff.actor.role not in roles:
            raise StaffRefusal(403, "Нет доступа", "Эта страница недоступна для вашей роли.")
        return staff

    return Depends(check)


# -- CSRF -------------------------------------------------------------------------------------------


def _login_key(request: Request) -> bytes:
    key: bytes | None = getattr(request.app.state, "staff_login_key", None)
    if key is None:
        key = request.app.state.staff_login_key = accounts_of(request).login_form_key()
    return key


def login_form_token(request: Request) -> tuple[str, str]:
    """(cookie value, form field) of a pre-session CSRF token: a nonce and its signature."""
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    signature = hmac.new(_login_key(request), nonce.encode(), hashlib.sha256).hexdigest()
    return nonce, f"{nonce}.{signature}"


def _login_token_valid(request: Request, submitted: str) -> bool:
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not nonce or "." not in submitted:
        return False
    _, expected = login_form_token(request)
    return hmac.compare_digest(expected, submitted)


async def csrf_guard(request: Request) -> None:
    """Router dependency: every POST carries the CSRF token of its session (or of the login form)."""
    if request.method != "POST":
        return
    form = await request.form()  # Starlette keeps it: the endpoint's Form parameters read the same
    submitted = form.get("csrf_token")
    submitted = submitted if isinstance(submitted, str) else ""
    staff = signed_in_or_none(request)
    if staff is not None and hmac.compare_digest(staff.session.csrf_token, submitted):
        return
    if request.url.path.rstrip("/").endswith("/login") and _login_token_valid(request, submitted):
        return
    log.warning("staff_csrf_refused", path=request.url.path, client=_client(request))
    raise StaffRefusal(
        403,
        "Форма устарела",
        "Форма не прошла проверку безопасности (нет или неверен проверочный код). "
        "Откройте страницу заново и повторите действие.",
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def client_address(request: Request) -> str:
    """The address failed sign-ins are counted by (the socket peer: a proxy must be trusted to say more)."""
    return _client(request)
