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

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from eventsourcing.persistence import IntegrityError

from ops.storage import StoreLocation, postgres_connect_kwargs
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

    #: the key table's name in SQL, as the events' transaction sees it (set by each store)
    table_sql = TABLE
    erasures_sql = ERASURES

    # -- what a store provides ---------------------------------------------------------------
    def _select_many(self, subjects: list[UUID]) -> dict[UUID, bytes | None]:
        """The stored rows of these subjects (absent ones left out), in one query per chunk."""
        raise NotImplementedError

    def _select_all(self) -> Iterator[tuple[str, bytes | None]]:
        raise NotImplementedError

    def _insert(self, rows: list[tuple[str, bytes | None, str, str | None]]) -> None:
        raise NotImplementedError

    def _tombstone(self, subject: UUID) -> int:
        raise NotImplementedError

    def _scrub(self) -> None:
        raise NotImplementedError

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

    def write_changes(self, cursor: Any, records: Any, changes: KeyChanges | None) -> None:
        """In the events' transaction: store the unit's new keys, destroy the ones it erases."""
        if changes is None:
            return
        table = self.table_sql
        if changes.new:
            rows = [(str(s), k, _now(), None) for s, k in changes.new.items()]
            cursor.many(
                f"INSERT INTO {table} VALUES (%s, %s, %s, %s) ON CONFLICT (subject_id) DO NOTHING", rows
            )
            subjects = list(changes.new)
            stored: dict[str, Any] = {}
            for start in range(0, len(subjects), 500):
                chunk = [str(s) for s in subjects[start : start + 500]]
                marks = ", ".join(["%s"] * len(chunk))
                stored.update(cursor.rows(f"SELECT subject_id, key FROM {table} WHERE subject_id IN ({marks})", chunk))
            for subject, key in changes.new.items():
                if stored.get(str(subject)) is None or bytes(stored[str(subject)]) != key:
                    # Stored meanwhile by another process: these events were sealed with another key.
                    raise IntegrityError(f"personal key of {subject} stored concurrently")
        if changes.erased and cursor.dialect == "sqlite":
            cursor.execute("PRAGMA secure_delete = ON")  # the destroyed key's bytes are zeroed, not freed
        for subject in changes.erased:
            cursor.execute(
                f"UPDATE {table} SET key = NULL, erased_at = %s WHERE subject_id = %s AND key IS NOT NULL",
                (_now(), str(subject)),
            )
            cursor.execute(
                f"INSERT INTO {table} VALUES (%s, NULL, %s, %s) ON CONFLICT (subject_id) DO NOTHING",
                (str(subject), _now(), _now()),
            )
        if changes.erased:
            cursor.execute(f"UPDATE {self.erasures_sql} SET erasures = erasures + %s WHERE id = 1", (len(changes.erased),))

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

    def _read_erasures(self) -> int:
        raise NotImplementedError

    def _select_erased(self) -> list[str]:
        raise NotImplementedError

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


class SQLitePersonalKeys(_CachedKeys):
    """The key table in the SQLite file of the events."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=10, isolation_level=None)
        self._db.execute("PRAGMA secure_delete = ON")
        # A new key need not reach the disk on its own: the write-ahead log is replayed in order,
        # so the events' own durable commit, later in the same log, makes the key durable too.
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (subject_id TEXT PRIMARY KEY, key BLOB, "
            "created_at TEXT NOT NULL, erased_at TEXT)"
        )
        self._db.execute(
            f"CREATE TABLE IF NOT EXISTS {ERASURES} (id INTEGER PRIMARY KEY CHECK (id = 1), erasures INTEGER NOT NULL)"
        )
        self._db.execute(f"INSERT INTO {ERASURES} VALUES (1, 0) ON CONFLICT (id) DO NOTHING")
        self._erasures = self._read_erasures()

    def _read_erasures(self) -> int:
        return int(self._db.execute(f"SELECT erasures FROM {ERASURES} WHERE id = 1").fetchone()[0])

    def _select_erased(self) -> list[str]:
        return [row[0] for row in self._db.execute(f"SELECT subject_id FROM {TABLE} WHERE key IS NULL")]

    def _select_many(self, subjects: list[UUID]) -> dict[UUID, bytes | None]:
        found: dict[UUID, bytes | None] = {}
        for start in range(0, len(subjects), 500):  # SQLite's bound on parameters per statement
            chunk = [str(s) for s in subjects[start : start + 500]]
            marks = ", ".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT subject_id, key FROM {TABLE} WHERE subject_id IN ({marks})", chunk)
            found.update((UUID(subject), key) for subject, key in rows)
        return found

    def _select_all(self) -> Iterator[tuple[str, bytes | None]]:
        yield from self._db.execute(f"SELECT subject_id, key FROM {TABLE}").fetchall()

    def _insert(self, rows: list[tuple[str, bytes | None, str, str | None]]) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(f"INSERT OR IGNORE INTO {TABLE} VALUES (?, ?, ?, ?)", rows)

    def _tombstone(self, subject: UUID) -> int:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            changed = self._db.execute(
                f"UPDATE {TABLE} SET key = NULL, erased_at = ? WHERE subject_id = ? AND key IS NOT NULL",
                (_now(), str(subject)),
            ).rowcount
            self._db.execute(
                f"INSERT OR IGNORE INTO {TABLE} VALUES (?, NULL, ?, ?)", (str(subject), _now(), _now())
            )
            self._db.execute(f"UPDATE {ERASURES} SET erasures = erasures + 1 WHERE id = 1")
        return changed

    def _scrub(self) -> None:
        # The old page with the key may sit in the write-ahead log until a checkpoint copies
        # the zeroed page over it; truncating the log removes that copy (best effort if busy).
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
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
        self._table = (
            sql.Identifier(location.schema, TABLE) if location.schema else sql.Identifier(TABLE)
        )
        self._sql = sql
        self._conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (subject_id TEXT PRIMARY KEY, key BYTEA, "
                "created_at TEXT NOT NULL, erased_at TEXT)"
            ).format(self._table)
        )
        self._erasures_table = (
            sql.Identifier(location.schema, ERASURES) if location.schema else sql.Identifier(ERASURES)
        )
        self._conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (id INTEGER PRIMARY KEY CHECK (id = 1), erasures BIGINT NOT NULL)"
            ).format(self._erasures_table)
        )
        self._conn.execute(
            sql.SQL("INSERT INTO {} VALUES (1, 0) ON CONFLICT (id) DO NOTHING").format(self._erasures_table)
        )
        self.table_sql = self._table.as_string(self._conn)
        self.erasures_sql = self._erasures_table.as_string(self._conn)
        self._erasures = self._read_erasures()

    def _read_erasures(self) -> int:
        row = self._conn.execute(self._sql.SQL("SELECT erasures FROM {} WHERE id = 1").format(self._erasures_table))
        return int(row.fetchone()[0])  # type: ignore[index]

    def _select_erased(self) -> list[str]:
        return [row[0] for row in self._conn.execute(self._q("SELECT subject_id FROM {} WHERE key IS NULL"))]

    def _q(self, text: str) -> object:
        return self._sql.SQL(text).format(self._table)

    def _select_many(self, subjects: list[UUID]) -> dict[UUID, bytes | None]:
        rows = self._conn.execute(
            self._q("SELECT subject_id, key FROM {} WHERE subject_id = ANY(%s)"), ([str(s) for s in subjects],)
        ).fetchall()
        return {UUID(subject): bytes(key) if key is not None else None for subject, key in rows}

    def _select_all(self) -> Iterator[tuple[str, bytes | None]]:
        for subject, key in self._conn.execute(self._q("SELECT subject_id, key FROM {}")).fetchall():
            yield subject, bytes(key) if key is not None else None

    def _insert(self, rows: list[tuple[str, bytes | None, str, str | None]]) -> None:
        with self._conn.transaction(), self._conn.cursor() as cursor:
            cursor.executemany(
                self._q("INSERT INTO {} VALUES (%s, %s, %s, %s) ON CONFLICT (subject_id) DO NOTHING"), rows
            )

    def _tombstone(self, subject: UUID) -> int:
        with self._conn.transaction():
            self._conn.execute("SET LOCAL synchronous_commit = on")  # an erasure is durable at once
            changed = self._conn.execute(
                self._q("UPDATE {} SET key = NULL, erased_at = %s WHERE subject_id = %s AND key IS NOT NULL"),
                (_now(), str(subject)),
            ).rowcount
            self._conn.execute(
                self._q("INSERT INTO {} VALUES (%s, NULL, %s, %s) ON CONFLICT (subject_id) DO NOTHING"),
                (str(subject), _now(), _now()),
            )
            self._conn.execute(
                self._sql.SQL("UPDATE {} SET erasures = erasures + 1 WHERE id = 1").format(self._erasures_table)
            )
        return changed

    def _scrub(self) -> None:
        # A plain VACUUM frees the dead row version but may leave its bytes in the page.
        self._conn.execute(self._q("VACUUM FULL {}"))

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
