"""Raw baselines: the physical limit of each store, with rows of the very same size.

`raw_insert` writes (originator_id, version, topic, state) rows into a bare table in batches
(no application, no locking beyond the driver's transaction); `raw_scan` reads the registry's own
stored records in the projector's batch size and JSON-decodes each payload (no mapper, no views).
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

Row = tuple[str, int, str, bytes]  # originator_id, version, topic, state

RAW_BATCH = 1000
SCAN_BATCH = 500


def id_column(kind: str) -> str:
    """The log position column: SQLite's recorder uses the rowid."""
    return "rowid" if kind == "sqlite" else "notification_id"


def stored_rows(kind: str, conn_or_path: Any, table: str) -> list[Row]:
    """Every stored event of the registry, in log order, as raw rows."""
    sql = f"SELECT originator_id, originator_version, topic, state FROM {table} ORDER BY {id_column(kind)}"
    if kind == "sqlite":
        with sqlite3.connect(conn_or_path) as conn:
            return [(str(r[0]), r[1], r[2], bytes(r[3])) for r in conn.execute(sql)]
    with conn_or_path.cursor() as cur:
        cur.execute(sql)
        return [(str(r[0]), r[1], r[2], bytes(r[3])) for r in cur.fetchall()]


def raw_insert_sqlite(path: str, rows: list[Row], batch: int = RAW_BATCH) -> float:
    """Seconds to insert `rows` into a fresh bare table, `batch` rows per transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("DROP TABLE IF EXISTS raw_events")
        conn.execute(
            "CREATE TABLE raw_events (id INTEGER PRIMARY KEY, originator_id TEXT, "
            "originator_version INTEGER, topic TEXT, state BLOB, UNIQUE (originator_id, originator_version))"
        )
        started = time.perf_counter()
        for i in range(0, len(rows), batch):
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO raw_events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
                rows[i : i + batch],
            )
            conn.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        conn.execute("DROP TABLE IF EXISTS raw_events")
        conn.close()


def raw_insert_postgres(conn: Any, rows: list[Row], batch: int = RAW_BATCH) -> float:
    """Seconds to insert `rows` into a bare table in the connection's schema, batched."""
    conn.execute("DROP TABLE IF EXISTS raw_events")
    conn.execute(
        "CREATE TABLE raw_events (id BIGSERIAL PRIMARY KEY, originator_id UUID, "
        "originator_version INTEGER, topic TEXT, state BYTEA, UNIQUE (originator_id, originator_version))"
    )
    conn.commit()
    started = time.perf_counter()
    with conn.cursor() as cur:
        for i in range(0, len(rows), batch):
            cur.executemany(
                "INSERT INTO raw_events (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)",
                rows[i : i + batch],
            )
            conn.commit()
    seconds = time.perf_counter() - started
    conn.execute("DROP TABLE raw_events")
    conn.commit()
    return seconds


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
