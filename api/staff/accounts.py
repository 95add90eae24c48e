"""Sign-in secrets beside the events: staff credentials, sessions and failed attempts.

Passwords are mutable secrets, so they stay out of the immutable log: three small tables in the
same SQLite file or PostgreSQL schema as the events (`staff_credentials`: login -> argon2id hash
per user; `staff_sessions`: the SHA-256 of a session id -> user, CSRF token, created, last seen;
`staff_sign_in_failures`: one row per failed attempt, by login and by address). The log records
only that a password was set or reset, and by whom (`User.PasswordSet`).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from projections.transaction import Tx, datastore_transaction

#: argon2id with the library's defaults (RFC 9106 "low memory" profile: 64 MiB, 3 passes).
_HASHER = PasswordHasher()
#: Verified against when a login is unknown, so an unknown login costs as long as a known one.
_DUMMY_HASH = _HASHER.hash("reestr: no such login")

MIN_PASSWORD = 10
MAX_PASSWORD = 200

_TABLES = (
    "CREATE TABLE IF NOT EXISTS staff_credentials (login TEXT PRIMARY KEY, user_id TEXT NOT NULL UNIQUE, "
    "password_hash TEXT NOT NULL, updated_at DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS staff_sessions (session_sha256 TEXT PRIMARY KEY, user_id TEXT NOT NULL, "
    "csrf_token TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL, last_seen DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS staff_sign_in_failures (subject TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)",
    "CREATE INDEX IF NOT EXISTS staff_sign_in_failures_subject ON staff_sign_in_failures (subject, at)",
    "CREATE TABLE IF NOT EXISTS staff_keys (name TEXT PRIMARY KEY, secret TEXT NOT NULL)",
)


class PasswordRefused(ValueError):
    """A password (or login) that cannot be used; the message is Russian, for the person."""


def check_password(password: str) -> None:
    """Raise PasswordRefused unless the password is long enough and not absurdly long."""
    if len(password) < MIN_PASSWORD:
        raise PasswordRefused(f"Пароль должен быть не короче {MIN_PASSWORD} символов")
    if len(password) > MAX_PASSWORD:
        raise PasswordRefused(f"Пароль должен быть не длиннее {MAX_PASSWORD} символов")


def check_login(login: str) -> str:
    """The login as stored (trimmed, lower case); PasswordRefused if empty or with spaces."""
    cleaned = login.strip().lower()
    if not cleaned or len(cleaned) > 100 or any(ch.isspace() for ch in cleaned):
        raise PasswordRefused("Логин — от 1 до 100 символов без пробелов")
    return cleaned


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class StaffSession:
    """A signed-in browser: its user, its CSRF token and when it began and was last seen."""

    user_id: UUID
    csrf_token: str
    created_at: float
    last_seen: float


class StaffAccounts:
    """The three tables, through the event recorder's own connections (no second pool)."""

    def __init__(self, registry: Any):
        recorder = registry.recorder
        self.datastore = recorder.datastore
        if isinstance(recorder, SQLiteApplicationRecorder):
            self.dialect = "sqlite"
        elif isinstance(recorder, PostgresApplicationRecorder):
            self.dialect = "postgres"
        else:
            raise TypeError(f"no staff tables for recorder {type(recorder).__name__}")
        with self._tx(write=True) as tx:
            for statement in _TABLES:
                tx.execute(statement)

    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[Tx]:
        with datastore_transaction(self.datastore, self.dialect, write=write) as tx:
            if self.dialect == "postgres":  # the staff tables sit beside the events, in their schema
                tx.execute("SELECT set_config('search_path', %s, true)", (f'"{self.datastore.schema}"',))
            yield tx

    def login_form_key(self) -> bytes:
        """The key that signs the login form's CSRF token: made once, shared by every process."""
        with self._tx(write=True) as tx:
            offered = secrets.token_hex(32)
            if self.dialect == "sqlite":
                tx.execute("INSERT OR IGNORE INTO staff_keys VALUES ('login_form', %s)", (offered,))
            else:
                tx.execute("INSERT INTO staff_keys VALUES ('login_form', %s) ON CONFLICT DO NOTHING", (offered,))
            row = tx.one("SELECT secret FROM staff_keys WHERE name = 'login_form'")
        assert row is not None
        return bytes.fromhex(row[0])

    # -- credentials ----------------------------------------------------------------------------

    def login_of(self, user_id: UUID) -> str | None:
        with self._tx(write=False) as tx:
            row = tx.one("SELECT login FROM staff_credentials WHERE user_id = %s", (str(user_id),))
        return None if row is None else str(row[0])

    def user_of_login(self, login: str) -> UUID | None:
        with self._tx(write=False) as tx:
            row = tx.one("SELECT user_id FROM staff_credentials WHERE login = %s", (login.strip().lower(),))
        return None if row is None else UUID(row[0])

    def set_login(self, user_id: UUID, login: str, password: str) -> None:
        """Give a user a login and password (a new login must be free; one login per user)."""
        login = check_login(login)
        check_password(password)
        digest = _HASHER.hash(password)
        with self._tx(write=True) as tx:
            taken = tx.one("SELECT user_id FROM staff_credentials WHERE login = %s", (login,))
            if taken is not None and taken[0] != str(user_id):
                raise PasswordRefused(f"Логин «{login}» уже занят")
            tx.execute("DELETE FROM staff_credentials WHERE user_id = %s", (str(user_id),))
            tx.execute(
                "INSERT INTO staff_credentials VALUES (%s, %s, %s, %s)", (login, str(user_id), digest, time.time())
            )

    def set_password(self, user_id: UUID, password: str) -> None:
        """Replace a user's password; every session of the user ends (a reset must lock others out)."""
        check_password(password)
        digest = _HASHER.hash(password)
        with self._tx(write=True) as tx:
            if tx.one("SELECT login FROM staff_credentials WHERE user_id = %s", (str(user_id),)) is None:
                raise PasswordRefused("У пользователя нет логина")
            tx.execute(
                "UPDATE staff_credentials SET password_hash = %s, updated_at = %s WHERE user_id = %s",
                (digest, time.time(), str(user_id)),
            )
            tx.execute("DELETE FROM staff_sessions WHERE user_id = %s", (str(user_id),))

    def verify(self, login: str, password: str) -> UUID | None:
        """The user whose login and password these are, or None (same work either way)."""
        with self._tx(write=False) as tx:
            row = tx.one(
                "SELECT user_id, password_hash FROM staff_credentials WHERE login = %s", (login.strip().lower(),)
            )
        stored = row[1] if row else _DUMMY_HASH
        try:
            _HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return UUID(row[0]) if row else None

    def verify_user(self, user_id: UUID, password: str) -> bool:
        """Whether this is the user's current password (asked before they change it)."""
        login = self.login_of(user_id)
        return login is not None and self.verify(login, password) == user_id

    # -- sessions ---------------------------------------------------------------------------------

    def open_session(self, user_id: UUID, *, idle: float | None = None, absolute: float | None = None) -> str:
        """A new session id for the user (shown to the browser once; stored as its SHA-256);
        with the timeouts, sessions that have timed out are cleared away first."""
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        with self._tx(write=True) as tx:
            if idle is not None and absolute is not None:
                tx.execute("DELETE FROM staff_sessions WHERE last_seen < %s OR created_at < %s",
                           (now - idle, now - absolute))
            tx.execute(
                "INSERT INTO staff_sessions VALUES (%s, %s, %s, %s, %s)",
                (_sha256(session_id), str(user_id), secrets.token_urlsafe(32), now, now),
            )
        return session_id

    def session(self, session_id: str, *, idle: float, absolute: float) -> StaffSession | None:
        """The live session of this id, touched; None (and gone) if unknown or timed out."""
        now = time.time()
        key = _sha256(session_id)
        with self._tx(write=True) as tx:
            row = tx.one(
                "SELECT user_id, csrf_token, created_at, last_seen FROM staff_sessions WHERE session_sha256 = %s",
                (key,),
            )
            if row is None:
                return None
            if now - row[3] > idle or now - row[2] > absolute:
                tx.execute("DELETE FROM staff_sessions WHERE session_sha256 = %s", (key,))
                return None
            tx.execute("UPDATE staff_sessions SET last_seen = %s WHERE session_sha256 = %s", (now, key))
        return StaffSession(UUID(row[0]), row[1], row[2], now)

    def close_session(self, session_id: str) -> None:
        with self._tx(write=True) as tx:
            tx.execute("DELETE FROM staff_sessions WHERE session_sha256 = %s", (_sha256(session_id),))

    def age_session(self, session_id: str, seconds: float) -> None:
        """Move a session's clock back (tests of the timeouts, without waiting)."""
        with self._tx(write=True) as tx:
            tx.execute(
                "UPDATE staff_sessions SET created_at = created_at - %s, last_seen = last_seen - %s "
                "WHERE session_sha256 = %s",
                (seconds, seconds, _sha256(session_id)),
            )

    # -- throttling ---------------------------------------------------------------------------------

    def failures(self, subjects: list[str], window: float) -> int:
        """The most failed attempts of any of these subjects within the window."""
        since = time.time() - window
        most = 0
        with self._tx(write=False) as tx:
            for subject in subjects:
                row = tx.one(
                    "SELECT COUNT(*) FROM staff_sign_in_failures WHERE subject = %s AND at > %s", (subject, since)
                )
                most = max(most, int(row[0]) if row else 0)
        return most

    def record_failure(self, subjects: list[str], window: float) -> None:
        now = time.time()
        with self._tx(write=True) as tx:
            tx.execute("DELETE FROM staff_sign_in_failures WHERE at < %s", (now - window,))
            for subject in subjects:
                tx.execute("INSERT INTO staff_sign_in_failures VALUES (%s, %s)", (subject, now))

    def clear_failures(self, subject: str) -> None:
        with self._tx(write=True) as tx:
            tx.execute("DELETE FROM staff_sign_in_failures WHERE subject = %s", (subject,))
