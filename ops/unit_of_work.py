"""The one adapter between the registry's unit of work and the library's recorders.

`Registry.save_events` hands the library the events of one unit of work (one command or a
batch) with a `KeyChanges` (`unit=`): the personal keys its events were sealed with and the
people it erases. The library's recorders insert the events in one transaction; the recorders
here run, in that same transaction and on its cursor, the steps the composition root
(ops/bootstrap.py) gave them:

* the key table's rows: new keys stored, erased keys destroyed (`ops.personal_keys`);
* the transparency log's leaves, nodes and head for the new positions
  (`projections.transparency.store.TransparencyLog.append_in`).

So the events, their command record (an event too), their keys and their leaves commit together
or not at all. The recorders are the library's own (eventsourcing 9.5.6) with one hook each:

* SQLite: `_insert_events(cursor, stored_events)` runs inside the library's
  `datastore.transaction(commit=True)`; we call the library's and then the steps.
* PostgreSQL: the library's `insert_events` runs its steps in a pipeline and, if one of them
  raises after the insert, still commits the transaction (it only re-raises afterwards), so
  `insert_events` is re-stated here without the pipeline: lock the table and NOTIFY (the
  library's own methods), insert, read the notification ids, then the steps; any error rolls
  back. The insert is the library's statement with its rows sent otherwise: four binary arrays
  (ids, versions, topics, states) unnested in one statement, instead of one array of the
  library's composite type in text, which psycopg escapes field by field (a third of a batch's
  time on PostgreSQL). Same columns, same order, same `RETURNING notification_id`, under the
  same lock: positions still follow commit order.

They are chosen by the library's APPLICATION_RECORDER_TOPIC (ops/storage.eventsourcing_env).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from projections.transaction import Tx
from projections.transparency.leaves import intact_leaf_hash


@dataclass(frozen=True)
class NewRecords:
    """The records one transaction inserts: their log positions and the stored events."""

    positions: Sequence[int]
    stored_events: Sequence[StoredEvent]

    def leaf_hashes(self) -> list[tuple[int, bytes]]:
        """(position, leaf hash) of each, as `projections.transparency.leaves` defines the leaf."""
        return [
            (int(p), intact_leaf_hash(int(p), _originator(s.originator_id), s.originator_version, s.topic, bytes(s.state)))
            for p, s in zip(self.positions, self.stored_events, strict=True)
        ]


#: One step of a unit of work in the events' transaction: the transaction (its SQL with `%s`
#: placeholders on both stores), the new records, the unit.
Step = Callable[[Tx, NewRecords, Any], None]


@dataclass
class Steps:
    """What runs in every events' transaction of one recorder, in order (set by ops/bootstrap.py)."""

    steps: list[Step] = field(default_factory=list)

    def run(self, tx: Tx, ids: Sequence[int], stored_events: Sequence[StoredEvent], unit: Any) -> None:
        records = NewRecords(ids, stored_events)
        for step in self.steps:
            step(tx, records, unit)


def _originator(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


#: Ids per look-up statement (SQLite's bound parameters are limited).
_LOOKUP_CHUNK = 500


def _chunked(ids: Sequence[UUID]) -> list[Sequence[UUID]]:
    return [ids[at:at + _LOOKUP_CHUNK] for at in range(0, len(ids), _LOOKUP_CHUNK)]


class SQLiteUnitRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder; its events' transaction also runs the unit's steps."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit_steps = Steps()

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        first = kwargs.get("first_position")
        if first is not None and stored_events:
            # A restore continuing after a gap in the exported log: the first event takes its rowid.
            head = stored_events[0]
            c.execute(
                f"INSERT INTO {self.events_table_name} "
                "(rowid, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
                (first, _originator(head.originator_id).hex, head.originator_version, head.topic, head.state),
            )
            ids = [first, *(super()._insert_events(c, stored_events[1:]) or [])]
        else:
            ids = list(super()._insert_events(c, stored_events) or [])
        self.unit_steps.run(Tx(c, "sqlite"), ids, stored_events, kwargs.get("unit"))
        return ids

    def recorded_originators(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these aggregates have events, a statement per 500 (not a read each)."""
        found: set[UUID] = set()
        for chunk in _chunked(originator_ids):
            with self.datastore.transaction(commit=False) as c:
                c.execute(
                    f"SELECT DISTINCT originator_id FROM {self.events_table_name} "
                    f"WHERE originator_id IN ({', '.join('?' * len(chunk))})",
                    [_originator(i).hex for i in chunk],
                )
                found.update(UUID(row[0]) for row in c.fetchall())
        return found


class PostgresUnitRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder; its events' transaction also runs the unit's steps."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit_steps = Steps()
        id_type = self.datastore.originator_id_type  # "uuid" or "text", as the library made the table
        self.insert_arrays_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name),
                 id_type=Identifier(id_type))
        self._id_of = _originator if id_type == "uuid" else str

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn, conn.transaction():
            ids: Sequence[int] = []
            if stored_events:
                with conn.cursor() as curs:
                    # The library's own: lock the table (insert order = commit order), NOTIFY.
                    self._lock_table(curs)
                    self._notify_channel(curs)
                with conn.cursor(row_factory=tuple_row) as curs:
                    ids = self._insert_arrays(curs, stored_events)
            with conn.cursor(row_factory=tuple_row) as rows:
                self.unit_steps.run(Tx(rows, "postgres"), ids, stored_events, kwargs.get("unit"))
        return ids

    def _insert_arrays(self, curs: Any, stored_events: Sequence[StoredEvent]) -> list[int]:
        """Insert the events in their order in one statement; their notification ids, in that order."""
        id_of = self._id_of
        curs.execute(self.insert_arrays_statement, (
            [id_of(s.originator_id) for s in stored_events],
            [s.originator_version for s in stored_events],
            [s.topic for s in stored_events],
            [s.state for s in stored_events],
        ))
        ids = [row[0] for row in curs.fetchall()]
        if len(ids) != len(stored_events):
            raise ProgrammingError(f"inserted {len(stored_events)} events, got {len(ids)} notification ids")
        return ids

    def recorded_originators(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these aggregates have events, in one statement (not a read each)."""
        statement = SQL("SELECT DISTINCT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s)").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(statement, ([_originator(i) for i in originator_ids],))
            return {_originator(row[0]) for row in curs.fetchall()}


RECORDER_TOPICS = {
    "sqlite": "ops.unit_of_work:SQLiteUnitRecorder",
    "postgres": "ops.unit_of_work:PostgresUnitRecorder",
}
