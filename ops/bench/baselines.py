"""Raw baselines: the physical limit of each store, with rows of the very same size.

`raw_insert_*` copies the registry's own stored rows (originator_id, version, topic, state) into a
bare table, `RAW_BATCH` rows per transaction (no application, no locking beyond the driver's
transaction); only the inserts are timed, the reading of the rows is not. `raw_scan_*` reads the
stored records in the projector's batch size and JSON-decodes each payload (no mapper, no views).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

Row = tuple[str, int, str, bytes]  # originator_id, version, topic, state

RAW_BATCH = 1000
SCAN_BATCH = 500


def id_column(kind: str) -> str:
    """The log position column: SQLite's recorder uses the rowid."""
    return "rowid" if kind == "sqlite" else "notification_id"


def count_rows(kind: str, target: Any, table: str) -> int:
    sql = f"SELECT count(*) FROM {table}"
    if kind == "sqlite":
        with sqlite3.connect(target) as conn:
            return int(conn.execute(sql).fetchone()[0])
    n = int(target.execute(sql).fetchone()[0])
    target.commit()
    return n


def stored_batches(kind: str, target: Any, table: str, first: int, batch: int = RAW_BATCH) -> Iterator[list[Row]]:
    """The stored rows from log position `first` on, `batch` at a time."""
    col = id_column(kind)
    mark = "?" if kind == "sqlite" else "%s"
    sql = (f"SELECT {col}, originator_id, originator_version, topic, state FROM {table} "
           f"WHERE {col} >= {mark} ORDER BY {col} LIMIT {mark}")
    conn = sqlite3.connect(target) if kind == "sqlite" else target
    try:
        start = first
        while True:
            found = conn.execute(sql, (start, batch)).fetchall()
            if kind != "sqlite":
                conn.commit()
            if not found:
                return
            yield [(str(r[1]), r[2], r[3], bytes(r[4])) for r in found]
            start = found[-1][0] + 1
    finally:
        if kind == "sqlite":
            conn.close()


def raw_insert_sqlite(path: str, batches: Iterator[list[Row]]) -> tuple[float, int, int]:
    """(seconds, rows, state bytes) to insert the batches into a fresh bare table, one commit each."""
    conn = sqlite3.connect(path, isolation_level=None)
    seconds, rows, size = 0.0, 0, 0
    try:
        conn.execute("DROP TABLE IF EXISTS raw_events")
        conn.execute(
            "CREATE TABLE raw_events (id INTEGER PRIMARY KEY, originator_id TEXT, "
            "originator_version INTEGER, topic TEXT, state BLOB, UNIQUE (originator_id, originator_version))"
        )
        for batch in batches:
            started = time.perf_counter()
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO raw_events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
                batch,
            )
            conn.execute("COMMIT")
            seconds += time.perf_counter() - started
            rows += len(batch)
            size += sum(len(r[3]) for r in batch)
        return seconds, rows, size
    finally:
        conn.execute("DROP TABLE IF EXISTS raw_events")
        conn.close()


def raw_insert_postgres(conn: Any, batches: Iterator[list[Row]]) -> tuple[float, int, int]:
    """The same on PostgreSQL, in the connection's schema (`conn` must not be the one reading)."""
    conn.execute("DROP TABLE IF EXISTS raw_events")
    conn.execute(
        "CREATE TABLE raw_events (id BIGSERIAL PRIMARY KEY, originator_id UUID, "
        "originator_version INTEGER, topic TEXT, state BYTEA, UNIQUE (originator_id, originator_version))"
    )
    conn.commit()
    seconds, rows, size = 0.0, 0, 0
    with conn.cursor() as cur:
        for batch in batches:
            started = time.perf_counter()
            cur.executemany(
                "INSERT INTO raw_events (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)",
                batch,
            )
            conn.commit()
            seconds += time.perf_counter() - started
            rows += len(batch)
            size += sum(len(r[3]) for r in batch)
    conn.execute("DROP TABLE raw_events")
    conn.commit()
    return seconds, rows, size


def raw_scan_sqlite(path: str, table: str = "stored_events", batch: int = SCAN_BATCH) -> tuple[float, int]:
    """(seconds, records) to read every stored record in batches and JSON-decode its payload."""
    conn = sqlite3.connect(path)
    try:
        started = time.perf_counter()
        count = _scan_count(
            lambda start: conn.execute(
                f"SELECT rowid, topic, state FROM {table} WHERE rowid >= ? ORDER BY rowid LIMIT ?",
                (start, batch),
            ).fetchall()
        )
        return time.perf_counter() - started, count
    finally:
        conn.close()


def raw_scan_postgres(conn: Any, table: str, batch: int = SCAN_BATCH) -> tuple[float, int]:
    started = time.perf_counter()

    def fetch(start: int) -> list[Any]:
        with conn.cursor() as cur:
            cur.execute(
                f"SELECT notification_id, topic, state FROM {table} WHERE notification_id >= %s "
                "ORDER BY notification_id LIMIT %s",
                (start, batch),
            )
            return cur.fetchall()

    count = _scan_count(fetch)
    conn.commit()
    return time.perf_counter() - started, count


def _scan_count(fetch: Any) -> int:
    count, start = 0, 1
    while rows := fetch(start):
        for _id, _topic, state in rows:
            json.loads(bytes(state))
        count += len(rows)
        start = rows[-1][0] + 1
    return count
