"""One write pipeline, on each store: every commit, by any entrypoint, carries its leaves; a row put
in by hand is tampering; checkpoints sign only what the events give; a damaged tree cache is
diagnosed and rebuilt by one command. Through the real `reestr` (ops.cli.app)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.transparency import RawStore, build_region
from support.world import ADMIN
from typer.testing import CliRunner

from ops.cli import app as reestr
from ops.logs import configure_logging
from projections.transparency import merkle
from projections.transparency.checkpoints import Checkpoint
from projections.transparency.store import TransparencyLog
from projections.transparency.verify import verify_log
from registry import commands as c
from registry.application import Registry


class Reestr:
    """`reestr` on the registry's own store, with a signing key pair made for the test."""

    def __init__(self, registry: Registry, tmp_path: Path):
        raw = RawStore(registry)
        if raw.sqlite:
            self.env = {"REESTR_DATABASE_URL": f"sqlite:///{raw.path}", "REESTR_DATABASE_SCHEMA": ""}
        else:
            from support.stores import POSTGRES_URL

            self.env = {"REESTR_DATABASE_URL": POSTGRES_URL, "REESTR_DATABASE_SCHEMA": raw.schema}
        self.env |= {
            "REESTR_LOG_LEVEL": "warning",
            "REESTR_SIGNING_KEY_PATH": str(tmp_path / "keys" / "reestr-signing-key.pem"),
        }
        code, output = self("keys", "generate", "-o", tmp_path / "keys")
        assert code == 0, output

    def __call__(self, *args: str | Path | int) -> tuple[int, str]:
        result = CliRunner().invoke(reestr, [str(a) for a in args], env=self.env)
        configure_logging("info", "console")
        return result.exit_code, result.output


def _covers_the_log(registry: Registry) -> bool:
    head = TransparencyLog(registry).head()
    return head.position == registry.position() and head.tree_size == len(RawStore(registry).positions())


def _documents(registry: Registry) -> list[str]:
    return TransparencyLog(registry).checkpoint_documents()


# -- every commit carries its leaves ------------------------------------------------------------------


def test_every_write_commits_its_leaves_with_it_whoever_writes(registry: Registry, tmp_path: Path) -> None:
    region = build_region(registry, mentors=2)
    assert _covers_the_log(registry), "commands"
    region.run(c.RegisterMunicipality(name="Район у моря", region="Хабаровский край"))
    registry.execute_batch(
        [c.RegisterMunicipality(name=f"Район № {n}", region="Хабаровский край") for n in range(3)], ADMIN
    )
    assert _covers_the_log(registry), "a batch"
    cli = Reestr(registry, tmp_path)
    code, output = cli("users", "add", "--name", "Аудитор области", "--role", "auditor")
    assert code == 0, output
    assert _covers_the_log(registry), "reestr users add"
    assert TransparencyLog(registry).catch_up() == 0, "nothing left for a follower to append"


def test_a_row_appended_by_hand_at_the_tail_is_tampering_and_verify_names_its_position(
    registry: Registry, tmp_path: Path
) -> None:
    build_region(registry)
    cli = Reestr(registry, tmp_path)
    assert cli("verify")[0] == 0
    raw = RawStore(registry)
    forged = raw.positions()[-1] + 1
    raw.insert_at(forged)  # past the registry: no unit of work, no leaf

    report = verify_log(TransparencyLog(registry))
    assert not report.ok
    assert report.first is not None and report.first.kind == "inserted" and report.first.position == forged
    code, _ = cli("verify")
    assert code == 1
    # A checkpoint would put the forged row under the institute's signature: refused, none stored.
    kept = _documents(registry)
    assert cli("checkpoint")[0] == 1
    assert _documents(registry) == kept


# -- checkpoints sign only what the events give -------------------------------------------------------


def test_checkpoint_refuses_a_tree_smaller_than_the_one_it_signed(registry: Registry, tmp_path: Path) -> None:
    build_region(registry)
    cli = Reestr(registry, tmp_path)
    assert cli("checkpoint")[0] == 0
    signed = Checkpoint.loads(_documents(registry)[-1])
    # The tail truncated and the tree rolled back to match: consistent, but smaller than signed.
    raw = RawStore(registry)
    for position in raw.positions()[-3:]:
        raw.delete(position)
    size = signed.tree_size - 3
    last = raw.positions()[-1]
    raw.execute("DELETE FROM tl_leaves WHERE leaf_index >= %s", (size,))
    raw.execute("DELETE FROM tl_nodes WHERE (node_index + 1) << level > %s", (size,))
    raw.execute("UPDATE tl_head SET tree_size = %s, position = %s", (size, last))
    assert TransparencyLog(registry).head().tree_size == size

    code, _ = cli("checkpoint")
    assert code == 1
    assert len(_documents(registry)) == 1, "nothing signed"


def test_checkpoint_refuses_a_root_computed_from_a_corrupted_node(registry: Registry, tmp_path: Path) -> None:
    build_region(registry)
    cli = Reestr(registry, tmp_path)
    assert cli("checkpoint")[0] == 0
    build_region(registry, mentors=2)  # grown since: the new root folds subtrees written since
    log = TransparencyLog(registry)
    size = log.head().tree_size
    level, index = next(node for node in merkle.range_nodes(0, size) if node[0] > 0)
    RawStore(registry).execute(
        "UPDATE tl_nodes SET hash = %s WHERE level = %s AND node_index = %s", (b"\x11" * 32, level, index)
    )
    code, _ = cli("checkpoint")
    assert code == 1
    assert len(_documents(registry)) == 1, "the corrupted root was not signed"
    # One command rebuilds the cache from the events; then the checkpoint is signed again.
    assert cli("tree-rebuild")[0] == 0
    assert cli("checkpoint")[0] == 0
    assert Checkpoint.loads(_documents(registry)[-1]).root == merkle.MemoryTree(
        record.leaf_hash() for record in log.iter_records()
    ).root()


# -- a damaged tree cache is diagnosed, then rebuilt ------------------------------------------------


def test_a_rolled_back_head_is_diagnosed_not_a_unique_violation_and_one_command_rebuilds_it(
    registry: Registry, tmp_path: Path
) -> None:
    from support.world.api import ApiWorld

    region = build_region(registry)
    world = ApiWorld(registry)
    cli = Reestr(registry, tmp_path)
    log = TransparencyLog(registry)
    assert log.catch_up() == 0, "every write appended its own leaves"
    size = log.head().tree_size
    back = log.position_of_size(size - 5)
    RawStore(registry).execute("UPDATE tl_head SET tree_size = %s, position = %s", (size - 5, back))

    report = verify_log(log)
    assert report.first is not None and report.first.kind == "tree_cache"
    assert cli("verify")[0] == 1
    assert cli("checkpoint")[0] == 1
    # A write does not stack leaves on a damaged cache: it is refused whole, the diagnosis said.
    from projections.transparency.store import TreeDamaged

    events = registry.position()
    with pytest.raises(TreeDamaged, match="tree-rebuild"):
        region.run(c.RegisterMunicipality(name="Район после сбоя", region="Хабаровский край"))
    answer = world.post("/municipalities", {"name": "Район после сбоя", "region": "Хабаровский край"})
    assert answer.status_code == 503 and answer.json()["code"] == "tree_damaged"
    assert "tree-rebuild" in answer.json()["detail"]
    world.close()
    assert registry.position() == events

    code, output = cli("tree-rebuild")
    assert code == 0, output
    assert log.head().tree_size == size and _covers_the_log(registry)
    assert cli("verify")[0] == 0
    assert cli("checkpoint")[0] == 0
    region.run(c.RegisterMunicipality(name="Район после сбоя", region="Хабаровский край"))
    assert _covers_the_log(registry)


def test_a_restore_into_an_empty_store_carries_every_leaf(registry: Registry, tmp_path: Path) -> None:
    build_region(registry)
    cli = Reestr(registry, tmp_path)
    code, output = cli("export-log", "-o", tmp_path / "log.jsonl")
    assert code == 0, output
    from ops.storage import parse_database_url, registry_on

    target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    restored_env = dict(cli.env, REESTR_DATABASE_URL=target, REESTR_DATABASE_SCHEMA="")
    result = CliRunner().invoke(reestr, ["restore", str(tmp_path / "log.jsonl")], env=restored_env)
    configure_logging("info", "console")
    assert result.exit_code == 0, result.output
    restored = registry_on(parse_database_url(target))
    try:
        assert _covers_the_log(restored)
        assert TransparencyLog(restored).head().root_hash == TransparencyLog(registry).head().root_hash
    finally:
        restored.close()


# -- an erasure is seen by every process from its next request ------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_erasure_from_the_command_line_is_seen_by_both_workers_of_a_running_server(
    open_store, store_url, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys
    import time

    import httpx
    from support.world.api import ApiWorld
    from test_erasure import MENTOR_EMAIL, MENTOR_NAME, _people

    registry = open_store()
    world = ApiWorld(registry)
    mentor, _ = _people(world)
    tokens = dict(world.tokens)
    world.close()
    url, schema = store_url
    env = dict(os.environ, REESTR_DATABASE_URL=url, REESTR_DATABASE_SCHEMA=schema or "", REESTR_LOG_LEVEL="warning")
    if schema is None:
        env.pop("REESTR_DATABASE_SCHEMA")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from ops.cli import app; app()", "serve", "--workers", "2", "--port", str(port)],
        env=env, cwd=Path(__file__).resolve().parents[2], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    reads = {
        "history": (f"/api/v1/audit/aggregates/{mentor}/history", tokens["auditor"], {}),
        "audit log": ("/api/v1/audit/log", tokens["auditor"], {"limit": 500}),
        "staff list": ("/api/v1/mentors", tokens["admin"], {}),
        "public search": ("/api/v1/public/mentors", None, {"q": "Зябликова"}),
        "public page": ("/", None, {"q": "Зябликова"}),
    }

    def answers() -> dict[str, list[str]]:
        """Each read on eight new connections: the two workers take turns accepting them."""
        seen: dict[str, list[str]] = {}
        for name, (path, token, params) in reads.items():
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            for _ in range(8):
                with httpx.Client(base_url=base, timeout=30) as client:
                    response = client.get(path, params=params, headers=headers)
                assert response.status_code == 200, (name, response.status_code, response.text)
                seen.setdefault(name, []).append(response.text)
        return seen

    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else b""
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "reestr serve did not start"
            time.sleep(0.2)
        before = answers()  # every worker has read (and cached) the person
        assert all(any(MENTOR_NAME in text for text in texts) for texts in before.values()), before.keys()

        result = CliRunner().invoke(
            reestr, ["erase", mentor, "--reason", "Заявление об удалении № 7"],
            env={k: v for k, v in env.items() if k.startswith("REESTR_")},
        )
        configure_logging("info", "console")
        assert result.exit_code == 0, result.output

        for name, texts in answers().items():
            for text in texts:
                assert MENTOR_NAME not in text and MENTOR_EMAIL not in text, f"{name} still shows the person"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_the_unit_of_work_hashes_a_record_exactly_as_verify_reads_it(registry: Registry) -> None:
    """The leaf a commit writes and the leaf recomputed from the raw row are one and the same."""
    from projections.transparency.leaves import intact_leaf_hash

    build_region(registry, mentors=1)
    log = TransparencyLog(registry)
    for record in log.iter_records():
        leaf = log.leaf_at_position(int(record.position))
        assert leaf is not None and leaf.leaf_hash == record.leaf_hash()
        originator = record.originator_id
        from uuid import UUID

        originator = originator if isinstance(originator, UUID) else UUID(hex=originator)
        assert intact_leaf_hash(int(record.position), originator, int(record.originator_version), record.topic,
                                bytes(record.state)) == record.leaf_hash()
