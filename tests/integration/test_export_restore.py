"""Export the log, restore it into an empty store: the same stored events at the same positions,
the same aggregates, the same figures from projections rebuilt on the restored log — SQLite to
SQLite, PostgreSQL to PostgreSQL, and SQLite to PostgreSQL (the documented way to move)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from support.stores import POSTGRES_URL, drop_schema, require_postgres
from eventsourcing.persistence import IntegrityError, StoredEvent
from support.world import TODAY, Region
from support.importing import invoke, seed
from support import view_reads

from ops.log_transfer import (
    SEALED_IN_EXPORT,
    CHUNK,
    LogTransferError,
    export_keys,
    export_log,
    keys_path,
    notifications,
    open_bare,
    restore_log,
)
from ops.storage import open_registry
from projections.periods import Period
from projections.projector import project_until
from projections.store import open_view_store
from registry import commands as c
from registry.application import Registry

BULK = 520  # mentees imported with command ids: two events each, more than one chunk in all


@pytest.fixture
def new_schema() -> Iterator[Any]:
    """Makes fresh PostgreSQL schemas on demand; drops them all afterwards."""
    require_postgres()
    made: list[str] = []

    def make() -> str:
        made.append(f"reestr_restore_{uuid.uuid4().hex[:10]}")
        return made[-1]

    yield make
    for schema in made:
        drop_schema(schema)


def build_region(registry: Registry) -> None:
    """A region that uses most kinds of events, and enough of them to take several chunks."""
    ids = seed(registry)
    region = Region(registry)
    mentor = region.active_mentor(ids["school"], capacity=3, full_name="Королёва Анна")
    pupils = [region.mentee(ids["school"], full_name=f"Ученик {i}") for i in range(2)]
    program = region.program(ids["school"])
    pair = region.pair(mentor, pupils, organization_id=ids["school"], program_id=program)
    region.run(c.CompletePair(pair_id=pair, ended_on=date(2022, 5, 25), outcome="Проект защищён"))
    region.run(c.ReportContingent(organization_id=ids["school"], year=2021,
                                  figures=c.ContingentIn(students_total=600, students_10_19=400)))
    region.run(c.RecordTraining(mentor_id=mentor, course="Наставничество", provider="ХК ИРО", hours=36,
                                completed_on=date(2021, 11, 1), command_id="training-1"))
    region.run(c.GiveConsent(mentor_id=mentor, fields=["name", "organization"], effective_date=date(2021, 9, 15)))
    region.target("pupils_10_19", 2021, "25.5")
    for i in range(BULK):
        region.run(c.RegisterMentee(
            organization_id=ids["college"], category="college_student",
            person=c.PersonIn(full_name=f"Студент {i}"), birth_year=2004 + i % 4,
            registered_on=date(2021, 9, 1), command_id=f"bulk-{i}"))


def stored(registry: Registry) -> list[tuple[Any, ...]]:
    return [(n.id, str(n.originator_id), n.originator_version, n.topic, bytes(n.state)) for n in notifications(registry)]


def aggregates(registry: Registry) -> dict[str, dict[str, Any]]:
    """Every aggregate rebuilt from the log, as its attributes."""
    ids = {n.originator_id for n in notifications(registry)}
    return {
        str(oid): {k: v for k, v in vars(registry.repository.get(oid)).items() if k != "_pending_events"}
        for oid in ids
    }


def figures(store: Any) -> dict[str, Any]:
    """What people read from the views: lists and an indicator, without the position stamp."""
    return {
        "mentors": view_reads.mentors(store),
        "organizations": view_reads.organizations(store),
        "pairs": view_reads.pairs(store),
        "programs": view_reads.programs(store),
        "indicator": view_reads.indicator(store, "pupils_10_19", "region", Period.calendar_year(2021)).to_dict(),
        "involvement": view_reads.involvement(store, Period.calendar_year(2021)),
    }


def assert_same_log(source: Registry, target: Registry) -> None:
    assert stored(target) == stored(source)
    assert aggregates(target) == aggregates(source)
    position = source.position()
    left, right = project_until(source, position), project_until(target, position)
    try:
        assert figures(right) == figures(left)
        assert figures(left)["indicator"]["numerator"] == 2
    finally:
        left.close()
        right.close()


def _export(registry: Registry, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        summary = export_log(registry, out)
    with keys_path(path).open("w", encoding="utf-8") as out:
        export_keys(registry, out)
    assert summary.position == registry.position()
    return path


def test_round_trip_on_each_store(store_url, tmp_path: Path, request) -> None:  # type: ignore[no-untyped-def]
    url, schema = store_url
    source = open_registry(url, schema, clock=lambda: TODAY)
    build_region(source)
    path = _export(source, tmp_path / "log.jsonl")
    if schema is None:
        target = open_bare(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    else:
        target = open_bare(POSTGRES_URL, request.getfixturevalue("new_schema")())
    try:
        summary = restore_log(target, path)
        assert (summary.events, summary.position, summary.gaps) == (source.position(), source.position(), 0)
        assert summary.events > CHUNK  # inserted in more than one chunk
        assert_same_log(source, target)
    finally:
        source.close()
        target.close()


def test_sqlite_to_postgresql_through_the_cli(tmp_path: Path, monkeypatch, new_schema) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    sqlite_url = f"sqlite:///{tmp_path / 'reestr.sqlite3'}"
    source = open_registry(sqlite_url, clock=lambda: TODAY)
    build_region(source)
    out = tmp_path / "журнал.jsonl"
    result = invoke(["export-log", "-o", str(out)], {"REESTR_DATABASE_URL": sqlite_url})
    assert result.exit_code == 0, result.output
    assert f"Выгружено событий: {source.position()}" in result.output

    schema = new_schema()
    env = {"REESTR_DATABASE_URL": POSTGRES_URL, "REESTR_DATABASE_SCHEMA": schema}
    result = invoke(["restore", str(out)], env)
    assert result.exit_code == 0, result.output
    assert f"Загружено событий: {source.position()}" in result.output
    assert "Представления пересобраны" in result.output

    target = open_registry(POSTGRES_URL, schema, clock=lambda: TODAY)  # as the server opens it
    views = open_view_store(target)
    expected = project_until(source, source.position())
    try:
        assert target.position() == source.position()  # nothing seeded on top: the log has its lists
        assert_same_log(source, target)
        assert figures(views) == figures(expected)
        # The restored registry carries on: a new command lands after the restored log.
        Region(target).municipality("Новый район")
        assert target.position() == source.position() + 1
        # A second restore into the same (now used) store is refused and changes nothing.
        again = invoke(["restore", str(out)], env)
        assert again.exit_code == 1 and "База не пуста" in again.output
    finally:
        expected.close()
        source.close()
        target.close()


def test_gaps_in_postgresql_positions_are_kept(tmp_path: Path, new_schema) -> None:
    source = open_registry(POSTGRES_URL, new_schema(), clock=lambda: TODAY)
    region = Region(source)
    region.municipality("Первый район")
    first = next(iter(notifications(source)))
    with pytest.raises(IntegrityError):  # a refused write still consumes positions of the sequence
        source.recorder.insert_events([StoredEvent(first.originator_id, first.originator_version, first.topic, first.state)])
    region.municipality("Второй район")
    positions = [n.id for n in notifications(source)]
    assert positions[-1] > len(positions)  # there is a gap
    path = _export(source, tmp_path / "log.jsonl")
    for target in (open_bare(f"sqlite:///{tmp_path / 'gaps.sqlite3'}"), open_bare(POSTGRES_URL, new_schema())):
        try:
            summary = restore_log(target, path)
            assert summary.gaps == positions[-1] - len(positions)
            assert stored(target) == stored(source)
            Region(target).municipality("Третий район")  # and numbering goes on after the last one
            assert target.position() == positions[-1] + 1
        finally:
            target.close()
    source.close()


def test_the_export_is_readable_by_people(memory_registry, tmp_path: Path) -> None:
    ids = seed(memory_registry)
    Region(memory_registry).active_mentor(ids["school"], full_name="Королёва Анна")
    lines = _export(memory_registry, tmp_path / "log.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["position"] for r in records] == list(range(1, len(records) + 1))
    applied = next(r for r in records if r["topic"] == "reestr:Mentor.Applied")
    assert applied["type"] == "Mentor.Applied" and applied["originator_version"] == 1
    assert applied["data"]["person"] == SEALED_IN_EXPORT  # personal data never in clear
    assert applied["data"]["profile"]["position"] == "учитель математики"  # decoded, and not \\u-escaped
    assert "Королёва" not in lines[applied["position"] - 1]
    assert applied["data"]["applied_on"] == "2021-09-01"
    assert applied["meta"]["user_id"].startswith("curator") and applied["recorded_at"][:2] == "20"
    assert json.loads(applied["state"])["applied_on"]  # the stored state, as stored


def test_personal_data_need_the_keys_file(tmp_path: Path) -> None:
    source = open_registry(f"sqlite:///{tmp_path / 'source.sqlite3'}", clock=lambda: TODAY)
    ids = seed(source)
    Region(source).active_mentor(ids["school"], full_name="Королёва Анна")
    path = _export(source, tmp_path / "log.jsonl")
    assert "Королёва" not in json.dumps([json.loads(line)["state"] for line in path.open()])  # sealed
    keys_path(path).rename(tmp_path / "elsewhere.keys")
    target = open_bare(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    try:
        with pytest.raises(LogTransferError, match="ключа к ним нет: укажите файл ключей"):
            restore_log(target, path)
        assert target.position() == 0  # refused before anything was written
        restore_log(target, path, keys=tmp_path / "elsewhere.keys")
        assert stored(target) == stored(source) and aggregates(target) == aggregates(source)
    finally:
        source.close()
        target.close()


def test_restore_refuses_a_store_that_holds_events(memory_registry, tmp_path: Path) -> None:
    path = _export(memory_registry, tmp_path / "log.jsonl")  # the seeded lists only
    target = open_registry(f"sqlite:///{tmp_path / 'used.sqlite3'}")  # seeds its own lists
    try:
        with pytest.raises(LogTransferError, match="База не пуста"):
            restore_log(target, path)
    finally:
        target.close()


def test_a_damaged_file_is_refused_before_anything_is_written(memory_registry, tmp_path: Path) -> None:
    seed(memory_registry)
    path = _export(memory_registry, tmp_path / "log.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:-1] + [lines[-1][:40]]), encoding="utf-8")
    swapped = tmp_path / "swapped.jsonl"
    swapped.write_text("\n".join([lines[1], lines[0], *lines[2:]]), encoding="utf-8")
    target = open_bare(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        with pytest.raises(LogTransferError, match=f"Строка {len(lines)}: не JSON"):
            restore_log(target, cut)
        with pytest.raises(LogTransferError, match="Строка 2: позиция 1 не больше предыдущей"):
            restore_log(target, swapped)
        assert target.position() == 0
    finally:
        target.close()
