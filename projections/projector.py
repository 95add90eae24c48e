"""The projector: applies the registry's notification log to the views, exactly once.

Each batch is a window of log positions after the one the views are at (`batch_size` of them
at first; while the views are behind, each next window doubles, up to `BACKLOG_WINDOW`); the
events of the window that change a view are read (only those: the database skips command
records and bookkeeping, about half a log), decoded as a rebuild decodes them
(`projections.decoding`), and applied in ONE transaction that also locks the tracking row and
advances it to the window's end; a crash at any point leaves either the whole window or none of
it. Ids are given in commit order, so nothing can appear later at or below a head that was read.
`upto` stops at a log position (a report "as known at a moment" projects into a throwaway store
up to it).

An event the views cannot take (an applier bug, an old event the database refuses) stops them
just before it: `catch_up` applies the events before it, notes `stalled` (position, event, reason)
and raises `ProjectionStalled`; every later catch-up tries again, so the views go on once the
cause is gone. (A NUL in old events is no such cause: `projections.transaction.storable_row`.)

In-process: run `Projector(registry, store).catch_up()` after `registry.execute(...)` so a client
reads its own writes. As a worker: `follow()` polls (and on PostgreSQL may be woken by LISTEN).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from uuid import UUID

from projections.appliers import APPLIERS
from projections.appliers.erasure import erasure_in, scrub_old_pages
from projections.decoding import fast_mapper
from projections.facts import load_facts
from projections.figure_marks import write_marks
from projections.kept_figures import kept_years, years_worth_keeping
from projections.rebuilding import REBUILD_BATCH_SIZE, Stored, read_window, rebuild_through_scratch
from projections.schema import LIVE_PREFIX
from projections.store import (
    LIVE_TRACKING,
    SQLiteViewStore,
    StalePosition,
    ViewStore,
    memory_view_store,
)

log = structlog.get_logger("reestr.projections")

DEFAULT_BATCH_SIZE = 500

#: The largest window of positions one transaction applies while the views are behind: a
#: backlog pays a commit (an fsync) and a read per this many positions, not per `batch_size`.
BACKLOG_WINDOW = REBUILD_BATCH_SIZE


@dataclass(frozen=True)
class Stall:
    """Where a projection stopped: the views are at `position`, event `event` does not apply."""

    position: int
    event: int
    topic: str
    reason: str

    def russian(self) -> str:
        """What an operator reads (`reestr doctor`, `reestr project`)."""
        return (
            f"Представления остановились на позиции {self.position}: событие {self.event} "
            f"({self.topic}) не применяется — {self.reason}"
        )


class ProjectionStalled(Exception):
    """An event the views cannot take: they stay just before it (every later catch-up retries)."""

    def __init__(self, stall: Stall):
        super().__init__(
            f"projection stalled at position {stall.position}: event {stall.event} ({stall.topic}): {stall.reason}"
        )
        self.stall = stall

Progress = Callable[[int, int], None]
"""Called after each batch with (position reached, position aimed at)."""


class Projector:
    """Keeps one set of views (live or a rebuild's) up to date with the registry's log."""

    def __init__(
        self,
        registry: Any,
        store: ViewStore,
        *,
        upto: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        prefix: str = LIVE_PREFIX,
        tracking: str = LIVE_TRACKING,
        on_notification: Callable[[Stored], None] | None = None,
    ):
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self.registry = registry
        self.store = store
        self.upto = upto
        self.batch_size = batch_size
        self.prefix = prefix
        self.tracking = tracking
        #: called with each event that changes a view, in its transaction, after its appliers
        self.on_notification = on_notification
        #: The event the last catch-up could not apply (None once one passes it).
        self.stalled: Stall | None = None
        self._to_event: Callable[[Stored], Any] | None = None
        self._topics = sorted(APPLIERS)
        self._uuids: dict[str, UUID] = {}

    @property
    def position(self) -> int:
        """The log position the views reflect."""
        return self.store.position(self.tracking)

    def target(self) -> int:
        """The position a catch-up aims at: the log's head, or `upto` if lower."""
        head = self.registry.recorder.max_notification_id() or 0
        return head if self.upto is None else min(head, self.upto)

    def catch_up(self, progress: Progress | None = None) -> int:
        """Apply every notification recorded so far (up to `upto`); returns how many positions."""
        applied = 0
        erased = False
        refresh = getattr(self.registry, "refresh_keys", None)
        if refresh is not None:  # never write a person's data decoded with a key erased elsewhere
            refresh()
        aim = 0
        window = self.batch_size
        while True:
            start = self.store.position(self.tracking)
            aim = max(aim, self.target())
            if start >= aim:
                break
            end = min(start + window, aim)
            batch = read_window(self.registry.recorder, start, end, self._topics, self._uuids)
            try:
                self._apply(start, end, batch)
            except StalePosition:
                window = self.batch_size
                continue  # another projector moved on meanwhile: read from where it is now
            except Exception as error:
                if not batch:
                    raise  # no event to blame (the store itself failed): the caller retries
                done = self._apply_up_to_failure(start, batch, error)
                if erased or erasure_in(n.topic for n in batch[:done]):
                    scrub_old_pages(self.store)  # an erasure applied before the stall still scrubs
                raise ProjectionStalled(self.stalled) from error  # type: ignore[arg-type]
            self.stalled = None
            applied += end - start
            erased = erased or erasure_in(n.topic for n in batch)
            window = min(window * 2, max(self.batch_size, BACKLOG_WINDOW))
            if progress:
                progress(end, aim)
        if erased:
            scrub_old_pages(self.store)
        return applied

    def _apply_up_to_failure(self, start: int, batch: list[Stored], error: Exception) -> int:
        """After a window failed: apply its events one by one up to the one that fails, so the
        views stop just before it (not before the whole window); note the stall. Returns how many
        were applied."""
        applied = 0
        failing, failure = batch[0], error
        if len(batch) > 1:
            for event in batch:
                try:
                    self._apply(start, event.id, [event])
                except StalePosition:
                    break  # another projector is at it: it will note its own stall
                except Exception as single:
                    failing, failure = event, single
                    break
                start = event.id
                applied += 1
        if failing.id - 1 > start:
            try:  # the positions between the last event applied and the failing one change no view
                self._apply(start, failing.id - 1, [])
            except StalePosition:
                pass
        self.stalled = Stall(
            position=self.store.position(self.tracking),
            event=failing.id,
            topic=failing.topic,
            reason=f"{type(failure).__name__}: {failure}".strip(),
        )
        log.error("projection_stalled", position=self.stalled.position, event_position=failing.id,
                  topic=failing.topic, error=self.stalled.reason)
        return applied

    def _apply(self, start: int, end: int, batch: list[Stored]) -> None:
        """The events of positions `start` < id <= `end` (those with an applier), in ONE
        transaction that advances the views from `start` to `end`."""
        to_event = self._to_event
        if to_event is None:  # as a rebuild decodes; the registry's keys and transcodings
            to_event = self._to_event = fast_mapper(self.registry.mapper).to_domain_event
        decoded = [(APPLIERS[stored.topic], to_event(stored)) for stored in batch]
        with self.store.transaction(write=True, prefix=self.prefix) as tx:
            self.store.claim(tx, self.tracking, start)
            with tx.pipeline():
                for (applier, event), stored in zip(decoded, batch):
                    applier(tx, event)
                    if self.on_notification is not None:
                        self.on_notification(stored)
                write_marks(tx)  # the window's kept figures marked once, in its pipeline
            self.store.advance(tx, self.tracking, end)

    def follow(
        self,
        stop: threading.Event,
        *,
        poll_interval: float = 1.0,
        wait: Callable[[float], None] | None = None,
    ) -> None:
        """Catch up, then keep catching up until `stop` is set.

        `wait(seconds)` blocks until new events may be there (a LISTEN on PostgreSQL) or the
        time passed; by default it just sleeps, which is also the fallback for missed wake-ups.
        """
        failures = 0
        while not stop.is_set():
            started = time.perf_counter()
            try:
                applied = self.catch_up()
            except Exception as error:  # the store may be briefly unreachable: retry, never die
                failures += 1
                log.error("projection_failed", error=f"{type(error).__name__}: {error}", failures=failures)
                stop.wait(min(poll_interval * 2**failures, 30.0))
                continue
            failures = 0
            if applied:
                log.info(
                    "projection_caught_up",
                    applied=applied,
                    position=self.position,
                    seconds=round(time.perf_counter() - started, 3),
                )
                continue
            if wait is not None:
                wait(poll_interval)
            else:
                stop.wait(poll_interval)


class _RolledBack(Exception):
    pass


def probe(registry: Any, store: ViewStore, *, tracking: str = LIVE_TRACKING) -> Stall | None:
    """Whether the next event after the views' position applies, tried in a transaction that is
    always rolled back (nothing changes): None if it does (or the views are at the head)."""
    position = store.position(tracking)
    batch = registry.recorder.select_notifications(start=position + 1, limit=1)
    if not batch:
        return None
    notification = batch[0]
    try:
        event = registry.mapper.to_domain_event(notification) if notification.topic in APPLIERS else None
        with store.transaction(write=True) as tx:
            if event is not None:
                APPLIERS[notification.topic](tx, event)
            raise _RolledBack
    except _RolledBack:
        return None
    except Exception as error:
        return Stall(position, notification.id, notification.topic, f"{type(error).__name__}: {error}".strip())


def rebuild(
    registry: Any,
    store: ViewStore,
    *,
    batch_size: int = REBUILD_BATCH_SIZE,
    progress: Progress | None = None,
) -> int:
    """Rebuild every view from position 0 into fresh tables, then swap them in at once.

    The events are applied to a private scratch database, `batch_size` log positions at a
    time, and the whole views are loaded and swapped in by one transaction of the store (see
    `projections.rebuilding` for why). Readers keep reading the old views until it commits.
    Returns the position the new views reflect; a follower then carries on from there. Two
    rebuilds at once each install complete views; the last to commit stays.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    before = kept_years(store)
    position = rebuild_through_scratch(registry, store, batch_size=batch_size, progress=progress)
    log.info("projection_rebuilt", position=position)
    # The new views keep no figures yet: aggregating the likely years now spares the first
    # report after a rebuild a whole-region aggregate (a second, at a region's scale).
    years = years_worth_keeping(store, before)
    if years:
        started = time.perf_counter()
        load_facts(store, years)
        log.info("projection_figures_kept", years=len(years), seconds=round(time.perf_counter() - started, 3))
    return position


def project_until(registry: Any, position: int, *, batch_size: int = DEFAULT_BATCH_SIZE) -> SQLiteViewStore:
    """A throwaway in-memory view store of the log up to `position`: the registry as known then.

    The caller closes it (`store.close()`) when done.
    """
    store = memory_view_store()
    try:
        Projector(registry, store, upto=position, batch_size=batch_size).catch_up()
    except BaseException:
        store.close()
        raise
    return store
