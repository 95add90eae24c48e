"""Reads see what other processes wrote: the views catch up when the log has moved on.

Writes through this app catch the views up before answering; an import, `reestr erase` or a
second API process writes behind its back. So a read first compares the log's head with the
views' position — at most every `INTERVAL` seconds, one cheap query — and catches up if behind.
One thread catches up at a time; the others read the views as they are (never blocked by it).
Each look (and each catch-up of `AppProjector`) tells the position the views are at to whoever
listens: the public answers' cache (`api.public_fast.public_answers`) keys on it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import structlog
from fastapi import FastAPI

from projections.projector import ProjectionStalled, Projector

log = structlog.get_logger("reestr.api")

INTERVAL = 0.5  # seconds between two looks at the log's head


PositionListener = Callable[[int], None]


class AppProjector(Projector):
    """The app's projector: after every catch-up (a write's, a read's) it tells its listeners
    the position the views are at, so nothing keyed on the position lags behind a write."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listeners: list[PositionListener] = []

    def catch_up(self, progress: Any = None) -> int:
        try:
            applied = super().catch_up(progress)
        except ProjectionStalled:
            self._tell_listeners()  # the views may have moved up to the event that stalls them
            raise
        self._tell_listeners()
        return applied

    def _tell_listeners(self) -> None:
        if self.listeners:
            position = self.position
            for listener in self.listeners:
                listener(position)


class Freshness:
    """Throttled catch-up of one app's views, safe to call from every request thread."""

    def __init__(self, projector: Projector, on_position: PositionListener | None = None) -> None:
        self.projector = projector
        self.on_position = on_position
        self._lock = threading.Lock()
        self._checked_at = float("-inf")

    def due(self) -> bool:
        """Whether a look at the log is due (cheap: no I/O; for callers that avoid a thread hop)."""
        return time.monotonic() - self._checked_at >= INTERVAL

    def look_now(self) -> None:
        """Look at the log at once, however recently it was looked at (an erasure elsewhere)."""
        self._checked_at = float("-inf")
        self.refresh()

    def refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < INTERVAL or not self._lock.acquire(blocking=False):
            return
        try:
            self._checked_at = now
            position = self.projector.position
            if self.projector.target() > position:
                applied = self.projector.catch_up()
                position = self.projector.position
                log.info("views_caught_up_on_read", events=applied, position=position)
            if self.on_position is not None:  # the views may have moved by another process's hand
                self.on_position(position)
        except Exception as error:  # a read must still answer from the views it has
            log.error("views_catch_up_failed", error=repr(error), exc_info=error)
        finally:
            self._lock.release()


def refresh_views(app: FastAPI) -> None:
    """Catch the app's views up if another process wrote since the last look."""
    freshness: Freshness | None = getattr(app.state, "freshness", None)
    if freshness is not None:
        freshness.refresh()
