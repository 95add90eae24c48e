"""Signing in to the staff workspace, on each store, through the real app: sessions in an
HttpOnly cookie renewed at every sign-in, CSRF on every form, the throttle, the timeouts, a
person's own password, and no password or hash ever in the log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from uuid import UUID

import pytest
from structlog.testing import capture_logs
from support.world.api import open_world
from support.world.staff import PASSWORD, StaffWorld
from typer.testing import CliRunner

from api.staff.session import StaffConfig
from ops.cli import app as reestr
from ops.logs import configure_logging
from registry.application import Registry
from registry.users import User


@pytest.fixture
def world(registry: Registry) -> Iterator[StaffWorld]:
    yield from open_world(registry, StaffWorld)


def _stored_text(registry: Registry) -> str:
    """Every stored event of the log, as text (topics and state)."""
    parts = []
    for notification in registry.recorder.select_notifications(start=1, limit=100_000):
        parts.append(notification.topic)
        parts.append(notification.state.decode("utf-8", errors="replace"))
    return "\n".join(parts)


def test_a_curator_signs_in_with_login_and_password_and_gets_a_fresh_httponly_session(world: StaffWorld) -> None:
    browser = world.browser()
    assert browser.get("/staff/").headers["location"].startswith("/staff/login")
    page = browser.get("/staff/login")
    assert "Вход в рабочее место" in page.text and browser.csrf

    refused = browser.post("/staff/login", {"login": "curator", "password": "не тот пароль"})
    assert refused.status_code == 401 and "Неверный логин или пароль" in refused.text
    assert browser.session_id is None

    signed_in = browser.post("/staff/login", {"login": "Curator", "password": PASSWORD})
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/staff/"
    cookie = signed_in.headers["set-cookie"]
    assert "reestr_staff=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # served over plain HTTP unless the setting says otherwise
    home = browser.follow(signed_in)
    assert home.status_code == 200 and "Куратор школы № 1" in home.text
    # The API keeps answering bearer tokens, with or without the workspace.
    assert world.get("/mentors", as_="curator").status_code == 200


def test_the_cookie_is_secure_when_the_server_is_behind_https(world: StaffWorld) -> None:
    world.app.state.staff_config = StaffConfig(cookie_secure=True)
    browser = world.browser(base_url="https://testserver")
    browser.get("/staff/login")
    response = browser.post("/staff/login", {"login": "auditor", "password": PASSWORD})
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_a_form_without_its_csrf_token_is_refused_with_403_and_does_nothing(world: StaffWorld) -> None:
    stranger = world.browser()
    stranger.get("/staff/login")
    no_token = stranger.post("/staff/login", {"login": "curator", "password": PASSWORD}, csrf=False)
    assert no_token.status_code == 403 and "проверку безопасности" in no_token.text
    forged = stranger.post("/staff/login", {"login": "curator", "password": PASSWORD, "csrf_token": "abc.def"})
    assert forged.status_code == 403
    assert stranger.session_id is None

    curator = world.sign_in("curator")
    sign_out = curator.post("/staff/logout", {"csrf_token": "not-this-session's"})
    assert sign_out.status_code == 403
    assert curator.get("/staff/").status_code == 200, "still signed in: the forged sign-out did nothing"
    # Another session's token is no good either.
    other = world.sign_in("auditor")
    assert curator.post("/staff/logout", {"csrf_token": other.csrf}).status_code == 403
    assert curator.post("/staff/logout", {}).status_code == 303
    assert curator.get("/staff/").status_code == 303, "signed out"


def test_a_session_id_planted_before_sign_in_is_never_the_one_signed_in(world: StaffWorld) -> None:
    victim = world.browser()
    victim.client.cookies.set("reestr_staff", "planted-by-an-attacker", domain="testserver.local", path="/staff")
    world.sign_in("curator", victim)
    assert victim.session_id not in (None, "planted-by-an-attacker")

    before = victim.session_id
    world.sign_in("curator", victim)  # signing in again: a new id, the old one ends
    assert victim.session_id != before
    thief = world.browser()
    thief.client.cookies.set("reestr_staff", before, domain="testserver.local", path="/staff")
    assert thief.get("/staff/").status_code == 303


def test_after_five_failures_a_login_is_throttled_from_any_address(world: StaffWorld) -> None:
    browser = world.browser("10.0.0.1")
    browser.get("/staff/login")
    with capture_logs() as logs:
        for _ in range(5):
            assert browser.post("/staff/login", {"login": "curator", "password": "угадываю"}).status_code == 401
        throttled = browser.post("/staff/login", {"login": "curator", "password": PASSWORD})
    assert throttled.status_code == 429 and "Слишком много неудачных попыток" in throttled.text
    elsewhere = world.browser("10.0.0.2")
    elsewhere.get("/staff/login")
    assert elsewhere.post("/staff/login", {"login": "curator", "password": PASSWORD}).status_code == 429
    # Other logins from a clean address are unaffected.
    assert elsewhere.post("/staff/login", {"login": "auditor", "password": PASSWORD}).status_code == 303
    events = [entry["event"] for entry in logs]
    assert events.count("staff_sign_in_failed") == 5 and "staff_sign_in_throttled" in events
    assert all("угадываю" not in str(entry) and PASSWORD not in str(entry) for entry in logs)


def test_after_five_failures_from_one_address_it_is_throttled_for_every_login(world: StaffWorld) -> None:
    attacker = world.browser("10.0.0.66")
    attacker.get("/staff/login")
    for login in ("a1", "a2", "a3", "a4", "a5"):
        attacker.post("/staff/login", {"login": login, "password": "что-нибудь"})
    assert attacker.post("/staff/login", {"login": "admin", "password": PASSWORD}).status_code == 429
    assert world.sign_in("admin", world.browser("10.0.0.7")).session_id


@pytest.mark.parametrize("idle, absolute, aged, alive", [
    (600, 10**9, 599, True),
    (600, 10**9, 601, False),   # idle too long
    (10**9, 3600, 3601, False),  # signed in too long ago, however busy
])
def test_sessions_end_after_the_idle_and_the_absolute_timeout(
    world: StaffWorld, idle: int, absolute: int, aged: int, alive: bool
) -> None:
    world.app.state.staff_config = StaffConfig(idle_seconds=idle, absolute_seconds=absolute)
    browser = world.sign_in("municipal")
    assert browser.session_id is not None
    world.accounts.age_session(browser.session_id, aged)
    response = browser.get("/staff/")
    assert (response.status_code == 200) is alive
    if not alive:
        assert response.headers["location"] == "/staff/login?next=/staff/"


def test_a_revoked_users_session_ends_at_once(world: StaffWorld) -> None:
    browser = world.sign_in("curator_other")
    world.write(f"/users/{world.user_ids['curator_other']}/revoke", {"reason": "Уволился"})
    assert browser.get("/staff/").status_code == 303


def test_a_person_changes_their_own_password_and_the_log_says_so_without_it(world: StaffWorld) -> None:
    browser = world.sign_in("curator")
    elsewhere = world.sign_in("curator")
    new = "новый пароль куратора 2023"
    browser.get("/staff/password")
    wrong = browser.post("/staff/password", {"current": "не помню", "new": "short", "repeat": "other"})
    assert wrong.status_code == 422
    assert "Текущий пароль указан неверно" in wrong.text and "не короче 10 символов" in wrong.text
    assert "Пароли не совпадают" in wrong.text

    with capture_logs() as logs:
        done = browser.post("/staff/password", {"current": PASSWORD, "new": new, "repeat": new})
    assert done.status_code == 303, done.text
    changed = browser.follow(done)
    assert "Пароль изменён" in changed.text
    assert elsewhere.get("/staff/").status_code == 303, "the other sessions ended with the old password"
    assert browser.get("/staff/").status_code == 200, "this one continues under a new id"

    user_id = UUID(world.user_ids["curator"])
    events = list(world.registry.events.get(user_id))
    set_by_self = events[-1]
    assert type(set_by_self).__name__ == "PasswordSet" and set_by_self.reset is False
    assert set_by_self.meta.user_id == str(user_id)
    assert "PasswordSet" in type(events[1]).__name__ and events[1].reset is True  # set by the installer
    stored = _stored_text(world.registry)
    assert new not in stored and PASSWORD not in stored and "argon2" not in stored
    assert all(new not in str(entry) for entry in logs)

    again = world.browser()
    again.get("/staff/login")
    assert again.post("/staff/login", {"login": "curator", "password": PASSWORD}).status_code == 401
    assert again.post("/staff/login", {"login": "curator", "password": new}).status_code == 303


def test_the_cli_gives_a_login_and_resets_a_password_read_from_stdin(
    store_url: tuple[str, str | None], open_store: Callable[..., Registry]
) -> None:
    url, schema = store_url
    env = {"REESTR_DATABASE_URL": url, "REESTR_DATABASE_SCHEMA": schema or "", "COLUMNS": "300"}
    runner = CliRunner()

    def cli(*args: str, password: str) -> tuple[int, str, str]:
        result = runner.invoke(reestr, ["users", *args], env=env, input=password + "\n")
        configure_logging("info", "console")
        return result.exit_code, result.stdout, result.stderr

    code, out, err = cli("add", "--name", "Аудитор КСП", "--role", "auditor", "--login", "ksp",
                         "--password-stdin", password="пароль аудитора КСП")
    assert code == 0, err
    assert out.strip().startswith("rst_"), "the token is still printed for the API"
    code, _, err = cli("add", "--name", "Двойник", "--role", "auditor", "--login", "KSP",
                       "--password-stdin", password="другой длинный пароль")
    assert code == 1 and "уже занят" in err
    code, _, err = cli("set-password", "ksp", password="короткий")
    assert code == 1 and "не короче 10" in err
    code, _, err = cli("set-password", "ksp", password="сброшенный пароль КСП")
    assert code == 0, err

    registry = open_store()
    world = StaffWorld(registry)
    try:
        browser = world.browser()
        browser.get("/staff/login")
        assert browser.post("/staff/login", {"login": "ksp", "password": "пароль аудитора КСП"}).status_code == 401
        assert browser.post("/staff/login", {"login": "ksp", "password": "сброшенный пароль КСП"}).status_code == 303
        user_id = world.accounts.user_of_login("ksp")
        user = registry.repository.get(user_id)
        assert isinstance(user, User) and user.name == "Аудитор КСП"
        kinds = [(type(e).__name__, getattr(e, "reset", None), e.meta.user_id) for e in registry.events.get(user_id)]
        assert [k[:2] for k in kinds] == [("Added", None), ("PasswordSet", True), ("PasswordSet", True)]
        assert all(who.startswith("cli:") for _, _, who in kinds)
        stored = _stored_text(registry)
        assert "сброшенный пароль" not in stored and "argon2" not in stored
    finally:
        world.close()
