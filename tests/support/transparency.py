"""Tampering with a store the way an attacker with database access would: raw SQL, no library.

    raw = RawStore(registry)
    raw.alter(5)            # one stored event's bytes changed
    raw.delete(7)           # one row gone
    raw.swap_rows(3, 9)     # two rows at each other's positions
    raw.swap_payload(3, 9)  # two rows' topic and state exchanged
    raw.insert_shifting(4)  # a new row at position 4, the rest renumbered one further
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import psycopg
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg import sql as pgsql

from registry.application import Registry
from support.stores import POSTGRES_URL
from support.world import Region


def build_region(registry: Registry, mentors: int = 3) -> Region:
    """A few dozen real events: municipality, school, mentors approved, mentees, pairs."""
    region = Region(registry)
    for _ in range(mentors):
        mentor = region.active_mentor(capacity=2)
        region.pair(mentor, [region.mentee(birth_date=date(2009, 3, 4))])
    return region


class RawStore:
    """Plain SQL on the registry's events table (and the transparency tables), outside the app."""

    def __init__(self, registry: Registry):
        self.registry = registry
        recorder: Any = registry.recorder
        self.sqlite = isinstance(recorder, SQLiteApplicationRecorder)
        if self.sqlite:
            self.path: str = recorder.datastore.pool.db_name
            self.pos = "rowid"
            self.events = "stored_events"
        else:
            self.schema: str = recorder.datastore.schema
            self.pos = "notification_id"
            self.events = recorder.events_table_name

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        if self.sqlite:
            conn = sqlite3.connect(self.path, timeout=10)
            try:
                yield _SQLiteCursor(conn.cursor())
                conn.commit()
            finally:
                conn.close()
        else:
            with psycopg.connect(POSTGRES_URL) as pg:
                pg.execute(pgsql.SQL("SET search_path TO {}").format(pgsql.Identifier(self.schema)))
                with pg.cursor() as cur:
                    yield cur

    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        statement = statement.format(pos=self.pos, events=self.events)
        with self.cursor() as cur:
            cur.execute(statement, tuple(params))
            return [tuple(r) for r in cur.fetchall()] if cur.description else []

    def row(self, position: int) -> tuple[Any, ...]:
        rows = self.execute(
            "SELECT originator_id, originator_version, topic, state FROM {events} WHERE {pos} = %s", (position,)
        )
        assert rows, f"no row at {position}"
        return rows[0]

    def positions(self) -> list[int]:
        return [r[0] for r in self.execute("SELECT {pos} FROM {events} ORDER BY {pos}")]

    # -- the tampering -------------------------------------------------------------------------

    def alter(self, position: int) -> None:
        """Append one space to the stored JSON: the meaning is the same, the bytes are not."""
        state = bytes(self.row(position)[3])
        self.execute("UPDATE {events} SET state = %s WHERE {pos} = %s", (state + b" ", position))

    def delete(self, position: int) -> None:
        self.execute("DELETE FROM {events} WHERE {pos} = %s", (position,))

    def swap_payload(self, a: int, b: int) -> None:
        _, _, topic_a, state_a = self.row(a)
        _, _, topic_b, state_b = self.row(b)
        self.execute("UPDATE {events} SET topic = %s, state = %s WHERE {pos} = %s", (topic_b, bytes(state_b), a))
        self.execute("UPDATE {events} SET topic = %s, state = %s WHERE {pos} = %s", (topic_a, bytes(state_a), b))

    def swap_rows(self, a: int, b: int) -> None:
        """Whole rows exchange positions (the log's order is rewritten)."""
        with self.cursor() as cur:
            for old, new in ((a, -1), (b, a), (-1, b)):
                cur.execute(f"UPDATE {self.events} SET {self.pos} = %s WHERE {self.pos} = %s", (new, old))

    def insert_shifting(self, position: int) -> None:
        """A fabricated event at `position`; every event from there on renumbered one further."""
        _, _, topic, state = self.row(position)
        with self.cursor() as cur:
            cur.execute(f"UPDATE {self.events} SET {self.pos} = -{self.pos} - 1 WHERE {self.pos} >= %s", (position,))
            cur.execute(f"UPDATE {self.events} SET {self.pos} = -{self.pos} WHERE {self.pos} < 0")
            new_id = uuid.uuid4()
            cur.execute(
                f"INSERT INTO {self.events} ({self.pos}, originator_id, originator_version, topic, state) "
                "VALUES (%s, %s, %s, %s, %s)",
                (position, new_id.hex if self.sqlite else new_id, 1, topic, bytes(state)),
            )

    def insert_at(self, position: int) -> None:
        """A fabricated event at a free position (a gap PostgreSQL's sequence left)."""
        _, _, topic, state = self.row(self.positions()[0])
        new_id = uuid.uuid4()
        self.execute(
            "INSERT INTO {events} ({pos}, originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s, %s)",
            (position, new_id.hex if self.sqlite else new_id, 1, topic, bytes(state)),
        )

    def skip_position(self) -> None:
        """Consume one value of PostgreSQL's notification sequence: a gap, as a refused insert leaves."""
        assert not self.sqlite
        self.execute(f"SELECT nextval(pg_get_serial_sequence('{self.events}', 'notification_id'))")

    def rewrite_tree_to_match(self) -> None:
        """The thorough attacker: the transparency tables rebuilt over the tampered records."""
        from projections.transparency.store import TransparencyLog

        TransparencyLog(self.registry).rebuild()


class _SQLiteCursor:
    """sqlite3 with the `%s` placeholders psycopg uses, so statements are written once."""

    def __init__(self, cursor: sqlite3.Cursor):
        self.cursor = cursor

    @property
    def description(self) -> Any:
        return self.cursor.description

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(statement.replace("%s", "?"), tuple(params))

    def fetchall(self) -> list[Any]:
        return self.cursor.fetchall()
