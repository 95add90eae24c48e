"""The region's reference lists as titles by code, read from the views (forms, mentor types, …)."""

from __future__ import annotations

from collections import defaultdict

from projections.store import Tx
from registry.reference import ListKind


def reference_titles(tx: Tx) -> dict[str, dict[str, str]]:
    """{list kind: {code: title}} of every reference list (retired entries too: old records name them)."""
    titles: dict[str, dict[str, str]] = defaultdict(dict)
    for kind in ListKind.ALL:
        titles[kind] = {}
    for kind, code, title in tx.rows(
        "SELECT l.kind, e.code, e.title FROM {p}reference_entries e JOIN {p}reference_lists l ON l.id = e.list_id "
        "ORDER BY l.kind, e.seq, e.code"
    ):
        titles[str(kind)][str(code)] = str(title)
    return dict(titles)
