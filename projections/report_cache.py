"""A per-process cache of facts and rendered reports, keyed by the log position they reflect.

A report is a function of the log position and its parameters (no clock in it), so a cached one
is exact: the same bytes the views would give again at that position. The position is read first
(one cheap query); if the views have moved on since, the lookup misses and the facts are read
afresh, in their own snapshot, and kept under the position that snapshot states. Entries are per
view store (dropped with it) and few (the newest positions win).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from projections.facts import Facts, load_facts
from projections.periods import Period
from projections.store import LIVE_TRACKING, ViewStore

T = TypeVar("T")

FACTS_ENTRIES = 8
REPORT_ENTRIES = 16  # a JSON report of the whole region is ~4 MB


class _Lru:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        return None

    def put(self, key: Hashable, value: Any) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


class _FactsLru(_Lru):
    def covering(self, position: int, periods: tuple[Period, ...]) -> Facts | None:
        """Facts read at `position` for these periods or more (the extra periods change nothing
        of the asked ones: a start page's year is in its report's two years)."""
        found = self.get((position, periods))
        if found is not None:
            return found  # type: ignore[no-any-return]
        for (at, read), facts in reversed(self.items.items()):
            if at == position and set(periods) <= set(read):
                self.items.move_to_end((at, read))
                return facts  # type: ignore[no-any-return]
        return None


class ReportCache:
    """Facts by (position, periods) and rendered reports by (position, parameters) of one store."""

    def __init__(self) -> None:
        self.facts = _FactsLru(FACTS_ENTRIES)
        self.reports = _Lru(REPORT_ENTRIES)
        self.lock = threading.Lock()  # the API serves sync endpoints from a thread pool


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
    cache = cache_of(store)
    key = tuple(dict.fromkeys(periods))
    with cache.lock:
        found = cache.facts.covering(view_position(store), key)
    if found is not None:
        return found
    facts = load_facts(store, periods)
    # The report and the engine only add to the facts' memo of organizations per unit: sharing
    # them between threads is safe.
    with cache.lock:
        cache.facts.put((facts.position, key), facts)
    return facts


def rendered(store: ViewStore, facts: Facts, parameters: Hashable, build: Callable[[], bytes]) -> bytes:
    """The bytes `build()` makes for `parameters` at the facts' position, made once per position."""
    return kept(store, facts.position, parameters, build)


def kept(store: ViewStore, position: int, parameters: Hashable, build: Callable[[], T]) -> T:
    """What `build()` makes for `parameters` at this log position (a report, its charts), made
    once per position; callers must not change what they get back (it is shared)."""
    cache = cache_of(store)
    key = (position, parameters)
    with cache.lock:
        found = cache.reports.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    data = build()
    with cache.lock:
        cache.reports.put(key, data)
    return data
