"""A per-process cache of facts and rendered reports, keyed by the log position they reflect.

A report is a function of the log position and its parameters (no clock in it), so a cached one
is exact: the same bytes the views would give again at that position. The position is read first
(one cheap query); if the views have moved on since, the lookup misses and the facts are read
afresh, in their own snapshot, and kept under the position that snapshot states. Entries are per
view store (dropped with it) and few (the least recently used go first: `PositionCache`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from projections.facts import Facts, load_facts
from projections.periods import Period
from projections.position_cache import PositionCache
from projections.store import LIVE_TRACKING, ViewStore

T = TypeVar("T")

FACTS_ENTRIES = 8
REPORT_ENTRIES = 16  # a JSON report of the whole region is ~4 MB


class ReportCache:
    """Facts by (position, periods) and rendered reports by (position, parameters) of one store."""

    def __init__(self) -> None:
        self.facts: PositionCache[Facts] = PositionCache(FACTS_ENTRIES)
        self.reports: PositionCache[Any] = PositionCache(REPORT_ENTRIES)


_CACHES: WeakKeyDictionary[ViewStore, ReportCache] = WeakKeyDictionary()
_GUARD = threading.Lock()


def cache_of(store: ViewStore) -> ReportCache:
    with _GUARD:
        cache = _CACHES.get(store)
        if cache is None:
            cache = _CACHES[store] = ReportCache()
        return cache


def view_position(store: ViewStore) -> int:
    with store.transaction(write=False) as tx:
        return store.read_position(tx, LIVE_TRACKING)


def facts_at_head(store: ViewStore, periods: Sequence[Period]) -> Facts:
    """`load_facts(store, periods)`, or the same facts kept from an earlier call at this position."""
    facts_kept = cache_of(store).facts
    key = tuple(dict.fromkeys(periods))
    # Facts read at this position for these periods or more answer too (the extra periods change
    # nothing of the asked ones: a start page's year is in its report's two years).
    found = facts_kept.matching(view_position(store), lambda read: set(key) <= set(read))  # type: ignore[arg-type]
    if found is not None:
        return found
    facts = load_facts(store, periods)
    # The report and the engine only add to the facts' memo of organizations per unit: sharing
    # them between threads is safe.
    facts_kept.put(facts.position, key, facts)
    return facts


def rendered(store: ViewStore, facts: Facts, parameters: Hashable, build: Callable[[], bytes]) -> bytes:
    """The bytes `build()` makes for `parameters` at the facts' position, made once per position."""
    return kept(store, facts.position, parameters, build)


def kept(store: ViewStore, position: int, parameters: Hashable, build: Callable[[], T]) -> T:
    """What `build()` makes for `parameters` at this log position (a report, its charts), made
    once per position; callers must not change what they get back (it is shared)."""
    reports = cache_of(store).reports
    found = reports.get(position, parameters)
    if found is not None:
        return found  # type: ignore[no-any-return]
    data = build()
    reports.put(position, parameters, data)
    return data
