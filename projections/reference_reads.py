"""The SQL of the reference lists' reads (forms and kinds of mentoring, mentor types, output kinds,
checklist items): the current entries of one list, every list with its retired entries, titles
by code. Reference lists are not personal and not scoped: every reader sees them whole."""

from __future__ import annotations

from typing import Any

from projections.store import Tx
from registry.reference import ListKind

_ENTRIES = (
    "SELECT l.kind, e.code, e.title, e.retired FROM {p}reference_entries e "
    "JOIN {p}reference_lists l ON l.id = e.list_id"
)


def current_entries(tx: Tx, kind: str) -> list[tuple[str, str]]:
    """(code, title) of a list's entries in force, in the region's order."""
    rows = tx.rows(f"{_ENTRIES} WHERE l.kind = %s AND e.retired = 0 ORDER BY e.seq, e.code", [kind])
    return [(str(code), str(title)) for _, code, title, _ in rows]


def checklist_items(tx: Tx) -> list[tuple[str, str, bool]]:
    """(code, title, retired) of the region's checklist, in its order."""
    rows = tx.rows(f"{_ENTRIES} WHERE l.kind = %s ORDER BY e.seq, e.code", [ListKind.CHECKLIST_ITEM])
    return [(str(code), str(title), bool(retired)) for _, code, title, retired in rows]


def reference_lists(tx: Tx) -> dict[str, list[dict[str, Any]]]:
    """Every list's entries by list kind, in the lists' order (retired ones too, marked)."""
    lists: dict[str, list[dict[str, Any]]] = {kind: [] for kind in ListKind.ALL}
    for kind, code, title, retired in tx.rows(f"{_ENTRIES} ORDER BY l.kind, e.seq, e.code"):
        lists.setdefault(str(kind), []).append({"code": code, "title": title, "retired": bool(retired)})
    return lists


def reference_titles(tx: Tx) -> dict[str, dict[str, str]]:
    """{list kind: {code: title}} of every reference list (retired entries too: old records name them)."""
    return {kind: {str(e["code"]): str(e["title"]) for e in entries} for kind, entries in reference_lists(tx).items()}
