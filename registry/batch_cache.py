"""The aggregates batches keep between them, trusted without a store read while the log says so.

A bulk load decides thousands of commands on aggregates that earlier batches created a moment
before; re-reading each one from the store on every get (the library cache's fast-forward) and
deep-copying it was most of a batch's time. Batches keep their own cache instead, used by one
batch at a time (a lease): an aggregate in it is exactly as recorded unless an event was recorded
for it since, and every such event lies in the log after `head`. So a batch starts by reading the
log from `head` to its end and dropping whatever those events touched — normally nothing, since
a batch whose events follow `head` directly moves `head` past them. The batch decides on the
cached objects themselves, not copies: a batch that is refused, or fails to commit, drops
everything it touched.

Positions follow commit order on both stores (SQLite writes one at a time; the PostgreSQL
recorder locks the events table for each insert), so no event can appear later below `head`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import LRUCache
from eventsourcing.domain import Aggregate

# A region's aggregates (~370,000 at 20,000 mentors, 150,000 mentees, 200,000 pairs): a pair formed
# for a mentee registered long before must still find it here (a 50,000 cache loaded the full
# region at 2,100 events/s, this one at 5,700 — scale 0.3). It only holds what batches touched.
MAXSIZE = 400_000
# Beyond this many events written by others since the last batch, reading them to know which
# aggregates they touched costs more than starting with an empty cache.
CATCH_UP_LIMIT = 20_000


class BatchCache:
    """Aggregates as the last batches left them, and the log position they reflect."""

    def __init__(self, maxsize: int = MAXSIZE) -> None:
        self._aggregates: LRUCache[UUID, Aggregate] = LRUCache(maxsize=maxsize)
        self._head: int | None = None  # every event up to here is reflected in the cache
        self._lease = threading.Lock()

    def lease(self) -> bool:
        """Take the cache for one batch; False if another batch of this process holds it."""
        return self._lease.acquire(blocking=False)

    def release(self) -> None:
        self._lease.release()

    def catch_up(self, recorder: Any) -> None:
        """Drop what others recorded since `head` (read from the log), then stand at its end."""
        head = recorder.max_notification_id() or 0
        if self._head is None or head - self._head > CATCH_UP_LIMIT:
            self._aggregates.clear()
        elif head > self._head:
            for notification in recorder.select_notifications(
                self._head + 1, head - self._head, stop=head
            ):
                self.drop([notification.originator_id])
        self._head = head

    def clear(self) -> None:
        """Forget every aggregate (their personal data was decoded with keys since destroyed)."""
        self._aggregates.clear()
        self._head = None

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        try:
            return self._aggregates.get(aggregate_id)
        except KeyError:
            return None

    def keep(self, aggregates: Iterable[Aggregate], first: int, last: int) -> None:
        """After a commit at positions first..last: keep the batch's aggregates as recorded."""
        for aggregate in aggregates:
            self._aggregates.put(aggregate.id, aggregate)
        # Events by others between `head` and this batch's first are not read yet: keep `head`
        # where it is and let the next batch read them (its own events then drop its aggregates).
        if self._head is not None and first == self._head + 1:
            self._head = last

    def drop(self, aggregate_ids: Iterable[UUID]) -> None:
        for aggregate_id in aggregate_ids:
            try:
                self._aggregates.get(aggregate_id, evict=True)
            except KeyError:
                pass
