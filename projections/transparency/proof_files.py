"""Proof documents an auditor checks offline, with the institute's public key alone.

Inclusion — "this event is leaf N of the tree whose head the institute signed"::

    {"format": "reestr-proof/1", "type": "inclusion",
     "checkpoint": {...signed tree head...},
     "leaf_index": 41, "position": 42, "leaf_hash": "<hex>",
     "record": {"position": 42, "originator_id": {"uuid": "..."}, "originator_version": 3,
                "topic": "...", "state": {"hex": "..."}},           (optional)
     "path": ["<hex>", ...]}

With ``record``, the verifier recomputes the leaf bytes (`leaves.leaf_bytes`) and its hash
itself, so the proof is about the event as stored, not just about a hash.

Consistency — "today's tree extends the tree of the checkpoint I saved, nothing rewritten"::

    {"format": "reestr-proof/1", "type": "consistency",
     "first": {...older signed tree head...}, "second": {...newer signed tree head...},
     "path": ["<hex>", ...]}

`verify_proof_document` is pure: no database, no settings, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from projections.transparency import merkle
from projections.transparency.checkpoints import (
    Checkpoint,
    CheckpointError,
    load_public_key,
    verify_checkpoint,
)
from projections.transparency.leaves import StoredRecord, record_from_json

PROOF_FORMAT = "reestr-proof/1"


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    kind: str  # "inclusion" | "consistency" | "unknown"
    message: str  # for people, in Russian
    details: dict[str, Any] = field(default_factory=dict)


def inclusion_document(
    checkpoint: Checkpoint,
    leaf_index: int,
    position: int,
    leaf_hash: bytes,
    path: Sequence[bytes],
    record: StoredRecord | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": PROOF_FORMAT,
        "type": "inclusion",
        "checkpoint": checkpoint.to_json(),
        "leaf_index": leaf_index,
        "position": position,
        "leaf_hash": leaf_hash.hex(),
    }
    if record is not None:
        document["record"] = record.as_json()
    document["path"] = [p.hex() for p in path]
    return document


def consistency_document(first: Checkpoint, second: Checkpoint, path: Sequence[bytes]) -> dict[str, Any]:
    return {
        "format": PROOF_FORMAT,
        "type": "consistency",
        "first": first.to_json(),
        "second": second.to_json(),
        "path": [p.hex() for p in path],
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


class _Invalid(Exception):
    pass


def _hashes(value: Any, name: str) -> list[bytes]:
    if not isinstance(value, list):
        raise _Invalid(f"Поле {name} должно быть списком хешей")
    return [_hash(item, name) for item in value]


def _hash(value: Any, name: str) -> bytes:
    try:
        raw = bytes.fromhex(value) if isinstance(value, str) else None
    except ValueError:
        raw = None
    if raw is None or len(raw) != merkle.HASH_SIZE:
        raise _Invalid(f"Поле {name} должно содержать хеши SHA-256 (64 шестнадцатеричные цифры)")
    return raw


def _index(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Invalid(f"Поле {name} должно быть неотрицательным целым")
    return value


def _signed(data: Any, public_key: Any, name: str) -> Checkpoint:
    try:
        checkpoint = Checkpoint.from_json(data)
    except CheckpointError as error:
        raise _Invalid(f"{name}: {error}") from None
    problem = verify_checkpoint(checkpoint, public_key)
    if problem:
        raise _Invalid(f"{name}: {problem}")
    return checkpoint


def verify_proof_document(document: dict[str, Any] | str | bytes, public_key_bytes: bytes | str) -> VerifyResult:
    """Check a proof document with the institute's public key (PEM, or raw/hex/base64 32 bytes)."""
    kind = "unknown"
    try:
        public_key = load_public_key(public_key_bytes)
    except CheckpointError as error:
        return VerifyResult(False, kind, str(error))
    try:
        if isinstance(document, (str, bytes)):
            try:
                document = json.loads(document)
            except json.JSONDecodeError as error:
                raise _Invalid(f"Файл доказательства не является JSON: {error}") from None
        if not isinstance(document, dict) or document.get("format") != PROOF_FORMAT:
            raise _Invalid(f"Это не доказательство журнала (ожидался формат {PROOF_FORMAT})")
        kind = str(document.get("type"))
        if kind == "inclusion":
            return _verify_inclusion(document, public_key)
        if kind == "consistency":
            return _verify_consistency(document, public_key)
        raise _Invalid(f"Неизвестный вид доказательства «{kind}»")
    except _Invalid as problem:
        return VerifyResult(False, kind if kind in ("inclusion", "consistency") else "unknown", str(problem))


def _verify_inclusion(document: dict[str, Any], public_key: Any) -> VerifyResult:
    checkpoint = _signed(document.get("checkpoint"), public_key, "Контрольная точка")
    index = _index(document.get("leaf_index"), "leaf_index")
    position = _index(document.get("position"), "position")
    leaf_hash = _hash(document.get("leaf_hash"), "leaf_hash")
    path = _hashes(document.get("path"), "path")
    details: dict[str, Any] = {
        "leaf_index": index, "position": position, "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash, "issued_at": checkpoint.issued_at,
    }
    if "record" in document:
        try:
            record = record_from_json(document["record"])
            recomputed = record.leaf_hash()
        except (KeyError, TypeError, ValueError) as error:
            raise _Invalid(f"Запись события в доказательстве не читается: {error}") from None
        if record.position != position:
            raise _Invalid(f"Запись события относится к позиции {record.position}, а не к {position}")
        if recomputed != leaf_hash:
            raise _Invalid(
                f"Запись события на позиции {position} не совпадает с листом дерева: "
                "событие изменено после внесения в журнал"
            )
        details["record_checked"] = True
    if not merkle.verify_inclusion(leaf_hash, index, checkpoint.tree_size, path, checkpoint.root):
        raise _Invalid(
            f"Доказательство включения не сходится: лист № {index} (позиция {position}) не входит в дерево "
            f"из {checkpoint.tree_size} листьев с подписанным корнем {checkpoint.root_hash[:16]}…"
        )
    what = "Событие" if details.get("record_checked") else "Лист (без записи события)"
    return VerifyResult(
        True, "inclusion",
        f"{what} на позиции журнала {position} — лист № {index} дерева из {checkpoint.tree_size} листьев, "
        f"подписанного {checkpoint.issued_at} (ключ {checkpoint.key_id}).",
        details,
    )


def _verify_consistency(document: dict[str, Any], public_key: Any) -> VerifyResult:
    first = _signed(document.get("first"), public_key, "Ранняя контрольная точка")
    second = _signed(document.get("second"), public_key, "Поздняя контрольная точка")
    path = _hashes(document.get("path"), "path")
    details = {"first_size": first.tree_size, "second_size": second.tree_size,
               "first_root": first.root_hash, "second_root": second.root_hash}
    if first.tree_size > second.tree_size:
        raise _Invalid(
            f"Ранняя контрольная точка больше поздней ({first.tree_size} > {second.tree_size} листьев)"
        )
    if not merkle.verify_consistency(first.tree_size, second.tree_size, first.root, second.root, path):
        raise _Invalid(
            f"Доказательство согласованности не сходится: дерево из {second.tree_size} листьев "
            f"не продолжает дерево из {first.tree_size} листьев от {first.issued_at} — журнал переписан"
        )
    return VerifyResult(
        True, "consistency",
        f"Дерево из {second.tree_size} листьев ({second.issued_at}) продолжает дерево из "
        f"{first.tree_size} листьев ({first.issued_at}): прежние записи не изменены.",
        details,
    )
