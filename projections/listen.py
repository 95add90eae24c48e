"""Waking a PostgreSQL follower on new events: LISTEN on the registry's notification channel.

The library NOTIFYs the channel named after the events table on every insert. The channel is
not schema-qualified (other schemas' writes also wake us; that only costs an empty poll) and a
notification missed across a reconnect is never replayed, so the follower still polls on a
timer: `wait(timeout)` returns on a notification or when the timeout passes.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
import structlog
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql

log = structlog.get_logger("reestr.projections")


class PostgresWakeUp:
    def __init__(self, recorder: PostgresApplicationRecorder):
        pool: Any = recorder.datastore.pool
        kwargs = {k: v for k, v in dict(pool.kwargs or {}).items() if k != "row_factory"}
        self.channel = recorder.channel_name
        self.conn = psycopg.connect(pool.conninfo or "", autocommit=True, **kwargs)
        self.conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))

    def wait(self, timeout: float) -> None:
        if self.conn.closed:
            time.sleep(timeout)
            return
        try:
            for _ in self.conn.notifies(timeout=timeout, stop_after=1):
                break
        except psycopg.Error as error:  # a lost connection: from now on, the timer alone
            log.warning("projection_listen_failed", error=str(error))
            self.close()

    def close(self) -> None:
        self.conn.close()


def wake_up_for(registry: Any) -> PostgresWakeUp | None:
    """A LISTEN waiter on PostgreSQL; None on SQLite (which has no notifications: poll)."""
    recorder = registry.recorder
    if isinstance(recorder, PostgresApplicationRecorder):
        try:
            return PostgresWakeUp(recorder)
        except psycopg.Error as error:
            log.warning("projection_listen_unavailable", error=str(error))
    return None
