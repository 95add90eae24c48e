"""Tampering with stored events by raw SQL, on SQLite and on PostgreSQL: `verify` names exactly
the position (and how), and `reestr verify` exits non-zero; an untouched store verifies."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from support.transparency import RawStore, build_region
from typer.testing import CliRunner

from ops.cli import app as reestr
from ops.logs import configure_logging
from projections.transparency.checkpoints import (
    Checkpoint,
    generate_keys,
    issue_checkpoint,
    load_private_key,
)
from projections.transparency.store import TransparencyLog
from projections.transparency.verify import Finding, VerifyReport, verify_log
from registry.application import Registry


def _run(registry: Registry, *args: str, key: Path | None = None) -> tuple[int, str]:
    raw = RawStore(registry)
    env: dict[str, str | None]
    if raw.sqlite:
        env = {"REESTR_DATABASE_URL": f"sqlite:///{raw.path}", "REESTR_DATABASE_SCHEMA": ""}
    else:
        from support.stores import POSTGRES_URL

        env = {"REESTR_DATABASE_URL": POSTGRES_URL, "REESTR_DATABASE_SCHEMA": raw.schema}
    env["REESTR_LOG_LEVEL"] = "warning"
    env["REESTR_SIGNING_KEY_PATH"] = str(key) if key else None  # type: ignore[assignment]
    result = CliRunner().invoke(reestr, list(args), env=env)
    configure_logging("info", "console")
    return result.exit_code, result.output


@pytest.fixture
def logged(registry: Registry) -> tuple[Registry, TransparencyLog, RawStore]:
    build_region(registry)
    log = TransparencyLog(registry)
    log.catch_up()
    assert log.head().tree_size == len(RawStore(registry).positions())
    return registry, log, RawStore(registry)


def _first(report: VerifyReport) -> Finding:
    assert report.first is not None, "verify found nothing"
    return report.first


def _middle(raw: RawStore, fraction: float = 0.5) -> int:
    positions = raw.positions()
    return positions[int(len(positions) * fraction)]


def test_an_untouched_store_verifies(logged: tuple[Registry, TransparencyLog, RawStore]) -> None:
    registry, log, _ = logged
    report = verify_log(log)
    assert report.ok, report.lines()
    assert report.records == report.tree_size == log.head().tree_size
    assert report.root_hash == log.head().root_hash.hex()
    build_region(registry, mentors=1)  # new events come with their leaves, in their own transaction
    report = verify_log(log)
    assert report.ok and report.pending == 0 and report.tree_size == report.records
    code, output = _run(registry, "verify")
    assert code == 0, output
    assert "Журнал цел" in output
    assert verify_log(log).pending == 0, "the CLI appended the new events before verifying"


def test_an_altered_event_is_found_at_its_position(logged: tuple[Registry, TransparencyLog, RawStore]) -> None:
    registry, log, raw = logged
    position = _middle(raw)
    raw.alter(position)
    report = verify_log(log)
    assert not report.ok
    assert (_first(report).kind, _first(report).position) == ("altered", position)
    assert report.anomalies == 1
    code, output = _run(registry, "verify")
    assert code == 1
    assert f"Позиция {position}" in output and "изменено" in output


def test_a_deleted_event_is_found_at_its_position(logged: tuple[Registry, TransparencyLog, RawStore]) -> None:
    registry, log, raw = logged
    position = _middle(raw, 0.3)
    raw.delete(position)
    report = verify_log(log)
    assert (_first(report).kind, _first(report).position) == ("deleted", position)
    code, output = _run(registry, "verify")
    assert code == 1 and f"Позиция {position}" in output and "удалено" in output, output


def test_the_last_event_deleted_is_found_too(logged: tuple[Registry, TransparencyLog, RawStore]) -> None:
    _, log, raw = logged
    last = raw.positions()[-1]
    raw.delete(last)
    report = verify_log(log)
    assert (_first(report).kind, _first(report).position) == ("deleted", last)


def test_two_events_with_exchanged_contents_are_found(logged: tuple[Registry, TransparencyLog, RawStore]) -> None:
    registry, log, raw = logged
    a, b = _middle(raw, 0.25), _middle(raw, 0.75)
    raw.swap_payload(a, b)
    report = verify_log(log)
    assert (_first(report).kind, _first(report).position, _first(report).other_position) == ("reordered", a, b)
    assert report.anomalies == 2
    code, output = _run(registry, "verify")
    assert code == 1 and f"на позициях {a} и {b}" in output


def test_two_rows_swapped_in_the_order_are_found(logged: tuple[Registry, TransparencyLog, RawStore]) -> None:
    _, log, raw = logged
    a, b = _middle(raw, 0.4), _middle(raw, 0.6)
    raw.swap_rows(a, b)
    report = verify_log(log)
    assert (_first(report).kind, _first(report).position, _first(report).other_position) == ("reordered", a, b)
    assert "переставлены" in _first(report).message


def test_an_inserted_event_is_found_where_it_was_put(logged: tuple[Registry, TransparencyLog, RawStore]) -> None:
    _, log, raw = logged
    position = _middle(raw, 0.5)
    raw.insert_shifting(position)
    report = verify_log(log)
    assert (_first(report).kind, _first(report).position) == ("inserted", position)
    assert _first(report).other_position == position + 1


@pytest.mark.postgres
def test_postgres_gaps_are_not_tampering_but_an_event_slipped_into_one_is(
    registry: Registry,
) -> None:
    raw = RawStore(registry)
    if raw.sqlite:
        pytest.skip("SQLite positions have no gaps")
    build_region(registry, mentors=1)
    raw.skip_position()  # a refused insert consumes a number of the sequence
    raw.skip_position()
    build_region(registry, mentors=1)
    log = TransparencyLog(registry)
    log.catch_up()
    positions = raw.positions()
    gap = next(p + 1 for p, q in itertools.pairwise(positions) if q != p + 1)
    assert log.head().tree_size == len(positions) < positions[-1]
    assert verify_log(log).ok
    raw.insert_at(gap)
    report = verify_log(log)
    assert (_first(report).kind, _first(report).position) == ("inserted", gap)


def test_an_attacker_who_rebuilds_the_tree_too_is_caught_by_an_earlier_checkpoint(
    logged: tuple[Registry, TransparencyLog, RawStore], tmp_path: Path
) -> None:
    registry, log, raw = logged
    _, public_path, _ = generate_keys(tmp_path / "keys")
    key = load_private_key(tmp_path / "keys" / "reestr-signing-key.pem")
    saved = issue_checkpoint(log, key)
    (tmp_path / "saved.json").write_text(saved.dumps())
    build_region(registry, mentors=1)
    log.catch_up()

    position = _middle(raw, 0.2)
    raw.alter(position)
    raw.rewrite_tree_to_match()
    log.catch_up()  # the tree now agrees with the tampered records…
    assert verify_log(log).ok, "without a checkpoint, a rebuilt tree is self-consistent"
    assert log.root(saved.tree_size) != saved.root  # …but not with what was signed

    report = verify_log(log, [Checkpoint.loads((tmp_path / "saved.json").read_text())], key.public_key())
    assert not report.ok
    assert _first(report).kind == "checkpoint" and _first(report).tree_size == saved.tree_size
    code, output = _run(
        registry, "verify", "--checkpoint", str(tmp_path / "saved.json"), "--key", str(public_path)
    )
    assert code == 1
    assert "подпись верна" in output and "корень дерева, пересчитанный из сохранённых событий, другой" in output


def test_verify_with_an_untouched_checkpoint_passes_and_a_forged_one_fails(
    logged: tuple[Registry, TransparencyLog, RawStore], tmp_path: Path
) -> None:
    registry, _, _ = logged
    generate_keys(tmp_path)
    key_path = tmp_path / "reestr-signing-key.pem"
    code, output = _run(registry, "checkpoint", "-o", str(tmp_path / "cp.json"), key=key_path)
    assert code == 0, output
    build_region(registry, mentors=1)
    code, output = _run(registry, "verify", "--checkpoint", str(tmp_path / "cp.json"), key=key_path)
    assert code == 0, output
    assert "подпись верна" in output and "корень совпадает" in output

    forged = Checkpoint.loads((tmp_path / "cp.json").read_text()).to_json()
    forged["root_hash"] = "00" * 32
    (tmp_path / "forged.json").write_text(Checkpoint.from_json(forged).dumps())
    code, output = _run(registry, "verify", "--checkpoint", str(tmp_path / "forged.json"), key=key_path)
    assert code == 1 and "подпись НЕВЕРНА" in output


def test_a_damaged_leaf_table_or_subtree_cache_is_reported(
    logged: tuple[Registry, TransparencyLog, RawStore],
) -> None:
    _, log, raw = logged
    raw.execute("UPDATE tl_nodes SET hash = %s WHERE level = 1 AND node_index = 0", (b"\x00" * 32,))
    report = verify_log(log)
    assert [f.kind for f in report.findings] == ["tree_cache"]
    raw.execute("DELETE FROM tl_leaves WHERE leaf_index = 3")
    report = verify_log(log)
    assert _first(report).kind == "leaf_table" and _first(report).leaf_index == 3
