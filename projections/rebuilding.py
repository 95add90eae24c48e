"""A rebuild from position 0 through a private scratch database, loaded into the store at once.

Applied straight into the store, a rebuild paid per statement what it need not: on PostgreSQL a
network round trip for each of the ~2 statements per event, on SQLite a durable commit per batch
and the library's cursor wrapping, and on both the public card of a mentor re-derived on every
event of that mentor. Yet a rebuild's tables are invisible until the swap and a crashed rebuild
starts again from 0, so nothing of it needs to be durable or shared while it runs. So:

1. the log is read straight from the recorder's table in windows of positions, and only the
   events whose topic has a stage-0 applier are fetched and decoded (`projections.decoding`),
   by a reading thread one window ahead of the applying one;
2. the stage-0 appliers, unchanged, write into a scratch SQLite database (a temporary file with
   no journal and no fsync, thrown away at the end; its pages mostly stay in the OS cache);
3. the derived tables (the public page) are computed once from the scratch's final staff views
   (`public.backfill`): the DERIVED appliers keep them a function of those views at every
   position, so this is what applying them event by event would have left;
4. the store loads the scratch tables into fresh build tables and swaps them in with the
   position reached, all in ONE transaction (`install_build`): on SQLite one INSERT … SELECT per
   table from the attached scratch file, on PostgreSQL COPY, primary keys added after the load.

Readers see the old views until that transaction commits; events recorded meanwhile are applied
after it by the live projector, which carries on from the position the build reached.
"""

from __future__ import annotations

import gc
import os
import queue
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple, TypeVar
from uuid import UUID

import structlog
from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from projections.appliers import APPLIERS  # noqa: F401  (importing it registers every applier)
from projections.appliers.base import BASE_APPLIERS
from projections.decoding import UUID_CACHE_SIZE, fast_mapper
from projections.schema import TABLES, create_table_statements
from projections.store import SCRATCH_SCHEMA, Tx, ViewStore, table_columns
from projections.transaction import storable_row

#: Log positions read (and applied to the scratch) per round: many, as nothing is committed to
#: the store per round; memory stays bounded by a few rounds of events.
REBUILD_BATCH_SIZE = 5000

#: Positions of the first window read (they double up to the batch size).
FIRST_WINDOW = 500

#: Rows handed to the PostgreSQL COPY per fetch from the scratch.
LOAD_CHUNK = 5000

_PREFIX = "s_"  # the scratch's tables

log = structlog.get_logger("reestr.projections")

T = TypeVar("T")


@contextmanager
def scratch_views() -> Iterator[tuple[str, sqlite3.Connection, Tx]]:
    """A private SQLite file with the view tables (no secondary indexes: the appliers look rows
    up by primary key only), deleted on exit."""
    handle, path = tempfile.mkstemp(prefix="reestr-rebuild-", suffix=".sqlite3")
    os.close(handle)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        # Safe only because the file is private and thrown away: a crash restarts from 0.
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "temp_store = MEMORY",
            "cache_size = -131072",  # 128 MiB of pages in the process, the rest ...
            "mmap_size = 4294967296",  # ... read from the OS cache without a syscall per page
        ):
            conn.execute(f"PRAGMA {pragma}")
        for statement in create_table_statements(_PREFIX, "sqlite"):
            conn.execute(statement)
        yield path, conn, Tx(conn.cursor(), "sqlite", _PREFIX)
    finally:
        conn.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                os.unlink(path + suffix)
            except FileNotFoundError:
                pass


class Stored(NamedTuple):
    """A stored event as the mapper reads it (a tuple: the library's frozen Notification costs
    more to make than the rest of reading a record)."""

    id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


def read_batches(recorder: Any, batch_size: int) -> Iterator[tuple[int, list[Stored]]]:
    """(position read up to, the events up to it that have a stage-0 applier), in log order.

    Straight from the recorder's table, but only the records whose topic has an applier (the
    database skips the load bookkeeping and command records, half of a log), a window of
    `batch_size` positions at a time up to the head read before it; the head is read again
    when reached, for events recorded meanwhile. A window of ids, not a LIMIT: with the topic
    filter a LIMIT lets PostgreSQL's planner sort the whole rest of the log for every batch.
    Ids are assigned in commit order (SQLite has one writer, the library locks the PostgreSQL
    table to insert), so nothing at or below a head read can appear later.
    """
    topics = sorted(BASE_APPLIERS)
    uuids: dict[str, UUID] = {}
    position, head = 0, recorder.max_notification_id() or 0
    # The first windows are small and grow: the applier waits for the first one, not the rest.
    window = min(batch_size, FIRST_WINDOW)
    while position < head:
        upto = min(position + window, head)
        window = min(window * 2, batch_size)
        yield upto, read_window(recorder, position, upto, topics, uuids)
        position = upto
        if position == head:
            head = recorder.max_notification_id() or 0


def read_window(
    recorder: Any, after: int, upto: int, topics: list[str], uuids: dict[str, UUID]
) -> list[Stored]:
    """The events at positions `after` < id <= `upto` whose topic is one of `topics`, in log
    order (`uuids`: the ids already made from SQLite's text form, shared between windows)."""
    stored = []
    for notification_id, originator_id, version, topic, state in _select(recorder, after, upto, topics):
        if not isinstance(originator_id, UUID):  # SQLite stores the text form
            found = uuids.get(originator_id)
            if found is None:
                if len(uuids) >= UUID_CACHE_SIZE:
                    uuids.clear()
                found = uuids[originator_id] = UUID(originator_id)
            originator_id = found
        stored.append(Stored(notification_id, originator_id, version, topic, bytes(state)))
    return stored


def prefetched(batches: Iterator[T], depth: int = 2) -> Iterator[T]:
    """The batches, read ahead by a thread: the database's side of a read (SQLite's C code,
    PostgreSQL's server and network) runs while this thread decodes and applies the previous
    batch, instead of after it."""
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: tuple[str, Any]) -> bool:
        """Queue the item unless the consumer has gone (then the reader must not block)."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not offer(("batch", batch)):
                    return
            offer(("end", None))
        except BaseException as error:  # noqa: BLE001  (handed to the consumer, raised there)
            offer(("error", error))

    reader = threading.Thread(target=produce, name="reestr-rebuild-reader", daemon=True)
    reader.start()
    try:
        while True:
            kind, item = ready.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


def _select(recorder: Any, after: int, upto: int, topics: list[str]) -> list[Any]:
    columns = "originator_id, originator_version, topic, state"
    table = recorder.events_table_name
    with recorder.datastore.transaction(commit=False) as cursor:
        if isinstance(recorder.datastore, PostgresDatastore):
            query = SQL(
                f"SELECT notification_id, {columns} FROM {{}}.{{}} WHERE notification_id > %s "
                "AND notification_id <= %s AND topic = ANY(%s) ORDER BY notification_id"
            ).format(Identifier(recorder.datastore.schema), Identifier(table))
            rows = cursor.connection.cursor(row_factory=tuple_row)
            rows.execute(query, (after, upto, topics))
            return rows.fetchall()
        marks = ", ".join("?" * len(topics))
        cursor.execute(
            f"SELECT rowid, {columns} FROM {table} WHERE rowid > ? AND rowid <= ? "
            f"AND topic IN ({marks}) ORDER BY rowid",
            (after, upto, *topics),
        )
        return cursor.fetchall()


def project_into_scratch(
    registry: Any,
    conn: sqlite3.Connection,
    tx: Tx,
    *,
    batch_size: int,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Apply the whole log's stage-0 appliers to the scratch; the last position read."""
    recorder = registry.recorder
    to_event = fast_mapper(registry.mapper).to_domain_event
    appliers = BASE_APPLIERS
    position = 0
    aim = (recorder.max_notification_id() or 0) if progress else 0
    for position, notifications in prefetched(read_batches(recorder, batch_size)):
        work = [(appliers[n.topic], to_event(n)) for n in notifications]
        conn.execute("BEGIN")
        for applier, event in work:
            applier(tx, event)
        conn.execute("COMMIT")
        if progress:
            aim = max(aim, position)
            progress(position, aim)
    # The derived tables, once, from the final staff views (imported here: it imports the store).
    from projections.appliers.public import backfill

    conn.execute("BEGIN")
    backfill(tx)
    conn.execute("COMMIT")
    return position


def fill_from(conn: sqlite3.Connection, dialect: str) -> Callable[[Tx], None]:
    """What loads the scratch's rows into the store's build tables, in the store's transaction
    (on SQLite the scratch file is attached to it as SCRATCH_SCHEMA)."""

    def fill(tx: Tx) -> None:
        for name, (_, key) in TABLES.items():
            columns = ", ".join(table_columns(name))
            table = f"{tx.prefix}{name}"
            # In key order: the target's key index (or its later build) gets sorted input.
            select = f"SELECT {columns} FROM {{}}{_PREFIX}{name} ORDER BY {key}"
            if dialect == "postgres":
                rows = conn.execute(select.format(""))
                with tx.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    while chunk := rows.fetchmany(LOAD_CHUNK):
                        for row in chunk:
                            copy.write_row(storable_row(row))
            else:
                source = select.format(f"{SCRATCH_SCHEMA}.")
                tx.cursor.execute(f"INSERT INTO {table} ({columns}) {source}")

    return fill


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Decoding allocates millions of short-lived, acyclic objects: at the default thresholds
    the cyclic collector runs every 700 allocations and, in a process holding a region's keys
    and ids, 7-10 % of a rebuild went to it. Collections are made rarer, not stopped, and the
    thresholds are given back after (they are process-wide)."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 20_000), max(before[1], 50), max(before[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def rebuild_through_scratch(
    registry: Any,
    store: ViewStore,
    *,
    batch_size: int,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Build every view from position 0 and swap it in; the position the new views reflect."""
    preparing = None
    if store.dialect == "postgres":
        # The server creates the build tables while this process decodes (the install checks
        # they are as prepared, and creates them itself if this failed).
        preparing = threading.Thread(target=_prepare, args=(store,), name="reestr-rebuild-ddl")
        preparing.start()
    try:
        with fewer_collections(), scratch_views() as (path, conn, tx):
            position = project_into_scratch(
                registry, conn, tx, batch_size=batch_size, progress=progress
            )
            if preparing is not None:
                preparing.join()
            return store.install_build(fill_from(conn, store.dialect), position, scratch=path)
    finally:
        if preparing is not None:
            preparing.join()


def _prepare(store: ViewStore) -> None:
    try:
        store.prepare_build()
    except Exception as error:  # noqa: BLE001  (the install creates the tables itself)
        log.warning("rebuild_tables_not_prepared", error=f"{type(error).__name__}: {error}")
