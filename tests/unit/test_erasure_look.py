"""The look at the erasure counter before each request (`ops.personal_keys`, `api.erasures`).

On SQLite it calls SQLite only when something was committed to the file since the last look
(the write-ahead log's index header moved): an erasure by another connection or process is seen
at the very next look, a write that erased no one costs one read of the counter, and with no
commit at all no statement is run. Without a write-ahead log every look reads the counter.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

from ops.personal_keys import SQLitePersonalKeys


def _statements(keys: SQLitePersonalKeys) -> list[str]:
    run: list[str] = []
    keys._db.set_trace_callback(run.append)
    return run


def _file(tmp_path: Path, journal: str) -> str:
    path = str(tmp_path / f"keys-{journal}.sqlite3")
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA journal_mode = {journal}")
    return path


def test_a_look_calls_sqlite_only_after_a_commit_and_sees_an_erasure_elsewhere_at_once(tmp_path: Path) -> None:
    path = _file(tmp_path, "wal")
    server, elsewhere = SQLitePersonalKeys(path), SQLitePersonalKeys(path)
    try:
        assert server._index is not None
        person, other = uuid.uuid4(), uuid.uuid4()
        elsewhere.ensure(person)
        assert server.key_for(person) is not None  # cached by the server
        server.refresh()
        run = _statements(server)

        for _ in range(100):
            assert server.refresh() is False
        assert run == []  # nothing committed: no statement at all

        elsewhere.ensure(other)  # a commit that erases no one
        assert server.refresh() is False
        assert len(run) == 1  # the counter read once
        assert server.refresh() is False and len(run) == 1

        assert elsewhere.destroy(person)
        assert server.refresh() is True  # the very next look
        assert server.key_for(person) is None
        assert server.refresh() is False

        assert server.destroy(other)  # its own erasure, on its own connection, is a commit too
        assert server.refresh() is True
    finally:
        server.close()
        elsewhere.close()


def test_without_a_write_ahead_log_every_look_reads_the_counter(tmp_path: Path) -> None:
    path = _file(tmp_path, "delete")
    server, elsewhere = SQLitePersonalKeys(path), SQLitePersonalKeys(path)
    try:
        assert server._index is None
        person = uuid.uuid4()
        elsewhere.ensure(person)
        assert server.key_for(person) is not None
        run: list[Any] = _statements(server)
        assert server.refresh() is False and server.refresh() is False
        assert len(run) == 2
        elsewhere.destroy(person)
        assert server.refresh() is True and server.key_for(person) is None
    finally:
        server.close()
        elsewhere.close()
