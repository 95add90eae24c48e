"""Reads see what other processes wrote: the views catch up when the log has moved on.

Writes through this app catch the views up before answering; an import, `reestr erase` or a
second API process writes behind its back. So a read first compares the log's head with the
views' position — at most every `INTERVAL` seconds, one cheap query — and catches up if behind.
One thread catches up at a time; the others read the views as they are (never blocked by it).
"""

from __future__ import annotations

import threading
import time

import structlog
from fastapi import FastAPI

from projections.projector import Projector

log = structlog.get_logger("reestr.api")

INTERVAL = 0.5  # seconds between two looks at the log's head


class Freshness:
    """Throttled catch-up of one app's views, safe to call from every request thread."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector
        self._lock = threading.Lock()
        self._checked_at = float("-inf")

    def refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < INTERVAL or not self._lock.acquire(blocking=False):
            return
        try:
            self._checked_at = now
            if self.projector.target() > self.projector.position:
                applied = self.projector.catch_up()
                log.info("views_caught_up_on_read", events=applied, position=self.projector.position)
        except Exception as error:  # noqa: BLE001 - a read must still answer from the views it has
            log.error("views_catch_up_failed", error=repr(error), exc_info=error)
        finally:
            self._lock.release()


def refresh_views(app: FastAPI) -> None:
    """Catch the app's views up if another process wrote since the last look."""
    freshness: Freshness | None = getattr(app.state, "freshness", None)
    if freshness is not None:
        freshness.refresh()
