"""Mentors: application, registry status (with its history of effective dates), profile,
consent, training."""

from __future__ import annotations

from typing import Any

from projections.appliers.base import as_json, day, ident, on, origin
from projections.figure_marks import of_mentor, organization
from projections.store import Tx


@on("Mentor.Applied")
def mentor_applied(tx: Tx, e: Any) -> None:
    profile = e.profile
    tx.execute(
        "INSERT INTO {p}mentors (id, organization_id, full_name, position, mentor_type, forms, "
        "subjects, employer, capacity, applied_on, status, status_since, consent_fields) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'pending', %s, '[]')",
        (
            origin(e),
            ident(e.organization_id),
            e.person.full_name,
            profile.position,
            profile.mentor_type,
            as_json(profile.forms),
            as_json(profile.subjects),
            profile.employer,
            e.capacity,
            day(e.applied_on),
            day(e.applied_on),
        ),
    )
    organization(tx, ident(e.organization_id))
    _status_history(tx, e, "pending", day(e.applied_on))


def _status_change(status: str) -> Any:
    def apply(tx: Tx, e: Any) -> None:
        since = day(e.effective_date)
        tx.execute(
            "UPDATE {p}mentors SET status = %s, status_since = %s, status_reason = %s WHERE id = %s",
            (status, since, getattr(e, "reason", None), origin(e)),
        )
        _status_history(tx, e, status, since)

    return apply


for _topic, _status in (
    ("Mentor.Approved", "active"),
    ("Mentor.Suspended", "suspended"),
    ("Mentor.Removed", "removed"),
    ("Mentor.Reinstated", "active"),
):
    on(_topic)(_status_change(_status))


@on("Mentor.Rejected")
def mentor_rejected(tx: Tx, e: Any) -> None:
    row = tx.one("SELECT status_since FROM {p}mentors WHERE id = %s", (origin(e),))
    since = row[0] if row else None
    tx.execute(
        "UPDATE {p}mentors SET status = 'rejected', status_reason = %s WHERE id = %s",
        (e.reason, origin(e)),
    )
    _status_history(tx, e, "rejected", since)


def _status_history(tx: Tx, e: Any, status: str, since: str | None) -> None:
    tx.execute(
        "INSERT INTO {p}mentor_status (mentor_id, seq, status, since) VALUES (%s, %s, %s, %s)",
        (origin(e), int(e.originator_version), status, since),
    )
    of_mentor(tx, origin(e))


@on("Mentor.ProfileUpdated")
def mentor_profile_updated(tx: Tx, e: Any) -> None:
    profile = e.profile
    tx.execute(
        "UPDATE {p}mentors SET full_name = %s, position = %s, mentor_type = %s, forms = %s, "
        "subjects = %s, employer = %s, capacity = %s WHERE id = %s",
        (
            e.person.full_name,
            profile.position,
            profile.mentor_type,
            as_json(profile.forms),
            as_json(profile.subjects),
            profile.employer,
            e.capacity,
            origin(e),
        ),
    )


@on("Mentor.ConsentGiven")
def consent_given(tx: Tx, e: Any) -> None:
    tx.execute(
        "UPDATE {p}mentors SET consent_fields = %s, consent_since = %s WHERE id = %s",
        (as_json(e.fields), day(e.effective_date), origin(e)),
    )


@on("Mentor.ConsentWithdrawn")
def consent_withdrawn(tx: Tx, e: Any) -> None:
    tx.execute(
        "UPDATE {p}mentors SET consent_fields = '[]', consent_since = %s WHERE id = %s",
        (day(e.effective_date), origin(e)),
    )


@on("Mentor.TrainingCompleted", "Mentor.TrainingCorrected")
def training(tx: Tx, e: Any) -> None:
    record = e.record
    tx.execute(
        "INSERT INTO {p}trainings (mentor_id, training_id, course, provider, hours, completed_on, "
        "certificate_number) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (mentor_id, training_id) DO UPDATE SET course = excluded.course, "
        "provider = excluded.provider, hours = excluded.hours, "
        "completed_on = excluded.completed_on, certificate_number = excluded.certificate_number",
        (
            origin(e),
            str(e.training_id),
            record.course,
            record.provider,
            record.hours,
            day(record.completed_on),
            record.certificate_number,
        ),
    )
    of_mentor(tx, origin(e))
