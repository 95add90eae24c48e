"""Who is told after a unit of work commits: the views, the public answers' cache, the key caches.

The registry records; what follows a commit is not its business. The composition root
(ops/bootstrap.py, or the API app for its own caches) registers subscribers here once; every
commit — by a command, a batch, an import, a restore, the demo — calls them in order with the
recordings. A failing subscriber is logged and the others still run: the events are recorded,
and whatever lags catches up on the next commit or read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import structlog

log = structlog.get_logger("reestr.registry")

Subscriber = Callable[[Sequence[Any]], None]


class AfterCommit:
    """The named subscribers of one registry, called after each commit in registration order."""

    def __init__(self) -> None:
        self._subscribers: dict[str, Subscriber] = {}

    def subscribe(self, name: str, subscriber: Subscriber) -> None:
        """Register (or replace) the subscriber called `name`."""
        self._subscribers[name] = subscriber

    def get(self, name: str) -> Subscriber | None:
        return self._subscribers.get(name)

    def publish(self, recordings: Sequence[Any]) -> None:
        """Tell every subscriber; a failure is logged, never raised (the commit stands)."""
        for name, subscriber in list(self._subscribers.items()):
            try:
                subscriber(recordings)
            except Exception as error:  # noqa: BLE001 - the events are recorded whatever a reader does
                log.error("after_commit_failed", subscriber=name, error=repr(error), exc_info=error)
