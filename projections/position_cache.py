"""What the views gave at a log position, kept per process: exact, never approximate.

The views are a function of the log, so the same question at the same position has the same
answer, byte for byte. A `PositionCache` keeps answers under (position, key) and gives them
back without touching the database; a lookup at a position nobody answered yet misses, and the
caller reads the views afresh. Two kinds of answers are kept this way:

* reports and the facts behind them (`projections.report_cache`): a few, large, and any recent
  position may be asked for (a report "as at position N"), so the least recently used go first;
* the public answers (`api.public`, `api.public_fast`): many, small, and only the newest
  position matters (`newest_only`): when the views move on, every older answer is dropped at
  once, which also means no answer naming an erased or hidden mentor outlives the event that
  erased or hid them. The process learns the position from its own writes' catch-up
  (`api.freshness.AppProjector`), from a look at the log at most every `freshness.INTERVAL`
  seconds (`api.freshness.Freshness`), and from each answer computed on a miss.

Entries and their bytes are bounded (LRU). One lock per cache: the event loop and the thread
pool of the API both use them.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


def _no_size(_value: object) -> int:
    return 0


class PositionCache(Generic[V]):
    """Values by (log position, key), least recently used dropped first; safe across threads."""

    def __init__(
        self,
        max_entries: int,
        *,
        max_bytes: int = sys.maxsize,
        size: Callable[[V], int] = _no_size,
        newest_only: bool = False,
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = size
        #: keep only the newest position's values (a newer one seen drops all the others)
        self.newest_only = newest_only
        self._lock = threading.Lock()
        self._position = -1
        self._entries: OrderedDict[tuple[int, Hashable], V] = OrderedDict()
        self._bytes = 0

    @property
    def position(self) -> int:
        """The newest log position seen (-1: none yet)."""
        return self._position

    def observe(self, position: int) -> None:
        """The views are at `position` (or further); with `newest_only`, older values are dropped."""
        if position <= self._position:
            return
        with self._lock:
            if position > self._position:
                self._position = position
                if self.newest_only:
                    self._clear()

    def clear(self) -> None:
        """Drop every value (someone was erased: api/erasures.py)."""
        with self._lock:
            self._clear()

    def get(self, position: int, key: Hashable) -> V | None:
        """The value of `key` at `position`; None: ask the views."""
        with self._lock:
            return self._take((position, key))

    def matching(self, position: int, accepts: Callable[[Hashable], bool]) -> V | None:
        """A value at `position` whose key `accepts` (the most recently used first); None: none."""
        with self._lock:
            for at, key in reversed(self._entries):
                if at == position and accepts(key):
                    return self._take((at, key))
            return None

    def latest(self, key: Hashable) -> tuple[int, V] | None:
        """The value of `key` at the newest position seen, and that position; None: ask the views."""
        with self._lock:
            found = self._take((self._position, key))
            return None if found is None else (self._position, found)

    def put(self, position: int, key: Hashable, value: V) -> None:
        """Keep a value computed at `position` (with `newest_only`: if that is still the newest)."""
        self.observe(position)
        size = self.size(value)
        if size > self.max_bytes:
            return
        with self._lock:
            if self.newest_only and position != self._position:
                return  # the views moved on while it was computed: it is an old value already
            old = self._entries.pop((position, key), None)
            if old is not None:
                self._bytes -= self.size(old)
            self._entries[(position, key)] = value
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= self.size(dropped)

    def values(self) -> list[V]:
        """Every value kept now (what this process holds in memory)."""
        with self._lock:
            return list(self._entries.values())

    def _take(self, entry: tuple[int, Hashable]) -> V | None:
        found = self._entries.get(entry)
        if found is not None:
            self._entries.move_to_end(entry)
        return found

    def _clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
