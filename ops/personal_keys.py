"""The key table of sealed personal data, beside the events: SQLite file or PostgreSQL schema.

One row per person: `subject_id`, the 256-bit `key` (NULL once erased), `created_at`,
`erased_at`. A key is committed before the first event sealed with it is written, so an event
never outlives its key by accident; a key whose events were refused is harmless.

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
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ops.storage import StoreLocation, postgres_connect_kwargs
from registry.sealing import (
    KEY_BYTES,
    ErasedSubject,
    KeyTableReads,
    MemoryPersonalKeys,
    PersonalKeyMissing,
    PersonalKeys,
)

TABLE = "personal_keys"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _CachedKeys(KeyTableReads):
    """Keys read once and kept; the whole table is read on the first miss (a rebuild needs most)."""

    def __init__(self) -> None:
        self._cache: dict[UUID, bytes | None] = {}
        self._loaded_all = False
        self._lock = threading.RLock()

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
            if not self._loaded_all:
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
