"""The SQL of the audit pages' reads: finding a record by its name, and naming the records and
reference codes a record's events mention. The audit reads the whole region (admin, auditor):
no area narrows these."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.read_sql import Where, dicts
from projections.reference_reads import reference_titles
from projections.store import Tx

#: What a record is found by: its rows, the column matched, the names of the columns.
_FOUND_BY = {
    "mentors": (
        "SELECT m.id, m.full_name, o.name, m.status FROM {p}mentors m "
        "LEFT JOIN {p}organizations o ON o.id = m.organization_id",
        "m.full_name",
        ["id", "name", "organization", "status"],
    ),
    "mentees": (
        "SELECT e.id, e.full_name, o.name FROM {p}mentees e LEFT JOIN {p}organizations o ON o.id = e.organization_id",
        "e.full_name",
        ["id", "name", "organization"],
    ),
    "organizations": (
        "SELECT o.id, o.name, mu.name FROM {p}organizations o "
        "LEFT JOIN {p}municipalities mu ON mu.id = o.municipality_id",
        "o.name",
        ["id", "name", "organization"],
    ),
}
#: At most this many of each kind are listed.
FOUND_MAX = 50

_NAMED = (
    "SELECT id, full_name FROM {p}mentors",
    "SELECT id, full_name FROM {p}mentees",
    "SELECT id, name FROM {p}organizations",
    "SELECT id, name FROM {p}municipalities",
    "SELECT id, title FROM {p}programs",
)


def _like(text: str) -> list[str]:
    """LIKE patterns for a name as typed and with a capital first letter (SQLite folds ASCII only)."""
    words = " ".join(text.split())
    variants = dict.fromkeys([words, words[:1].upper() + words[1:]])
    return [f"%{v}%" for v in variants]


def records_named(tx: Tx, text: str) -> dict[str, list[dict[str, Any]]]:
    """Mentors, mentees and organizations whose name contains `text` (spaces collapsed), by name."""
    patterns = _like(text)
    found = {}
    for kind, (sql, column, names) in _FOUND_BY.items():
        where = Where().add("(" + " OR ".join([f"{column} LIKE %s"] * len(patterns)) + ")", patterns)
        found[kind] = dicts(tx, f"{sql}{where} ORDER BY {column} LIMIT {FOUND_MAX}", where.params, names)
    return found


def record_names(tx: Tx, ids: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """({id: name} of the mentors, mentees, organizations, municipalities and programs among
    `ids`, {id: start date} of the pairs among them)."""
    names: dict[str, str] = {}
    starts: dict[str, str] = {}
    if not ids:
        return names, starts
    where = Where().among("id", ids)
    for sql in _NAMED:
        names.update((str(i), str(n)) for i, n in tx.rows(f"{sql}{where}", where.params))
    starts.update((str(i), str(on)) for i, on in tx.rows(f"SELECT id, started_on FROM {{p}}pairs{where}", where.params))
    return names, starts


def code_titles(tx: Tx) -> dict[str, str]:
    """{code: title} of every reference list's entries (a code in two lists: the first list's title)."""
    titles: dict[str, str] = {}
    for entries in reference_titles(tx).values():
        for code, title in entries.items():
            titles.setdefault(code, title)
    return titles
