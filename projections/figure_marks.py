"""Marks of the organizations whose kept figures a transaction's view writes may change.

The figures of a year (`projections.aggregates`) are read from pairs, pair intervals, mentees,
mentors, their statuses and trainings, programs and outputs. The appliers that write these
tables note, as they write, what the rows count in — an organization, or the organization of a
pair, mentor or program, or those of a mentee's pair intervals — in the transaction's
`FigureMarks` (`tx.marks`), and the organizations are added to `figures_stale` once, at the end
of the transaction, by a set-based statement per kind (`write_marks`): a live window of
thousands of positions marks in a handful of statements instead of a trigger per row (on SQLite
a trigger cost more than the row's own insert). The view stores' live write transactions carry
the marks and write them before they commit (`projections.store`), so whatever applies events to
the live views marks in the transaction of its rows. A rebuild loads without them: its kept
figures start empty.

What is marked is what the per-row triggers this replaces marked (`tests/support/figure_marks_reference.py`
keeps them as the oracle): a row inserted, deleted, or updated in a column the figures read
(`SOURCES`) marks the organizations it counts in; rows of a mentee or of a mentor's status and
training count in the organizations of the mentee's pair intervals and of the mentor.
Resolving a pair, mentor, program or mentee at the end of the transaction instead of at the row
gives the same organizations because what they are resolved through never moves: the
organization of a pair, pair interval, mentor or program is set when the row is inserted and
never changed, and none of these rows is deleted; a mentee's pair intervals only grow, and each
new one marks its own organization. Outputs are deleted: a retraction marks the output's
organization before it deletes the row.
"""

from __future__ import annotations

from typing import Any

#: A table the figures read and the columns whose change matters (what the triggers watched;
#: other columns — names, consent, statuses shown in lists, a pair's mentor — mark nothing).
SOURCES = {
    "pairs": "organization_id, form, started_on, ended_on",
    "pair_members": "mentee_id, organization_id, joined_on, ended_on",
    "mentees": "id, category, birth_year, work_started_on",
    "mentors": "organization_id",
    "mentor_status": "mentor_id, seq, status, since",
    "trainings": "mentor_id, completed_on",
    "programs": "organization_id, starts_on, ends_on",
    "outputs": "organization_id, produced_on",
}

#: kind -> the organizations of the ids (`{ids}`) the appliers noted, at the transaction's end.
_RESOLVE = {
    "pairs": "SELECT organization_id FROM {p}pairs WHERE id IN ({ids})",
    "mentors": "SELECT organization_id FROM {p}mentors WHERE id IN ({ids})",
    "programs": "SELECT organization_id FROM {p}programs WHERE id IN ({ids})",
    # A mentee's rows count in the organizations of its pair intervals (the mentee row exists:
    # the trigger fired on it).
    "mentees": "SELECT pm.organization_id FROM {p}pair_members pm WHERE pm.mentee_id IN ({ids}) "
               "AND EXISTS (SELECT 1 FROM {p}mentees me WHERE me.id = pm.mentee_id)",
}
_CHUNK = 500  # ids per statement (SQLite's bound on parameters is far above)


class FigureMarks:
    """What one transaction's appliers noted; written by `write_marks` before it commits."""

    __slots__ = ("mentees", "mentors", "organizations", "pairs", "programs")

    def __init__(self) -> None:
        self.organizations: set[str] = set()
        self.pairs: set[str] = set()
        self.mentors: set[str] = set()
        self.programs: set[str] = set()
        self.mentees: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self.organizations or self.pairs or self.mentors or self.programs or self.mentees)


# -- what the appliers call (nothing noted where the transaction does not mark: a rebuild's scratch)


def organization(tx: Any, organization_id: str | None) -> None:
    """A row of this organization was inserted or changed."""
    marks = tx.marks
    if marks is not None and organization_id is not None:
        marks.organizations.add(organization_id)


def of_pair(tx: Any, pair_id: str) -> None:
    """A row of the pair or of its pair intervals (they are in the pair's organization)."""
    marks = tx.marks
    if marks is not None:
        marks.pairs.add(pair_id)


def of_mentor(tx: Any, mentor_id: str) -> None:
    """A row of the mentor, its statuses or trainings."""
    marks = tx.marks
    if marks is not None:
        marks.mentors.add(mentor_id)


def of_program(tx: Any, program_id: str) -> None:
    """A row of the program or an output inserted from it (in the program's organization)."""
    marks = tx.marks
    if marks is not None:
        marks.programs.add(program_id)


def of_mentee(tx: Any, mentee_id: str) -> None:
    """A mentee's row: it counts in the organizations of its pair intervals."""
    marks = tx.marks
    if marks is not None:
        marks.mentees.add(mentee_id)


def before_deleting_output(tx: Any, program_id: str, output_id: str) -> None:
    """An output about to be deleted: its organization, marked now (the row is gone at the end).
    A write, not a read: on PostgreSQL it stays in the window's pipeline."""
    if tx.marks is not None:
        tx.execute(
            "INSERT INTO {p}figures_stale (organization_id) SELECT organization_id FROM {p}outputs "
            "WHERE program_id = %s AND output_id = %s AND organization_id IS NOT NULL "
            "ON CONFLICT (organization_id) DO NOTHING",
            (program_id, output_id),
        )


def write_marks(tx: Any) -> None:
    """Add what `tx.marks` noted to `figures_stale` (each organization once) and forget it."""
    marks = tx.marks
    if not marks:
        return
    tx.marks = FigureMarks()
    if marks.organizations:
        for chunk in _chunks(marks.organizations):
            tx.execute(
                f"INSERT INTO {{p}}figures_stale (organization_id) VALUES {', '.join(['(%s)'] * len(chunk))} "
                "ON CONFLICT (organization_id) DO NOTHING",
                chunk,
            )
    for kind, select in _RESOLVE.items():
        for chunk in _chunks(getattr(marks, kind)):
            resolve = select.replace("{ids}", ", ".join(["%s"] * len(chunk)))
            # (WHERE before ON CONFLICT: SQLite would read an ON after the FROM as a join's.)
            tx.execute(
                f"INSERT INTO {{p}}figures_stale (organization_id) SELECT DISTINCT organization_id "
                f"FROM ({resolve}) marked WHERE organization_id IS NOT NULL "
                "ON CONFLICT (organization_id) DO NOTHING",
                chunk,
            )


def _chunks(values: set[str]) -> list[list[str]]:
    ordered = sorted(values)
    return [ordered[at:at + _CHUNK] for at in range(0, len(ordered), _CHUNK)]


def retired_trigger_statements(prefix: str, dialect: str) -> list[str]:
    """Drop the per-row marking triggers an older version created (their marks are now
    `write_marks`'s; left in place they would mark a second time, at their old cost)."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {prefix}{table}_figures_{name}"
                for table in SOURCES for name in ("insert", "delete", "update")]
    return [f"DROP FUNCTION IF EXISTS {prefix}{table}_figures() CASCADE" for table in SOURCES]
