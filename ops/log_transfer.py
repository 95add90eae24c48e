"""The whole event log out to a JSON Lines file, and back into an empty store.

This is how a deployment moves from SQLite to PostgreSQL (or between servers)::

    REESTR_DATABASE_URL=sqlite:///reestr.sqlite3 reestr export-log -o log.jsonl
    REESTR_DATABASE_URL=postgresql://postgres@db:5432/reestr reestr restore log.jsonl

One line per stored event, in global order. For people: `position`, `type`, `recorded_at` and the
decoded `data` and `meta` (who recorded it, under which command). For the machine: the stored event
exactly as the store holds it — `originator_id` (the aggregate), `originator_version`, `topic` and
`state` (the stored JSON text, or `state_base64` if the store holds bytes that are not UTF-8).
Restore inserts those stored events unchanged, so every aggregate, every hash over stored events and
every projection rebuilt from the restored log is the one the source had.

Restore keeps positions too: reports state the log position they were computed at. PostgreSQL can
leave gaps in the positions (a transaction refused for a version conflict still consumes a number of
the sequence); restore recreates the same gaps, so position N names the same event in both stores.

Personal data travel sealed (registry/sealing.py), in `state` as stored; the decoded `data` shows
`SEALED_IN_EXPORT` in their place, never the names, e-mails, phones or SNILS. The export writes the
key table beside the log, in `<file>.keys` (one line per person: `subject_id`, `key` in base64, or
null once erased). That file opens everyone's personal data: keep it apart from the log and as
safe as the database. An export made after an erasure holds neither the person's key nor their
data. A restore takes any keys file of the same registry made at or after the export's time
(`--keys`): a newer one carries the tombstones of later erasures, so the people erased since stay
erased in the restored store (see docs/PERSONAL_DATA.md).

Restore refuses a store that holds any event (even the seeded reference lists: the log brings its
own), checks the whole file before writing anything, and inserts in chunks of `CHUNK` events (one
huge insert hangs on PostgreSQL). A restore interrupted half-way leaves a partial log: empty the
store and run it again.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent

from ops.storage import parse_database_url, registry_on
from registry.application import Registry
from registry.sealing import ERASED, ERASED_PERSON, PersonalKeyMissing
from registry.values import PersonalData

CHUNK = 1000
Progress = Callable[[int, int], None]


class LogTransferError(RuntimeError):
    """Export or restore cannot go on; the message says why in Russian."""


@dataclass(frozen=True)
class Record:
    """A stored event and the position it had in the source log."""

    position: int
    event: StoredEvent


@dataclass(frozen=True)
class TransferSummary:
    events: int
    position: int  # the last position written
    gaps: int  # positions the source log skipped (kept as they were)
    seconds: float


# -- reading the store ----------------------------------------------------------------------------


def notifications(registry: Registry, *, stop: int | None = None, chunk: int = CHUNK) -> Iterator[Notification]:
    """Every stored event in global order, up to `stop`, read `chunk` at a time."""
    start = 1
    while True:
        batch = registry.recorder.select_notifications(start=start, limit=chunk, stop=stop)
        if not batch:
            return
        yield from batch
        start = batch[-1].id + 1


#: What the decoded `data` shows of personal data: the stored `state` carries them, sealed.
SEALED_IN_EXPORT = "запечатано: открывается только файлом ключей (restore --keys)"


def _plain(value: Any) -> Any:
    """A decoded event attribute as JSON for people; personal data stay sealed (never in clear)."""
    if isinstance(value, PersonalData):
        return ERASED if value == ERASED_PERSON else SEALED_IN_EXPORT
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def export_record(registry: Registry, notification: Notification) -> dict[str, Any]:
    """One line of the export: the stored event as stored, and decoded for people."""
    record: dict[str, Any] = {
        "position": notification.id,
        "originator_id": str(notification.originator_id),
        "originator_version": notification.originator_version,
        "topic": notification.topic,
        "type": notification.topic.split(":", 1)[-1],
    }
    try:
        record["state"] = notification.state.decode("utf-8")
    except UnicodeDecodeError:
        record["state_base64"] = base64.b64encode(notification.state).decode("ascii")
    try:
        event = registry.mapper.to_domain_event(notification)
    except Exception as error:  # noqa: BLE001 - undecodable here (erased data?): the raw state still travels
        record.update(recorded_at=None, data=None, meta=None, decode_error=str(error))
        return record
    attributes = dict(vars(event))
    timestamp = attributes.pop("timestamp", None)
    meta = attributes.pop("meta", None)
    for name in ("originator_id", "originator_version"):
        attributes.pop(name, None)
    record["recorded_at"] = timestamp.isoformat() if timestamp else None
    record["data"] = _plain(attributes)
    record["meta"] = _plain(meta)
    return record


def export_log(registry: Registry, out: IO[str], progress: Progress | None = None) -> TransferSummary:
    """Write the log as it is now (a consistent prefix: later writes are not included)."""
    started = time.perf_counter()
    stop = registry.position()
    count = gaps = last = 0
    for notification in notifications(registry, stop=stop):
        gaps += notification.id - last - 1
        last = notification.id
        out.write(json.dumps(export_record(registry, notification), ensure_ascii=False) + "\n")
        count += 1
        if progress is not None and count % CHUNK == 0:
            progress(last, stop)
    if progress is not None:
        progress(stop, stop)
    return TransferSummary(count, last, gaps, round(time.perf_counter() - started, 3))


def keys_path(log_path: Path) -> Path:
    """Where the key table of an export goes: beside the log, `<file>.keys`."""
    return log_path.with_name(log_path.name + ".keys")


def export_keys(registry: Registry, out: IO[str]) -> int:
    """Write the key table (tombstones included, so an erasure survives the move)."""
    count = 0
    for subject, key in registry.keys.entries():
        encoded = base64.b64encode(key).decode("ascii") if key is not None else None
        out.write(json.dumps({"subject_id": str(subject), "key": encoded}) + "\n")
        count += 1
    return count


def read_keys(path: Path) -> list[tuple[UUID, bytes | None]]:
    """The entries of a keys file, all checked before any is used."""
    if not path.is_file():
        raise LogTransferError(f"Файл ключей не найден: {path}")
    entries = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                key = base64.b64decode(data["key"], validate=True) if data["key"] is not None else None
                entries.append((UUID(data["subject_id"]), key))
            except (ValueError, KeyError, TypeError) as error:
                raise LogTransferError(f"Файл ключей, строка {number}: некорректная запись ({error})") from None
    return entries


# -- reading a file -------------------------------------------------------------------------------


def _record_of(line: str, number: int) -> Record:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise LogTransferError(f"Строка {number}: не JSON ({error.msg}) — файл повреждён или обрезан") from None
    if not isinstance(data, dict):
        raise LogTransferError(f"Строка {number}: ожидалась запись события (объект JSON)")
    missing = [k for k in ("position", "originator_id", "originator_version", "topic") if k not in data]
    if "state" not in data and "state_base64" not in data:
        missing.append("state")
    if missing:
        raise LogTransferError(f"Строка {number}: нет полей {', '.join(missing)}")
    try:
        state = (
            data["state"].encode("utf-8")
            if "state" in data
            else base64.b64decode(data["state_base64"], validate=True)
        )
        return Record(
            position=int(data["position"]),
            event=StoredEvent(
                originator_id=UUID(str(data["originator_id"])),
                originator_version=int(data["originator_version"]),
                topic=str(data["topic"]),
                state=state,
            ),
        )
    except (ValueError, TypeError, AttributeError) as error:
        raise LogTransferError(f"Строка {number}: некорректное значение ({error})") from None


def read_records(path: Path) -> Iterator[Record]:
    """The records of an export file, checked line by line (positions must grow)."""
    last = 0
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            record = _record_of(line, number)
            if record.position <= last:
                raise LogTransferError(
                    f"Строка {number}: позиция {record.position} не больше предыдущей ({last}) — "
                    "записи перепутаны или повторены"
                )
            last = record.position
            yield record


def check_file(path: Path, registry: Registry) -> tuple[int, int]:
    """Read the whole file before writing anything: every line a record, every event decodable.
    Returns (events, last position)."""
    if not path.is_file():
        raise LogTransferError(f"Файл не найден: {path}")
    count = last = 0
    for record in read_records(path):
        try:
            registry.mapper.to_domain_event(record.event)
        except Exception as error:  # noqa: BLE001 - whatever fails, the event cannot be restored here
            raise _undecodable(record, error) from None
        count += 1
        last = record.position
    if count == 0:
        raise LogTransferError(f"В файле {path.name} нет ни одного события")
    return count, last


def _undecodable(record: Record, error: Exception) -> LogTransferError:
    if isinstance(error.__cause__, PersonalKeyMissing):  # the mapper wraps what the transcoding raised
        return LogTransferError(
            f"Событие на позиции {record.position} ({record.event.topic}) содержит персональные "
            "данные, а ключа к ним нет: укажите файл ключей, выгруженный вместе с журналом "
            "(--keys, по умолчанию <файл>.keys)"
        )
    return LogTransferError(
        f"Событие на позиции {record.position} ({record.event.topic}) не читается этой "
        f"версией реестра: {error}"
    )


# -- writing the store ----------------------------------------------------------------------------


def open_bare(database_url: str, schema: str | None = None, *, cipher_key: str | None = None) -> Registry:
    """The registry on a store, tables created, nothing seeded (the log brings its own lists)."""
    return registry_on(parse_database_url(database_url, schema), cipher_key=cipher_key)


def require_empty(registry: Registry) -> None:
    position = registry.position()
    if position:
        raise LogTransferError(
            f"База не пуста: в ней уже {position} событий (позиция журнала {position}). "
            "Восстановление возможно только в пустую базу: укажите новую базу или схему."
        )


def _continue_at(registry: Registry, record: Record) -> list[Record]:
    """Make the store give `record.position` to the next event; returns records left to insert."""
    from eventsourcing.postgres import PostgresApplicationRecorder

    recorder: Any = registry.recorder
    if isinstance(recorder, PostgresApplicationRecorder):
        from psycopg import sql

        table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
        with recorder.datastore.get_connection() as conn:
            name = sql.SQL("{}").format(table).as_string(conn)
            conn.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s, false)",
                (name, record.position),
            )
        return [record]
    if registry.position() + 1 == record.position:
        return [record]
    # SQLite numbers events by rowid: the one after a gap is written with its rowid given, through
    # the recorder like every other (its leaf joins the tree in the same transaction).
    recorder.insert_events([record.event], first_position=record.position)
    return []


def insert_records(
    registry: Registry,
    records: Iterable[Record],
    *,
    total: int | None = None,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> TransferSummary:
    """Insert stored events at their positions, `chunk` per transaction, into an empty store."""
    started = time.perf_counter()
    count = gaps = last = 0
    pending: list[Record] = []

    def flush() -> None:
        nonlocal pending
        if not pending:
            return
        ids = registry.recorder.insert_events([r.event for r in pending])
        expected = [r.position for r in pending]
        if ids is not None and list(ids) != expected:
            raise LogTransferError(
                f"Позиции событий {expected[0]}…{expected[-1]} не сохранились (получены "
                f"{ids[0]}…{ids[-1]}): база, видимо, не пуста или в неё пишет кто-то ещё"
            )
        pending = []

    for record in records:
        if record.position != last + 1 or not count:
            flush()
            if record.position != last + 1:
                gaps += record.position - last - 1
            pending.extend(_continue_at(registry, record))
        else:
            pending.append(record)
        last = record.position
        count += 1
        if len(pending) >= chunk:
            flush()
            if progress is not None:
                progress(count, total or count)
    flush()
    if progress is not None:
        progress(count, total or count)
    return TransferSummary(count, last, gaps, round(time.perf_counter() - started, 3))


def restore_log(
    registry: Registry, path: Path, progress: Progress | None = None, *, keys: Path | None = None
) -> TransferSummary:
    """Load an export into an empty store: keys first, check the whole file, then insert in chunks."""
    require_empty(registry)
    keys = keys or (keys_path(path) if keys_path(path).is_file() else None)
    if keys is not None:
        registry.keys.load(read_keys(keys))
    total, _ = check_file(path, registry)
    return insert_records(registry, read_records(path), total=total, progress=progress)
