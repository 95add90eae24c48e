"""Keys, checkpoints and proof files through the real commands, on each store; proofs checked
offline with the public key alone; forged roots, altered events and wrong keys refused."""

from __future__ import annotations

import ast
import copy
import json
import stat
from pathlib import Path

import pytest
from support.transparency import RawStore, build_region
from typer.testing import CliRunner

from ops.cli import app as reestr
from ops.logs import configure_logging
from projections.transparency import proof_files
from projections.transparency.checkpoints import (
    Checkpoint,
    checkpoint_at,
    generate_keys,
    issue_due_checkpoint,
    load_private_key,
    sign_checkpoint,
    verify_checkpoint,
)
from projections.transparency.proof_files import (
    consistency_document,
    verify_proof_document,
)
from projections.transparency.store import TransparencyLog
from registry.application import Registry


class Cli:
    """`reestr` itself (`ops.cli.app`), on the registry's own store, with a key pair in `keys`."""

    def __init__(self, registry: Registry, tmp_path: Path):
        self.tmp = tmp_path
        raw = RawStore(registry)
        if raw.sqlite:
            self.env = {"REESTR_DATABASE_URL": f"sqlite:///{raw.path}", "REESTR_DATABASE_SCHEMA": ""}
        else:
            from support.stores import POSTGRES_URL

            self.env = {"REESTR_DATABASE_URL": POSTGRES_URL, "REESTR_DATABASE_SCHEMA": raw.schema}
        self.env |= {"REESTR_LOG_LEVEL": "warning", "REESTR_SIGNING_KEY_PATH": str(tmp_path / "keys" / "reestr-signing-key.pem")}
        self.public = tmp_path / "keys" / "reestr-signing-key.pub.pem"

    def __call__(self, *args: str | Path | int) -> tuple[int, str]:
        result = CliRunner().invoke(reestr, [str(a) for a in args], env=self.env)
        configure_logging("info", "console")
        return result.exit_code, result.output

    def out(self, name: str) -> Path:
        return self.tmp / name


@pytest.fixture
def cli(registry: Registry, tmp_path: Path) -> Cli:
    build_region(registry)
    cli = Cli(registry, tmp_path)
    code, output = cli("keys", "generate", "-o", tmp_path / "keys")
    assert code == 0, output
    return cli


def test_keys_are_generated_private_key_owner_only_and_never_overwritten(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(reestr, ["keys", "generate", "-o", str(tmp_path / "k")])
    assert result.exit_code == 0, result.output
    private = tmp_path / "k" / "reestr-signing-key.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert b"BEGIN PRIVATE KEY" in private.read_bytes()
    assert b"BEGIN PUBLIC KEY" in (tmp_path / "k" / "reestr-signing-key.pub.pem").read_bytes()
    first_key = private.read_bytes()
    again = runner.invoke(reestr, ["keys", "generate", "-o", str(tmp_path / "k")])
    assert again.exit_code == 1 and "уже есть" in again.output
    assert private.read_bytes() == first_key, "a refused generation left the key as it was"
    forced = runner.invoke(reestr, ["keys", "generate", "-o", str(tmp_path / "k"), "--force"])
    assert forced.exit_code == 0
    assert private.read_bytes() != first_key, "--force made a new key"


def test_checkpoint_inclusion_proof_verifies_offline_and_forgeries_fail(
    cli: Cli, registry: Registry, tmp_path: Path
) -> None:
    code, output = cli("checkpoint", "-o", cli.out("cp.json"))
    assert code == 0, output
    checkpoint = Checkpoint.loads(cli.out("cp.json").read_text())
    public_pem = cli.public.read_bytes()
    from projections.transparency.checkpoints import load_public_key

    assert verify_checkpoint(checkpoint, load_public_key(public_pem)) is None
    assert checkpoint.tree_size == len(RawStore(registry).positions())

    position = RawStore(registry).positions()[5]
    code, output = cli("proof", "inclusion", "--position", position, "-o", cli.out("inc.json"))
    assert code == 0, output
    code, output = cli("verify-proof", cli.out("inc.json"), "--key", cli.public)
    assert code == 0, output
    assert f"позиции журнала {position}" in output
    document = json.loads(cli.out("inc.json").read_text())
    assert verify_proof_document(document, public_pem).ok

    def refused(changed: dict, why: str) -> None:
        result = verify_proof_document(changed, public_pem)
        assert not result.ok and why in result.message, result.message

    forged = copy.deepcopy(document)
    forged["checkpoint"]["root_hash"] = "ab" * 32
    refused(forged, "Подпись контрольной точки неверна")
    altered = copy.deepcopy(document)
    altered["record"]["state"]["utf8"] += " "
    refused(altered, "не совпадает с листом")
    leaf_swapped = copy.deepcopy(document)
    del leaf_swapped["record"]
    leaf_swapped["leaf_hash"] = "cd" * 32
    refused(leaf_swapped, "не сходится")
    moved = copy.deepcopy(document)
    moved["leaf_index"] += 1
    refused(moved, "не сходится")
    if document["path"]:
        path_changed = copy.deepcopy(document)
        path_changed["path"][0] = "00" * 32
        refused(path_changed, "не сходится")
    # the whole head re-signed by someone else's key: refused with the institute's key
    other = tmp_path / "other"
    generate_keys(other)
    impostor = load_private_key(other / "reestr-signing-key.pem")
    resigned = copy.deepcopy(document)
    resigned["checkpoint"] = sign_checkpoint(impostor, checkpoint.tree_size, checkpoint.position, bytes(32)).to_json()
    refused(resigned, "подписана другим ключом")
    code, output = cli("verify-proof", cli.out("inc.json"), "--key", other / "reestr-signing-key.pub.pem")
    assert code == 1 and "НЕ верно" in output
    # the raw 32-byte key in hex is accepted as well
    raw_hex = load_private_key(tmp_path / "keys" / "reestr-signing-key.pem").public_key().public_bytes_raw().hex()
    assert verify_proof_document(json.dumps(document), raw_hex).ok


def test_an_earlier_checkpoint_still_verifies_against_the_grown_log(cli: Cli, registry: Registry) -> None:
    code, output = cli("checkpoint", "-o", cli.out("last-year.json"))
    assert code == 0, output
    old = Checkpoint.loads(cli.out("last-year.json").read_text())
    build_region(registry, mentors=3)

    code, output = cli("proof", "consistency", "--from", cli.out("last-year.json"), "-o", cli.out("cons.json"))
    assert code == 0, output
    code, output = cli("verify-proof", cli.out("cons.json"), "--key", cli.public)
    assert code == 0, output
    document = json.loads(cli.out("cons.json").read_text())
    assert document["first"] == old.to_json()
    assert document["second"]["tree_size"] > old.tree_size
    # an event of last year, proven against last year's checkpoint from today's store
    position = RawStore(registry).positions()[3]
    code, output = cli("proof", "inclusion", "--position", position, "--checkpoint", cli.out("last-year.json"),
                       "-o", cli.out("inc-old.json"))
    assert code == 0, output
    assert json.loads(cli.out("inc-old.json").read_text())["checkpoint"] == old.to_json()
    assert cli("verify-proof", cli.out("inc-old.json"), "--key", cli.public)[0] == 0
    # an event newer than that checkpoint cannot be proven against it
    newest = RawStore(registry).positions()[-1]
    code, output = cli("proof", "inclusion", "--position", newest, "--checkpoint", cli.out("last-year.json"))
    assert code == 1 and "позже контрольной точки" in output

    # swapped checkpoints, or a forged path, do not verify
    swapped = dict(document, first=document["second"], second=document["first"])
    assert not verify_proof_document(swapped, cli.public.read_bytes()).ok
    if document["path"]:
        bad = copy.deepcopy(document)
        bad["path"][-1] = "11" * 32
        assert not verify_proof_document(bad, cli.public.read_bytes()).ok


def test_a_rewritten_log_cannot_prove_consistency_with_an_earlier_checkpoint(
    cli: Cli, registry: Registry, tmp_path: Path
) -> None:
    assert cli("checkpoint", "-o", cli.out("old.json"))[0] == 0
    old = Checkpoint.loads(cli.out("old.json").read_text())
    raw = RawStore(registry)
    position = raw.positions()[4]
    raw.alter(position)

    # the event itself: the store refuses to prove what it no longer holds
    code, output = cli("proof", "inclusion", "--position", position, "--checkpoint", cli.out("old.json"))
    assert code == 1 and "не совпадает со своим листом" in output

    # the thorough attacker rebuilds the tree over the altered event: consistency is refused…
    raw.rewrite_tree_to_match()
    code, output = cli("proof", "consistency", "--from", cli.out("old.json"), "-o", cli.out("c.json"))
    assert code == 1 and "журнал переписан" in output
    # …and a proof made anyway, with a fresh head signed by the institute's own key, fails offline
    log = TransparencyLog(registry)
    log.catch_up()
    key = load_private_key(tmp_path / "keys" / "reestr-signing-key.pem")
    second = checkpoint_at(log, key, log.head().tree_size)
    forged = consistency_document(old, second, log.consistency_proof(old.tree_size, second.tree_size))
    result = verify_proof_document(forged, cli.public.read_bytes())
    assert not result.ok and "журнал переписан" in result.message
    assert cli("verify", "--checkpoint", cli.out("old.json"), "--key", cli.public)[0] == 1


def test_checkpoints_are_issued_periodically_only_when_due_and_the_log_grew(registry: Registry, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    build_region(registry, mentors=1)
    generate_keys(tmp_path)
    key = load_private_key(tmp_path / "reestr-signing-key.pem")
    log = TransparencyLog(registry)
    log.catch_up()
    first = issue_due_checkpoint(log, key, timedelta(hours=1))
    assert first is not None and first.tree_size == log.head().tree_size
    later = datetime.now(UTC) + timedelta(hours=2)
    assert issue_due_checkpoint(log, key, timedelta(hours=1), now=later) is None, "the log did not grow"
    build_region(registry, mentors=1)
    log.catch_up()
    assert issue_due_checkpoint(log, key, timedelta(hours=1)) is None, "not due yet"
    second = issue_due_checkpoint(log, key, timedelta(hours=1), now=later)
    assert second is not None and second.tree_size > first.tree_size
    stored = [Checkpoint.loads(text) for text in log.checkpoint_documents()]
    assert stored == [first, second]


def test_missing_signing_key_is_a_clear_configuration_error(cli: Cli) -> None:
    cli.env["REESTR_SIGNING_KEY_PATH"] = None  # type: ignore[assignment]
    code, output = cli("checkpoint")
    assert code == 2 and "REESTR_SIGNING_KEY_PATH" in output
    cli.env["REESTR_SIGNING_KEY_PATH"] = str(cli.tmp)
    code, output = cli("checkpoint")
    assert code == 2 and "папку" in output
    cli.env["REESTR_SIGNING_KEY_PATH"] = str(cli.public)
    code, output = cli("checkpoint")
    assert code == 2 and "не является закрытым ключом" in output


def test_the_offline_verifier_imports_no_database() -> None:
    """merkle, leaves, checkpoints and proof_files can be handed to an auditor as they are."""
    allowed = {"__future__", "base64", "binascii", "collections", "dataclasses", "datetime", "hashlib", "json",
               "os", "pathlib", "re", "struct", "typing", "uuid", "cryptography", "projections"}
    package = Path(proof_files.__file__).parent
    for name in ("merkle.py", "leaves.py", "checkpoints.py", "proof_files.py"):
        tree = ast.parse((package / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module == "projections.transparency":
                modules = [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] in allowed, f"{name} imports {module}"
                if module.startswith("projections"):
                    assert module.split(".")[-1] in ("merkle", "leaves", "checkpoints"), f"{name} imports {module}"


def test_a_message_naming_a_long_path_stays_one_line_whatever_the_terminal_width(cli: Cli) -> None:
    # The runner's terminal is 80 columns: a path this long used to be wrapped (and the words after
    # it cut), so matching the message passed or failed with the length of the temporary folder.
    folder = cli.tmp / ("ключи-аудитора-" + "о" * 60)
    folder.mkdir()
    wrong = folder / "reestr-signing-key.pub.pem"
    wrong.write_bytes(cli.public.read_bytes())
    cli.env["REESTR_SIGNING_KEY_PATH"] = str(wrong)
    code, output = cli("checkpoint")
    assert code == 2
    assert f"Файл {wrong} не является закрытым ключом PEM" in output.splitlines()[0]
