"""Finished public answers kept per process, for the log position the views are at.

The public tables are a function of the log: the same question at the same position has the
same answer, byte for byte. So an answer is kept under (position, question) and served again
without touching the database — exact, never approximate. Only the newest position's answers
are kept: when the views move on, every older answer is dropped at once (the next request asks
the database again), which also means no answer naming an erased or hidden mentor outlives the
event that erased or hid them. The number of answers and their bytes are bounded (LRU).

How a process learns the position without asking the database on every request:
- its own writes catch the views up before answering (`api.writes`), and the projector tells
  the cache the new position right then (`api.freshness.AppProjector`), so a write is seen by
  the very next read;
- another process's writes (a second API worker, an import, `reestr erase`) are noticed by
  `api.freshness.Freshness`, which looks at the log and the views at most every
  `freshness.INTERVAL` seconds, as it did before there was a cache;
- an answer computed on a miss reads the position in the same transaction as its rows, and
  moves the cache forward if the views were already further on.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

MAX_ENTRIES = 4096
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Cached:
    """One finished answer: its body and what its headers need (`raw_headers`: the whole
    header list of a 200 from memory, as ASGI sends it)."""

    body: bytes
    tag: str
    media_type: str
    raw_headers: tuple[tuple[bytes, bytes], ...] = ()


class ResponseCache:
    """The answers at one log position (the newest seen), least recently used dropped first."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._lock = threading.Lock()  # the event loop and the thread pool both use it
        self._position = -1
        self._entries: OrderedDict[tuple[object, ...], Cached] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    @property
    def position(self) -> int:
        """The newest log position the views are known to be at (-1: not known yet)."""
        return self._position

    def observe(self, position: int) -> None:
        """The views are at `position` (or further): answers of older positions are dropped."""
        if position <= self._position:
            return
        with self._lock:
            if position > self._position:
                self._position = position
                self._entries.clear()
                self._bytes = 0

    def clear(self) -> None:
        """Drop every answer (someone was erased: api/erasures.py)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def get(self, key: tuple[object, ...], *, count: bool = True) -> tuple[int, Cached] | None:
        """The answer to `key` at the current position, and that position; None: ask the views."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += count
                return None
            self._entries.move_to_end(key)
            self.hits += count
            return self._position, found

    def put(self, position: int, key: tuple[object, ...], answer: Cached) -> None:
        """Keep an answer computed at `position` (kept only if that is the current position)."""
        self.observe(position)
        size = len(answer.body) + 200
        if size > self.max_bytes:
            return
        with self._lock:
            if position != self._position:
                return  # the views moved on while it was computed: it is an old answer already
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body) + 200
            self._entries[key] = answer
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body) + 200

    def answers(self) -> list[Cached]:
        """Every answer kept now (what this process holds in memory)."""
        with self._lock:
            return list(self._entries.values())


__all__ = ["Cached", "ResponseCache"]
