"""Users of the registry and their bearer tokens, kept in the log so that every grant is audited.

A token is shown once, when the user is added, and never stored: the log holds its SHA-256 only.
The user's id is derived from that hash, so the API finds the user of a token with one lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import event

from registry.base import RegistryAggregate, pinned, require, require_reason

TOKEN_PREFIX = "rst_"


@pinned("User")
class User(RegistryAggregate):
    """A person who signs in with a bearer token: a role and, for some roles, a scope."""

    @staticmethod
    def create_id(token_sha256: str) -> UUID:
        return user_id_for_token_hash(token_sha256)

    @event("Added")
    def __init__(
        self,
        name: str,
        role: str,
        organization_id: UUID | None,
        municipality_id: UUID | None,
        token_sha256: str,
    ) -> None:
        self.name = name
        self.role = role
        self.organization_id = organization_id
        self.municipality_id = municipality_id
        self.token_sha256 = token_sha256
        self.revoked = False
        self.revoke_reason: str | None = None

    @property
    def active(self) -> bool:
        return not self.revoked

    def revoke(self, reason: str) -> None:
        require(
            not self.revoked,
            rule="user_active",
            field="user_id",
            message="Доступ пользователя уже отозван",
        )
        self._revoked(reason=require_reason(reason))

    @event("Revoked")
    def _revoked(self, reason: str) -> None:
        self.revoked = True
        self.revoke_reason = reason

    def set_password(self, *, reset: bool) -> None:
        """Say that a sign-in password was set (by the user) or reset (by someone else).

        The hash itself is a mutable secret kept beside the log (the staff credentials table):
        the log records only the fact, and the event's meta says who did it.
        """
        require(
            not self.revoked,
            rule="user_active",
            field="user_id",
            message="Доступ пользователя отозван: пароль не задаётся",
        )
        self._password_set(reset=reset)

    @event("PasswordSet")
    def _password_set(self, reset: bool) -> None:
        self.password_set = True


def new_token() -> str:
    """A fresh bearer token (256 random bits); shown to its user once, never stored."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_id_for_token_hash(token_hash: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"reestr:user:{token_hash}")


def user_for_token(app: object, token: str) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, revoked or not a user)."""
    repository = app.repository  # type: ignore[attr-defined]
    try:
        found = repository.get(user_id_for_token_hash(token_sha256(token)))
    except AggregateNotFoundError:
        return None
    if not isinstance(found, User) or found.revoked:
        return None
    # Compare the stored hash too: the id is derived from it, this guards the derivation.
    if not secrets.compare_digest(found.token_sha256, token_sha256(token)):
        return None
    return found


def all_users(app: object, page: int = 1000) -> Iterator[User]:
    """Every user ever added, in the order they were added (revoked ones included)."""
    recorder = app.recorder  # type: ignore[attr-defined]
    repository = app.repository  # type: ignore[attr-defined]
    position = 0
    while batch := recorder.select_notifications(
        start=position + 1, limit=page, topics=[User.Added.TOPIC]  # type: ignore[attr-defined]
    ):
        for notification in batch:
            yield repository.get(notification.originator_id)
        position = batch[-1].id
