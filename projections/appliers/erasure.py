"""Erasure of a person's personal data: the staff rows say «данные удалены», the public card goes.

Rebuilt views get the same result without these appliers (the sealed fields of an erased person
decode as `ERASED_PERSON`); these make the live views agree the moment the erasure is recorded.
Consent ends with the erasure, so no later event can bring the public card back.
"""

from __future__ import annotations

from typing import Any

from projections.appliers.base import DERIVED, on, origin
from projections.store import Tx
from registry.sealing import ERASED


@on("Mentor.PersonalDataErased")
def mentor_erased(tx: Tx, e: Any) -> None:
    tx.execute(
        "UPDATE {p}mentors SET full_name = %s, consent_fields = '[]' WHERE id = %s",
        (ERASED, origin(e)),
    )


@on("Mentor.PersonalDataErased", stage=DERIVED)
def mentor_erased_public(tx: Tx, e: Any) -> None:
    for statement in (
        "DELETE FROM {p}public_mentor_tags WHERE mentor_id = %s",
        "DELETE FROM {p}public_name_words WHERE mentor_id = %s",
        "DELETE FROM {p}public_mentors WHERE id = %s",
    ):
        tx.execute(statement, (origin(e),))


@on("Mentee.PersonalDataErased")
def mentee_erased(tx: Tx, e: Any) -> None:
    tx.execute("UPDATE {p}mentees SET full_name = %s WHERE id = %s", (ERASED, origin(e)))
