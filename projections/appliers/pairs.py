"""Mentees and pairs: the involvement intervals the indicators are computed from."""

from __future__ import annotations

from typing import Any

from projections.appliers.base import day, ident, on, origin
from projections.figure_marks import of_mentee, of_pair, organization
from projections.store import Tx


def _birth_year(e: Any) -> int | None:
    """As the aggregate keeps it: the year of the birth date if known, else the birth year."""
    birth_date = getattr(e.person, "birth_date", None)
    return birth_date.year if birth_date else e.birth_year


@on("Mentee.Registered")
def mentee_registered(tx: Tx, e: Any) -> None:
    tx.execute(
        "INSERT INTO {p}mentees (id, organization_id, category, full_name, birth_year, "
        "work_started_on, registered_on) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (
            origin(e),
            ident(e.organization_id),
            e.category,
            e.person.full_name,
            _birth_year(e),
            day(e.work_started_on),
            day(e.registered_on),
        ),
    )
    of_mentee(tx, origin(e))


@on("Mentee.DetailsCorrected")
def mentee_corrected(tx: Tx, e: Any) -> None:
    tx.execute(
        "UPDATE {p}mentees SET category = %s, full_name = %s, birth_year = %s, "
        "work_started_on = %s WHERE id = %s",
        (e.category, e.person.full_name, _birth_year(e), day(e.work_started_on), origin(e)),
    )
    of_mentee(tx, origin(e))


@on("Mentee.Moved")
def mentee_moved(tx: Tx, e: Any) -> None:
    # The row shows where the mentee is now; indicators count each pair in its own organization
    # (so no figure changes: nothing marked).
    tx.execute("UPDATE {p}mentees SET organization_id = %s WHERE id = %s", (ident(e.organization_id), origin(e)))


@on("Pair.Formed")
def pair_formed(tx: Tx, e: Any) -> None:
    pair_id, started = origin(e), day(e.started_on)
    organization(tx, ident(e.organization_id))  # the pair's and its intervals'
    tx.execute(
        "INSERT INTO {p}pairs (id, organization_id, mentor_id, form, kind, program_id, started_on, "
        "status) VALUES (%s, %s, %s, %s, %s, %s, %s, 'active')",
        (pair_id, ident(e.organization_id), ident(e.mentor_id), e.form, e.kind, ident(e.program_id), started),
    )
    for mentee_id in e.mentee_ids:
        tx.execute(
            "INSERT INTO {p}pair_members (pair_id, mentee_id, organization_id, form, joined_on) "
            "VALUES (%s, %s, %s, %s, %s)",
            (pair_id, str(mentee_id), ident(e.organization_id), e.form, started),
        )


@on("Pair.MenteeAdded")
def pair_mentee_added(tx: Tx, e: Any) -> None:
    tx.execute(
        "INSERT INTO {p}pair_members (pair_id, mentee_id, organization_id, form, joined_on) "
        "SELECT id, %s, organization_id, form, %s FROM {p}pairs WHERE id = %s",
        (str(e.mentee_id), day(e.joined_on), origin(e)),
    )
    of_pair(tx, origin(e))


@on("Pair.Completed")
def pair_completed(tx: Tx, e: Any) -> None:
    _pair_ended(tx, e, "completed", outcome=e.outcome, reason=None)


@on("Pair.Dissolved")
def pair_dissolved(tx: Tx, e: Any) -> None:
    _pair_ended(tx, e, "dissolved", outcome=None, reason=e.reason)


def _pair_ended(tx: Tx, e: Any, status: str, *, outcome: str | None, reason: str | None) -> None:
    tx.execute(
        "UPDATE {p}pairs SET status = %s, ended_on = %s, outcome = %s, end_reason = %s "
        "WHERE id = %s",
        (status, day(e.ended_on), outcome, reason, origin(e)),
    )
    tx.execute(
        "UPDATE {p}pair_members SET ended_on = %s WHERE pair_id = %s", (day(e.ended_on), origin(e))
    )
    of_pair(tx, origin(e))


@on("Pair.StartCorrected")
def pair_start_corrected(tx: Tx, e: Any) -> None:
    # As the aggregate does: founders (joined on the old start) and anyone who joined before
    # the new start now join on the new start; later joiners keep their day.
    new_start = day(e.started_on)
    tx.execute(
        "UPDATE {p}pair_members SET joined_on = %s WHERE pair_id = %s AND (joined_on < %s OR "
        "joined_on = (SELECT started_on FROM {p}pairs WHERE id = %s))",
        (new_start, origin(e), new_start, origin(e)),
    )
    tx.execute("UPDATE {p}pairs SET started_on = %s WHERE id = %s", (new_start, origin(e)))
    of_pair(tx, origin(e))


@on("Pair.MentorChanged")
def pair_mentor_changed(tx: Tx, e: Any) -> None:
    # The pair's row shows who leads it now; the pair's history (its events) shows both. The
    # figures do not read a pair's mentor: nothing marked.
    tx.execute("UPDATE {p}pairs SET mentor_id = %s WHERE id = %s", (ident(e.mentor_id), origin(e)))
