"""Erasure of a person's personal data: the staff rows say «данные удалены», the public card goes.

Rebuilt views get the same result without these appliers (the sealed fields of an erased person
decode as `ERASED_PERSON`); these make the live views agree the moment the erasure is recorded.
Consent ends with the erasure, so no later event can bring the public card back.
"""

from __future__ import annotations

from typing import Any

from projections.appliers.base import DERIVED, on, origin
from projections.appliers.public import forget
from projections.store import Tx, ViewStore
from registry.sealing import ERASED, ERASURE_TOPICS


@on("Mentor.PersonalDataErased")
def mentor_erased(tx: Tx, e: Any) -> None:
    tx.execute(
        "UPDATE {p}mentors SET full_name = %s, consent_fields = '[]' WHERE id = %s",
        (ERASED, origin(e)),
    )


@on("Mentor.PersonalDataErased", stage=DERIVED)
def mentor_erased_public(tx: Tx, e: Any) -> None:
    forget(tx, origin(e))


@on("Mentee.PersonalDataErased")
def mentee_erased(tx: Tx, e: Any) -> None:
    tx.execute("UPDATE {p}mentees SET full_name = %s WHERE id = %s", (ERASED, origin(e)))


def erasure_in(topics: Any) -> bool:
    return any(topic in ERASURE_TOPICS for topic in topics)


def scrub_old_pages(store: ViewStore) -> None:
    """After an erasure: SQLite keeps the old pages (with the name) in the main file until a
    checkpoint copies the new ones over; do it now rather than at the next thousand pages."""
    if store.dialect != "sqlite":
        return  # PostgreSQL: dead row versions are in no dump; VACUUM reclaims them in its time
    with store.datastore.get_connection(commit=True) as connection:
        connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
