"""Crash safety with real processes: a projection worker SIGKILLed in the middle of a batch, then
restarted (through the CLI), leaves exactly the views of an uninterrupted run; and the
`project --follow` worker picks up new commands and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from support.world import ADMIN, TODAY, person
from support.stores import STORES, store_location
from support.world.indicators import build_scenario

from ops.storage import open_registry
from projections.projector import Projector
from projections.store import memory_view_store, open_view_store
from registry import commands as c

ROOT = Path(__file__).resolve().parents[2]
BATCH = 40

# Applies batches of BATCH; in the middle of the third batch it says so and waits to be killed.
WORKER = """
import sys, time
from pathlib import Path
from ops.storage import open_registry
from projections.projector import Projector
from projections.store import open_view_store

url, schema, marker = sys.argv[1], sys.argv[2] or None, Path(sys.argv[3])
registry = open_registry(url, schema)
seen = 0

def hook(notification):
    global seen
    seen += 1
    if seen == {batch} * 2 + {batch} // 2:
        marker.write_text(str(notification.id))
        time.sleep(120)

Projector(registry, open_view_store(registry), batch_size={batch}, on_notification=hook).catch_up()
""".replace("{batch}", str(BATCH))

CLI = "from ops.cli import app; app()"


def _env(url: str, schema: str | None) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), REESTR_DATABASE_URL=url, REESTR_LOG_LEVEL="warning")
    env.pop("REESTR_DATABASE_SCHEMA", None)
    if schema:
        env["REESTR_DATABASE_SCHEMA"] = schema
    return env


def _wait_for(path: Path, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.stderr.read() if process.stderr else b""
        assert time.monotonic() < deadline, "the worker never reached the middle of a batch"
        time.sleep(0.05)


def _populate(url: str, schema: str | None) -> int:
    registry = open_registry(url, schema, clock=lambda: TODAY)
    try:
        ids = build_scenario(registry)
        for n in range(40):  # more events: the scenario alone is only a few batches
            registry.execute(
                c.RegisterMentee(organization_id=ids["S2"], category="pupil", person=person(f"Ученик {n}"),
                                 birth_year=2005 + n % 10, registered_on=date(2020, 9, 1)),
                ADMIN,
            )
        return registry.position()
    finally:
        registry.close()


@pytest.mark.parametrize("kind", STORES)
def test_worker_killed_mid_batch_then_restarted_equals_uninterrupted(kind: str, tmp_path: Path) -> None:
    with store_location(kind, tmp_path) as (url, schema):
        head = _populate(url, schema)
        assert head > BATCH * 3
        script = tmp_path / "worker.py"
        script.write_text(WORKER)
        marker = tmp_path / "in-the-middle"
        worker = subprocess.Popen(
            [sys.executable, str(script), url, schema or "", str(marker)],
            cwd=ROOT, env=_env(url, schema), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        try:
            _wait_for(marker, worker)
            os.kill(worker.pid, signal.SIGKILL)
            assert worker.wait(timeout=30) == -signal.SIGKILL
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

        registry = open_registry(url, schema, clock=lambda: TODAY)
        try:
            store = open_view_store(registry)
            first_unapplied = int(marker.read_text())
            # Two whole batches were committed; the third, half applied, left no trace.
            assert store.position() < first_unapplied
            partial = store.position()

            restarted = subprocess.run(
                [sys.executable, "-c", CLI, "project", "--batch-size", str(BATCH)],
                cwd=ROOT, env=_env(url, schema), capture_output=True, timeout=120,
            )
            assert restarted.returncode == 0, restarted.stderr.decode()
            assert "позиция журнала" in restarted.stderr.decode()
            assert store.position() == head

            uninterrupted = memory_view_store()
            try:
                Projector(registry, uninterrupted, batch_size=BATCH).catch_up()
                assert store.dump() == uninterrupted.dump()
            finally:
                uninterrupted.close()
            assert 0 < partial < head
        finally:
            registry.close()


@pytest.mark.parametrize("kind", STORES)
def test_follow_worker_projects_new_commands_and_stops_on_sigterm(kind: str, tmp_path: Path) -> None:
    with store_location(kind, tmp_path) as (url, schema):
        registry = open_registry(url, schema, clock=lambda: TODAY)
        try:
            store = open_view_store(registry)
            follower = subprocess.Popen(
                [sys.executable, "-c", CLI, "project", "--follow", "--poll-interval", "0.1"],
                cwd=ROOT, env=_env(url, schema), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
            try:
                registry.execute(c.RegisterMunicipality(name="Район", region="Край"), ADMIN)
                deadline = time.monotonic() + 30
                while store.position() < registry.position():
                    assert follower.poll() is None, follower.stderr.read() if follower.stderr else b""
                    assert time.monotonic() < deadline, "the follower never caught up"
                    time.sleep(0.05)
                with store.transaction(write=False) as tx:
                    assert tx.rows("SELECT name FROM {p}municipalities") == [("Район",)]
                follower.send_signal(signal.SIGTERM)
                assert follower.wait(timeout=30) == 0
                assert "Слежение остановлено" in follower.stderr.read().decode()  # type: ignore[union-attr]
            finally:
                if follower.poll() is None:
                    follower.kill()
                    follower.wait()
        finally:
            registry.close()
