"""The public page's tables: publishable data only, derived from the staff views.

A mentor has a row in `public_mentors` exactly while in the registry (status `active`) and with a
consent to publish at least one field; the row holds only the consented fields (name,
organization, municipality, forms, subjects, training: course, provider and year), the others
are NULL. Never birth dates, contacts, identity numbers, status reasons, capacity, mentees or
pairs (no consent field covers them, so nothing of them is published, not even a count).

Each mentor event rebuilds the mentor's rows from the staff views (`mentors`, `organizations`,
`municipalities`, `trainings`), which the stage-0 appliers have just updated in the same
transaction: the public rows are a function of those views at every position, so incremental
projection, a rebuild and `backfill` agree by construction. Renaming an organization or a
municipality renames it in the rows that show it (only those that consented hold its id).
"""

from __future__ import annotations

import json
from typing import Any

from projections.appliers.base import DERIVED, on, origin
from projections.public import name_words, sort_key
from projections.store import Tx

_MENTOR_TOPICS = (
    "Mentor.Approved",
    "Mentor.Rejected",
    "Mentor.Suspended",
    "Mentor.Removed",
    "Mentor.Reinstated",
    "Mentor.ProfileUpdated",
    "Mentor.ConsentGiven",
    "Mentor.ConsentWithdrawn",
    "Mentor.TrainingCompleted",
    "Mentor.TrainingCorrected",
)
# Mentor.Applied needs nothing: an application is pending, never public.


@on(*_MENTOR_TOPICS, stage=DERIVED)
def mentor_changed(tx: Tx, e: Any) -> None:
    refresh(tx, origin(e))


@on("Organization.Renamed", stage=DERIVED)
def organization_renamed(tx: Tx, e: Any) -> None:
    tx.execute(
        "UPDATE {p}public_mentors SET organization = %s WHERE organization_id = %s",
        (e.name, origin(e)),
    )


@on("Municipality.Renamed", stage=DERIVED)
def municipality_renamed(tx: Tx, e: Any) -> None:
    tx.execute(
        "UPDATE {p}public_mentors SET municipality = %s WHERE municipality_id = %s",
        (e.name, origin(e)),
    )


def forget(tx: Tx, mentor_id: str) -> None:
    """Remove the mentor from every public table (its row, name words and tags)."""
    for statement in (
        "DELETE FROM {p}public_mentor_tags WHERE mentor_id = %s",
        "DELETE FROM {p}public_words WHERE mentor_id = %s",
        "DELETE FROM {p}public_mentors WHERE id = %s",
    ):
        tx.execute(statement, (mentor_id,))


def refresh(tx: Tx, mentor_id: str) -> None:
    """Replace the mentor's public rows by what the staff views allow to show now."""
    forget(tx, mentor_id)
    row = tx.one(
        "SELECT m.status, m.consent_fields, m.full_name, m.forms, m.subjects, m.organization_id, "
        "o.name, o.municipality_id, mu.name FROM {p}mentors m "
        "LEFT JOIN {p}organizations o ON o.id = m.organization_id "
        "LEFT JOIN {p}municipalities mu ON mu.id = o.municipality_id WHERE m.id = %s",
        (mentor_id,),
    )
    if row is None:
        return
    status, consent, full_name, forms, subjects, org_id, org_name, municipality_id, municipality = row
    consented = set(json.loads(consent))
    if status != "active" or not consented:
        return
    name = full_name if "name" in consented else None
    shown_forms = json.loads(forms) if "forms" in consented else None
    shown_subjects = json.loads(subjects) if "subjects" in consented else None
    trainings = None
    if "training" in consented:
        trainings = [
            {"course": course, "provider": provider, "year": int(str(completed_on)[:4])}
            for course, provider, completed_on in tx.rows(
                "SELECT course, provider, completed_on FROM {p}trainings WHERE mentor_id = %s "
                "ORDER BY completed_on, training_id",
                (mentor_id,),
            )
        ]
    order = sort_key(name)
    show_org = "organization" in consented and org_id is not None
    show_municipality = "municipality" in consented and municipality_id is not None
    tx.execute(
        "INSERT INTO {p}public_mentors (id, full_name, sort_key, organization_id, "
        "organization, municipality_id, municipality, forms, subjects, trainings) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            mentor_id,
            name,
            order,
            org_id if show_org else None,
            org_name if show_org else None,
            municipality_id if show_municipality else None,
            municipality if show_municipality else None,
            _json(shown_forms),
            _json(shown_subjects),
            _json(trainings),
        ),
    )
    for word in sorted(set(name_words(name))):
        tx.execute(
            "INSERT INTO {p}public_words (mentor_id, word, sort_key) VALUES (%s, %s, %s)",
            (mentor_id, word, order),
        )
    tags = {("form", code) for code in shown_forms or []}
    tags |= {("subject", subject) for subject in shown_subjects or []}
    for kind, value in sorted(tags):
        tx.execute(
            "INSERT INTO {p}public_mentor_tags (mentor_id, kind, value) VALUES (%s, %s, %s)",
            (mentor_id, kind, value),
        )


def backfill(tx: Tx) -> None:
    """Fill the public tables from the staff views (a store that had none yet)."""
    for (mentor_id,) in tx.rows(
        "SELECT id FROM {p}mentors WHERE status = 'active' AND consent_fields <> '[]' ORDER BY id"
    ):
        refresh(tx, str(mentor_id))


def _json(values: list[Any] | None) -> str | None:
    return None if values is None else json.dumps(values, ensure_ascii=False)
