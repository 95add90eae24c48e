"""The key table of sealed personal data, beside the events: SQLite file or PostgreSQL schema.

One row per person: `subject_id`, the 256-bit `key` (NULL once erased), `created_at`,
`erased_at`. A new key is stored, and an erased one destroyed, in the very transaction of the
events that need it or erase it (`write_changes`, a step of ops/unit_of_work.py): never an event
without its key, never an erasure without its event. `personal_key_erasures` counts erasures:
every process compares it with what it saw last (`refresh`) before it answers a request, so an
erasure by any process is seen by all from their next request.

Destroying a key must leave no copy the store can give back: SQLite runs with
`secure_delete` (freed space is zeroed) and truncates its write-ahead log after an erasure;
PostgreSQL rewrites the small key table (`VACUUM FULL`) so no dead row version keeps the key.
Backups and PostgreSQL's WAL archive keep it until they expire: that is the retention policy's
business, and `docs/PERSONAL_DATA.md` says so.
"""

from __future__ import annotations

import mmap
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from eventsourcing.persistence import IntegrityError

from ops.storage import StoreLocation, postgres_connect_kwargs
from projections.transaction import Tx
from registry.sealing import (
    KEY_BYTES,
    ErasedSubject,
    KeyChanges,
    KeyTableReads,
    MemoryPersonalKeys,
    PersonalKeyMissing,
    PersonalKeys,
)

TABLE = "personal_keys"
ERASURES = "personal_key_erasures"

#: The two tables (`{keys}`, `{erasures}` in SQL), by dialect.
_DDL = {
    "sqlite": [
        "CREATE TABLE IF NOT EXISTS {keys} (subject_id TEXT PRIMARY KEY, key BLOB, created_at TEXT NOT NULL, "
        "erased_at TEXT)",
        "CREATE TABLE IF NOT EXISTS {erasures} (id INTEGER PRIMARY KEY CHECK (id = 1), erasures INTEGER NOT NULL)",
        "INSERT INTO {erasures} VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    ],
    "postgres": [
        "CREATE TABLE IF NOT EXISTS {keys} (subject_id TEXT PRIMARY KEY, key BYTEA, created_at TEXT NOT NULL, "
        "erased_at TEXT)",
        "CREATE TABLE IF NOT EXISTS {erasures} (id INTEGER PRIMARY KEY CHECK (id = 1), erasures BIGINT NOT NULL)",
        "INSERT INTO {erasures} VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    ],
}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


#: Misses answered one key at a time before the whole table is read at once: a page decodes a
#: few people (reading a region's 170,000 keys for them took most of a second), a rebuild or a
#: replay decodes everyone (one read of all beats a query each).
MISSES_BEFORE_ALL = 256


class _CachedKeys(KeyTableReads):
    """Keys read once and kept; one at a time at first, the whole table once many were missed."""

    def __init__(self) -> None:
        self._cache: dict[UUID, bytes | None] = {}
        self._loaded_all = False
        self._misses = 0
        self._lock = threading.RLock()
        self._claims: dict[UUID, int] = {}  # provisional keys: units that will store them
        self._erasures: int | None = None  # the erasure counter as last seen

    #: the tables' names in SQL (`{keys}`, `{erasures}`), as the events' transaction sees them
    names = {"keys": TABLE, "erasures": ERASURES}

    # -- what a store provides ---------------------------------------------------------------
    def _transaction(self, *, write: bool, durable: bool = False) -> Any:
        """A transaction on the store's own connection (a context giving a `Tx`); `durable`: an
        erasure, on disk when it commits."""
        raise NotImplementedError

    def _scrub(self) -> None:
        """Leave no copy of a destroyed key the store could give back."""
        raise NotImplementedError

    # -- the key table, the same SQL on both stores ---------------------------------------------
    def _create_tables(self, dialect: str) -> None:
        with self._transaction(write=True) as tx:
            for statement in _DDL[dialect]:
                tx.execute(statement)
        self._erasures = self._read_erasures()

    def _read_erasures(self) -> int:
        with self._transaction(write=False) as tx:
            row = tx.one("SELECT erasures FROM {erasures} WHERE id = 1")
        assert row is not None
        return int(row[0])

    def _select_erased(self) -> list[str]:
        with self._transaction(write=False) as tx:
            return [row[0] for row in tx.rows("SELECT subject_id FROM {keys} WHERE key IS NULL")]

    def _select_many(self, subjects: list[UUID]) -> dict[UUID, bytes | None]:
        """The stored rows of these subjects (absent ones left out)."""
        with self._transaction(write=False) as tx:
            stored = _stored_keys(tx, [str(s) for s in subjects])
        return {UUID(subject): key for subject, key in stored.items()}

    def _select_all(self) -> Iterator[tuple[str, bytes | None]]:
        with self._transaction(write=False) as tx:
            rows = tx.rows("SELECT subject_id, key FROM {keys}")
        for subject, key in rows:
            yield subject, None if key is None else bytes(key)

    def _insert(self, rows: list[tuple[str, bytes | None, str, str | None]]) -> None:
        with self._transaction(write=True) as tx:
            tx.many("INSERT INTO {keys} VALUES (%s, %s, %s, %s) ON CONFLICT (subject_id) DO NOTHING", rows)

    def _tombstone(self, subject: UUID) -> int:
        with self._transaction(write=True, durable=True) as tx:
            return _destroy_keys(tx, [subject])

    # -- PersonalKeys -------------------------------------------------------------------------
    def key_for(self, subject: UUID) -> bytes | None:
        with self._lock:
            if subject in self._cache:
                return self._cache[subject]
            self._misses += 1
            if not self._loaded_all and self._misses > MISSES_BEFORE_ALL:
                self._cache.update((UUID(s), k) for s, k in self._select_all())
                self._loaded_all = True
            else:
                self._cache.update(self._select_many([subject]))
            if subject not in self._cache:
                raise PersonalKeyMissing(subject)
            return self._cache[subject]

    def ensure(self, subject: UUID) -> bytes:
        self.ensure_many([subject])
        key = self._cache[subject]
        if key is None:
            raise ErasedSubject(subject)
        return key

    def ensure_many(self, subjects: Iterable[UUID]) -> None:
        with self._lock:
            unknown = [s for s in dict.fromkeys(subjects) if s not in self._cache]
            if not unknown:
                return
            self._cache.update(self._select_many(unknown))
            missing = [s for s in unknown if s not in self._cache]
            if not missing:
                return
            self._insert([(str(s), AESGCM.generate_key(KEY_BYTES * 8), _now(), None) for s in missing])
            # Another process may have won an insert: keep what is stored, not what was offered.
            stored = self._select_many(missing)
            assert len(stored) == len(missing)
            self._cache.update(stored)

    def prepare(self, subjects: Iterable[UUID]) -> dict[UUID, bytes]:
        """Keys to seal these subjects' data with; those not stored yet are returned (provisional),
        to be stored by `write_changes` in the events' own transaction."""
        with self._lock:
            wanted = list(dict.fromkeys(subjects))
            unknown = [s for s in wanted if s not in self._cache]
            if unknown:
                self._cache.update(self._select_many(unknown))
            new = {s: AESGCM.generate_key(KEY_BYTES * 8) for s in unknown if s not in self._cache}
            self._cache.update(new)
            # Another unit of this process is storing the same person's key: store the same one.
            new.update((s, self._cache[s]) for s in wanted if s in self._claims and s not in new)  # type: ignore[misc]
            for subject in new:
                self._claims[subject] = self._claims.get(subject, 0) + 1
            return new

    def write_changes(self, events_tx: Tx, records: Any, changes: KeyChanges | None) -> None:
        """In the events' transaction: store the unit's new keys, destroy the ones it erases."""
        if changes is None:
            return
        tx = events_tx.named(self.names)
        if changes.new:
            rows = [(str(s), k, _now(), None) for s, k in changes.new.items()]
            tx.many("INSERT INTO {keys} VALUES (%s, %s, %s, %s) ON CONFLICT (subject_id) DO NOTHING", rows)
            stored = _stored_keys(tx, [str(s) for s in changes.new])
            for subject, key in changes.new.items():
                if stored.get(str(subject)) != key:
                    # Stored meanwhile by another process: these events were sealed with another key.
                    raise IntegrityError(f"personal key of {subject} stored concurrently")
        if changes.erased and tx.dialect == "sqlite":
            tx.execute("PRAGMA secure_delete = ON")  # the destroyed key's bytes are zeroed, not freed
        if changes.erased:
            _destroy_keys(tx, changes.erased)

    def settle(self, changes: KeyChanges, *, committed: bool) -> None:
        """After the events' transaction: keep or drop the provisional keys; scrub destroyed ones."""
        with self._lock:
            for subject in changes.new:
                left = self._claims.get(subject, 1) - 1
                if left > 0:
                    self._claims[subject] = left
                    continue
                self._claims.pop(subject, None)
                if not committed:
                    self._cache.pop(subject, None)
            if committed and changes.erased:
                for subject in changes.erased:
                    self._cache[subject] = None
                self._scrub()

    def refresh(self) -> bool:
        """Compare the erasure counter with the last one seen; if another process erased someone
        since, forget every destroyed key now. True if something was erased since the last look."""
        with self._lock:
            erasures = self._read_erasures()
            if self._erasures is None or erasures == self._erasures:
                self._erasures = erasures
                return False
            for subject in self._select_erased():
                self._cache[UUID(subject)] = None
            self._erasures = erasures
            return True

    def destroy(self, subject: UUID) -> bool:
        with self._lock:
            destroyed = self._tombstone(subject) > 0
            self._cache[subject] = None
            self._scrub()
            return destroyed

    def forget(self, subject: UUID) -> None:
        """Drop the cached key: another process may have destroyed it."""
        with self._lock:
            self._cache.pop(subject, None)

    def entries(self) -> Iterator[tuple[UUID, bytes | None]]:
        with self._lock:
            rows = list(self._select_all())
        for subject, key in sorted(rows):
            yield UUID(subject), key

    def load(self, entries: Iterable[tuple[UUID, bytes | None]]) -> int:
        rows = [(str(s), k, _now(), None if k is not None else _now()) for s, k in entries]
        with self._lock:
            before = sum(1 for _ in self._select_all())
            for start in range(0, len(rows), 1000):
                self._insert(rows[start : start + 1000])
            self._loaded_all = False
            self._cache.clear()
            return sum(1 for _ in self._select_all()) - before


def _stored_keys(tx: Tx, subjects: list[str]) -> dict[str, bytes | None]:
    """The stored keys of these subjects (absent ones left out), SQL naming the table `{keys}`."""
    if tx.dialect == "postgres":
        rows = tx.rows("SELECT subject_id, key FROM {keys} WHERE subject_id = ANY(%s)", (subjects,))
    else:
        rows = []
        for start in range(0, len(subjects), 500):  # SQLite's bound on parameters per statement
            chunk = subjects[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            rows += tx.rows(f"SELECT subject_id, key FROM {{keys}} WHERE subject_id IN ({marks})", chunk)
    return {subject: None if key is None else bytes(key) for subject, key in rows}


def _destroy_keys(tx: Tx, subjects: Iterable[UUID]) -> int:
    """Destroy these people's keys (a tombstone row for one never stored) and count the erasures;
    how many stored keys were destroyed."""
    destroyed = erased = 0
    for subject in subjects:
        tx.execute(
            "UPDATE {keys} SET key = NULL, erased_at = %s WHERE subject_id = %s AND key IS NOT NULL",
            (_now(), str(subject)),
        )
        destroyed += max(tx.changed, 0)
        tx.execute(
            "INSERT INTO {keys} VALUES (%s, NULL, %s, %s) ON CONFLICT (subject_id) DO NOTHING",
            (str(subject), _now(), _now()),
        )
        erased += 1
    tx.execute("UPDATE {erasures} SET erasures = erasures + %s WHERE id = 1", (erased,))
    return destroyed


class SQLitePersonalKeys(_CachedKeys):
    """The key table in the SQLite file of the events.

    `refresh` runs before every request, on the server's event loop. Reading the counter is a
    few microseconds of SQLite, but SQLite runs without the GIL, and taking it back behind the
    thread pool's busy threads kept the event loop waiting (a tenth of the public server's
    samples). So it first looks whether anything at all was committed to the file since the last
    look, without calling SQLite: the write-ahead log's index (the `-shm` file every connection
    to the file maps; https://sqlite.org/walformat.html, "The WAL-Index Header") begins with a
    header every commit of any connection, in any process, rewrites before the commit returns
    (its change counter, last frame, checksums). The header unchanged: nothing was committed,
    so no erasure either. Changed (any write, or a header read while it is being written): the
    counter is read as before. Without a write-ahead log or its index file, every look reads it.
    """

    #: the first copy of the WAL-index header, which a commit writes last
    _HEADER = 48

    def __init__(self, path: str) -> None:
        super().__init__()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=10, isolation_level=None)
        self._db.execute("PRAGMA secure_delete = ON")
        # A new key need not reach the disk on its own: the write-ahead log is replayed in order,
        # so the events' own durable commit, later in the same log, makes the key durable too.
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._create_tables("sqlite")
        self._index = self._map_wal_index(path)
        self._header_seen: bytes | None = None

    def _map_wal_index(self, path: str) -> mmap.mmap | None:
        """The file's WAL index, mapped read-only, if it has one (this connection, open for the
        process's life, keeps it in place: SQLite removes it only when the last one closes)."""
        try:
            if str(self._db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                return None
            with open(f"{path}-shm", "rb") as index:
                if os.fstat(index.fileno()).st_size < self._HEADER:
                    return None
                return mmap.mmap(index.fileno(), self._HEADER, access=mmap.ACCESS_READ)
        except (OSError, ValueError, sqlite3.Error):
            return None

    def refresh(self) -> bool:
        with self._lock:
            if self._index is not None:
                header = self._index[: self._HEADER]
                if header == self._header_seen:
                    return False  # nothing committed to the file since the last look
                self._header_seen = header  # taken before the counter: a later commit changes it
            return super().refresh()

    @contextmanager
    def _transaction(self, *, write: bool, durable: bool = False) -> Iterator[Tx]:
        # `durable` needs nothing more: an erasure's scrub checkpoints the write-ahead log.
        cursor = self._db.cursor()
        if not write:
            yield Tx(cursor, "sqlite", names=self.names)  # autocommit: each read on its own
            return
        with self._db:
            cursor.execute("BEGIN IMMEDIATE")
            yield Tx(cursor, "sqlite", names=self.names)

    def _scrub(self) -> None:
        # The old page with the key may sit in the write-ahead log until a checkpoint copies
        # the zeroed page over it; truncating the log removes that copy (best effort if busy).
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        self._db.close()


class PostgresPersonalKeys(_CachedKeys):
    """The key table in the PostgreSQL schema of the events."""

    def __init__(self, location: StoreLocation) -> None:
        import psycopg
        from psycopg import sql

        super().__init__()
        self._conn = psycopg.connect(**postgres_connect_kwargs(location), autocommit=True)
        # As on SQLite: the events' synchronous commit flushes the WAL up to and past the key.
        self._conn.execute("SET synchronous_commit = off")
        schema = (location.schema,) if location.schema else ()
        self.names = {
            "keys": sql.Identifier(*schema, TABLE).as_string(self._conn),
            "erasures": sql.Identifier(*schema, ERASURES).as_string(self._conn),
        }
        self._create_tables("postgres")

    @contextmanager
    def _transaction(self, *, write: bool, durable: bool = False) -> Iterator[Tx]:
        if not write:
            with self._conn.cursor() as cursor:  # autocommit: each read on its own
                yield Tx(cursor, "postgres", names=self.names)
            return
        with self._conn.transaction(), self._conn.cursor() as cursor:
            if durable:
                cursor.execute("SET LOCAL synchronous_commit = on")  # an erasure is durable at once
            yield Tx(cursor, "postgres", names=self.names)

    def _scrub(self) -> None:
        # A plain VACUUM frees the dead row version but may leave its bytes in the page.
        self._conn.execute(f"VACUUM FULL {self.names['keys']}")

    def close(self) -> None:
        self._conn.close()


def personal_keys_for(location: StoreLocation) -> PersonalKeys:
    """The key table of the store at `location` (kept in memory for an in-memory SQLite)."""
    if location.kind == "sqlite":
        assert location.sqlite_path is not None
        if ":memory:" in location.sqlite_path:
            return MemoryPersonalKeys()
        return SQLitePersonalKeys(location.sqlite_path)
    return PostgresPersonalKeys(location)
