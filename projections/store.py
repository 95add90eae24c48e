"""View stores: the read models' tables and their tracking row, on SQLite and on PostgreSQL.

Both are the library's tracking recorders (`SQLiteTrackingRecorder`, `PostgresTrackingRecorder`)
extended with the view tables, so a batch of view updates and the tracking row
`(application_name, notification_id)` are written in ONE transaction (`_insert_tracking` on the
same cursor). A writer first locks the tracking row and checks that the position is the one its
batch was read from; if another writer moved it, the batch is refused (`StalePosition`) and
re-read, so an event is never applied twice nor skipped, whatever the crash or the race.

By default the views live beside the events: the same SQLite file (table `tracking`, fixed by
the library) or the same PostgreSQL schema (tables `rv_*`, tracking table `rv_tracking`).
`memory_view_store()` gives a throwaway in-memory SQLite store ("as known at a moment").

`read_once` runs one read statement outside any transaction of ours (the public search asks each
question so: on PostgreSQL one round trip).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import structlog
from eventsourcing.persistence import PersistenceError, Tracking
from eventsourcing.postgres import (
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresTrackingRecorder,
)
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteDatastore,
    SQLiteTrackingRecorder,
)
from psycopg.rows import tuple_row

from projections.builds import (  # BUILD_TRACKING re-exported: callers import it from here
    BUILD_TRACKING,  # noqa: F401
    LIVE_TRACKING,
    BuildTables,
)
from projections.figure_marks import FigureMarks, retired_trigger_statements, write_marks
from projections.schema import (
    BUILD_PREFIX,
    DERIVED_TABLES,
    KEPT_BY_READS,
    LIVE_PREFIX,
    RETIRED_TABLES,
    TABLES,
    create_index_statements,
    create_table_statements,
)
from projections.transaction import Tx  # re-exported: the views' readers import it from here

log = structlog.get_logger("reestr.projections")



#: Name under which a rebuild's scratch database is attached to an SQLite store's connection.
SCRATCH_SCHEMA = "reestr_scratch"


class StalePosition(Exception):
    """Another writer moved the views' position since the batch was read: read it again."""


def table_columns(table: str) -> list[str]:
    return [part.strip().split()[0] for part in TABLES[table][0].split(",")]


class ViewStoreMixin(BuildTables):
    """What both stores add to the library's tracking recorder."""

    dialect: str
    tracking_table: str

    # -- implemented per store ---------------------------------------------------------------

    @contextmanager
    def transaction(self, *, write: bool, prefix: str = LIVE_PREFIX) -> Iterator[Tx]:
        raise NotImplementedError
        yield  # pragma: no cover

    def _lock_tracking_row(self, tx: Tx, name: str) -> None:
        raise NotImplementedError

    def read_once(self, sql: str, params: Sequence[Any] = (), *, settings: Sequence[tuple[str, str]] = ()) -> list[tuple[Any, ...]]:
        """The rows of ONE read statement of the live views, outside any transaction of ours:
        a statement sees one snapshot on its own. On PostgreSQL the transaction, the
        search path, `settings` (planner settings for this statement: name, value) and the
        statement go in one pipeline (one round trip); SQLite runs the statement alone."""
        raise NotImplementedError

    def _after_swap(self, tx: Tx) -> None:
        """Store-specific renames after the build tables became the live ones."""

    def _missing_tables(self, tx: Tx, names: Sequence[str]) -> list[str]:
        """Which of these live tables do not exist yet."""
        raise NotImplementedError

    # -- shared ------------------------------------------------------------------------------

    def setup(self) -> None:
        """Create the live tables and indexes and the live tracking row (idempotent).

        Derived tables a store created by an older version lacks are filled here from the views
        it has, in the same transaction: they are a function of those views, at their position.
        """
        with self.transaction(write=True) as tx:
            self._serialize_ddl(tx)
            missing = self._missing_tables(tx, [LIVE_PREFIX + name for name in DERIVED_TABLES])
            for name in RETIRED_TABLES:
                tx.execute(f"DROP TABLE IF EXISTS {LIVE_PREFIX}{name}")
            for statement in create_table_statements(LIVE_PREFIX, self.dialect):
                tx.execute(statement)
            for statement in self.index_statements():
                tx.execute(statement)
            self._ensure_tracking_row(tx, LIVE_TRACKING)
            if missing and self.read_position(tx) > 0:
                # imported here: the appliers import this module
                from projections.appliers.public import backfill

                backfill(tx)
                log.info("derived_views_filled", tables=missing)

    def index_statements(self) -> list[str]:
        """The live tables' secondary indexes on this store (and the per-row marking triggers of
        an older version dropped: the marks are written per transaction now)."""
        return (create_index_statements(LIVE_PREFIX)
                + retired_trigger_statements(LIVE_PREFIX, self.dialect))

    def _serialize_ddl(self, tx: Tx) -> None:
        """Concurrent CREATE TABLE IF NOT EXISTS can collide on PostgreSQL; SQLite serializes."""

    def _create_tables(self) -> None:
        """The library's tracking table, then ours. Two processes starting together on a fresh
        PostgreSQL schema can collide in the library's CREATE TABLE: the loser tries again."""
        for attempt in range(3):
            try:
                self.create_table()  # type: ignore[attr-defined]
                self.setup()
                return
            except PersistenceError:
                if attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))

    def _ensure_tracking_row(self, tx: Tx, name: str) -> None:
        tx.execute(
            f"INSERT INTO {self.tracking_table} (application_name, notification_id) "
            "VALUES (%s, 0) ON CONFLICT (application_name) DO NOTHING",
            (name,),
        )

    def position(self, name: str = LIVE_TRACKING) -> int:
        """The log position the views reflect: the last notification applied (0: none)."""
        return self.max_tracking_id(name) or 0  # type: ignore[attr-defined]

    def read_position(self, tx: Tx, name: str = LIVE_TRACKING) -> int:
        row = tx.one(
            f"SELECT notification_id FROM {self.tracking_table} WHERE application_name = %s",
            (name,),
        )
        return int(row[0]) if row and row[0] is not None else 0

    def claim(self, tx: Tx, name: str, expected: int) -> None:
        """Lock the tracking row for this transaction; refuse if the position moved."""
        self._lock_tracking_row(tx, name)
        current = self.read_position(tx, name)
        if current != expected:
            raise StalePosition(f"views of {name} are at {current}, batch was read at {expected}")

    def advance(self, tx: Tx, name: str, notification_id: int) -> None:
        """Record the batch's last notification in the same transaction (library tracking)."""
        tracking = Tracking(application_name=name, notification_id=notification_id)
        self._insert_tracking(tx.library_cursor, tracking)  # type: ignore[attr-defined]

    # -- inspection ------------------------------------------------------------------------------

    def dump(self, prefix: str = LIVE_PREFIX) -> dict[str, list[tuple[Any, ...]]]:
        """Every view row, in primary-key order (tests compare stores with it); what reads keep
        (`KEPT_BY_READS`) left out."""
        out: dict[str, list[tuple[Any, ...]]] = {}
        with self.transaction(write=False, prefix=prefix) as tx:
            for name, (_, key) in TABLES.items():
                if name in KEPT_BY_READS:
                    continue
                columns = ", ".join(table_columns(name))
                out[name] = tx.rows(f"SELECT {columns} FROM {{p}}{name} ORDER BY {key}")
        return out


class SQLiteViewStore(ViewStoreMixin, SQLiteTrackingRecorder):
    """Views in an SQLite database (by default the registry's own file)."""

    dialect = "sqlite"
    tracking_table = "tracking"  # fixed by the library's SQLiteTrackingRecorder

    def __init__(self, datastore: SQLiteDatastore, *, owns_datastore: bool = False):
        super().__init__(datastore)
        self.owns_datastore = owns_datastore
        self._create_tables()

    @contextmanager
    def transaction(self, *, write: bool, prefix: str = LIVE_PREFIX) -> Iterator[Tx]:
        with self.datastore.transaction(commit=write) as cursor:
            if write:
                # Erased names must not linger in freed pages (some builds do not default to it).
                cursor.execute("PRAGMA secure_delete = ON")
            tx = Tx(cursor, self.dialect, prefix)
            with _marking(tx, write):
                yield tx

    @contextmanager
    def _install_transaction(self, scratch: str | None, prefix: str) -> Iterator[Tx]:
        """A write transaction; with `scratch`, that SQLite file attached (ATTACH is refused
        inside a transaction: it goes on the connection before BEGIN)."""
        if scratch is None:
            with self.transaction(write=True, prefix=prefix) as tx:
                yield tx
            return
        with self.datastore.get_connection(commit=True) as connection:
            connection.cursor().execute(f"ATTACH DATABASE ? AS {SCRATCH_SCHEMA}", (scratch,))
            try:
                with connection.transaction(commit=True) as cursor:
                    yield Tx(cursor, self.dialect, prefix)
            finally:
                connection.cursor().execute(f"DETACH DATABASE {SCRATCH_SCHEMA}")

    def read_once(self, sql: str, params: Sequence[Any] = (), *, settings: Sequence[tuple[str, str]] = ()) -> list[tuple[Any, ...]]:
        with self.datastore.get_connection(commit=False) as connection:
            cursor = connection.cursor()
            try:
                return Tx(cursor, self.dialect, LIVE_PREFIX).rows(sql, params)
            finally:
                cursor.sqlite_cursor.close()

    def _lock_tracking_row(self, tx: Tx, name: str) -> None:
        # A write as the first statement takes SQLite's write lock before any read snapshot.
        tx.execute(
            "UPDATE tracking SET notification_id = notification_id WHERE application_name = %s",
            (name,),
        )

    def _missing_tables(self, tx: Tx, names: Sequence[str]) -> list[str]:
        return [
            name
            for name in names
            if tx.one("SELECT name FROM sqlite_master WHERE type = 'table' AND name = %s", (name,)) is None
        ]

    def close(self) -> None:
        if self.owns_datastore:
            self.datastore.close()


class PostgresViewStore(ViewStoreMixin, PostgresTrackingRecorder):
    """Views in a PostgreSQL schema (by default the registry's own), tables `rv_*`."""

    dialect = "postgres"

    def __init__(self, datastore: PostgresDatastore, *, owns_datastore: bool = False):
        super().__init__(datastore, tracking_table_name="rv_tracking")
        self.tracking_table = "rv_tracking"
        self.owns_datastore = owns_datastore
        self._create_tables()

    @contextmanager
    def transaction(self, *, write: bool, prefix: str = LIVE_PREFIX) -> Iterator[Tx]:
        with self.datastore.transaction(commit=write) as cursor:
            if not write:
                # Every read of a query or report sees one snapshot: rows and position agree.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute(
                "SELECT set_config('search_path', %s, true)",
                (_quote_ident(self.datastore.schema),),
            )
            # Rows as tuples (the library's cursors make dicts, which lose repeated column names).
            rows = cursor.connection.cursor(row_factory=tuple_row)
            tx = Tx(rows, self.dialect, prefix, library_cursor=cursor)
            with _marking(tx, write):
                yield tx

    @contextmanager
    def _install_transaction(self, scratch: str | None, prefix: str) -> Iterator[Tx]:
        with self.transaction(write=True, prefix=prefix) as tx:
            yield tx  # the scratch is read by the caller and COPYed in

    def read_once(self, sql: str, params: Sequence[Any] = (), *, settings: Sequence[tuple[str, str]] = ()) -> list[tuple[Any, ...]]:
        configs = ", ".join(["set_config('search_path', %s, true)"] + ["set_config(%s, %s, true)"] * len(settings))
        with self.datastore.get_connection() as connection, connection.pipeline():
            control = connection.cursor()
            control.execute("BEGIN READ ONLY")
            control.execute(f"SELECT {configs}", [_quote_ident(self.datastore.schema), *(v for s in settings for v in s)])
            rows = connection.cursor(row_factory=tuple_row)
            Tx(rows, self.dialect, LIVE_PREFIX).execute(sql, params)
            control.execute("COMMIT")
        return [tuple(row) for row in rows.fetchall()]

    def _serialize_ddl(self, tx: Tx) -> None:
        tx.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"reestr-views:{self.datastore.schema}",))

    def _lock_tracking_row(self, tx: Tx, name: str) -> None:
        tx.execute(
            f"SELECT notification_id FROM {self.tracking_table} WHERE application_name = %s FOR UPDATE",
            (name,),
        )
        tx.cursor.fetchall()

    def _missing_tables(self, tx: Tx, names: Sequence[str]) -> list[str]:
        return [name for name in names if tx.one("SELECT to_regclass(%s)", (name,)) == (None,)]

    def _after_swap(self, tx: Tx) -> None:
        for name in TABLES:
            tx.execute(
                f"ALTER TABLE {LIVE_PREFIX}{name} "
                f"RENAME CONSTRAINT {BUILD_PREFIX}{name}_pk TO {LIVE_PREFIX}{name}_pk"
            )

    def close(self) -> None:
        if self.owns_datastore:
            self.datastore.close()


ViewStore = SQLiteViewStore | PostgresViewStore


@contextmanager
def _marking(tx: Tx, write: bool) -> Iterator[None]:
    """A live write transaction notes the kept figures' marks as its appliers write
    (`projections.figure_marks`) and writes what is left of them last, before it commits (the
    projector writes a window's marks itself, in its pipeline). Build tables are not marked:
    a rebuild's kept figures start empty."""
    if not write or tx.prefix != LIVE_PREFIX:
        yield
        return
    tx.marks = FigureMarks()
    yield
    if tx.marks:
        with tx.pipeline():
            write_marks(tx)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def open_view_store(registry: Any) -> ViewStore:
    """The views beside the registry's events: same SQLite database or same PostgreSQL schema."""
    recorder = registry.recorder
    if isinstance(recorder, SQLiteApplicationRecorder):
        return SQLiteViewStore(recorder.datastore)
    if isinstance(recorder, PostgresApplicationRecorder):
        return PostgresViewStore(recorder.datastore)
    raise TypeError(f"no view store for recorder {type(recorder).__name__}")


def memory_view_store() -> SQLiteViewStore:
    """A throwaway in-memory view store (its own database, dropped when closed)."""
    name = f"file:reestr-views-{uuid.uuid4().hex}?mode=memory&cache=shared"
    return SQLiteViewStore(SQLiteDatastore(name), owns_datastore=True)
