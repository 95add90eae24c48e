"""Signed tree heads (checkpoints) and the institute's Ed25519 keys.

A checkpoint is a small JSON document::

    {"format": "reestr-checkpoint/1", "tree_size": 1234, "position": 1240,
     "root_hash": "<64 hex digits>", "issued_at": "2024-05-01T12:00:00Z",
     "key_id": "<16 hex digits>", "signature": "<base64 of 64 bytes>"}

``position`` is the last log position in the tree (positions may have gaps on PostgreSQL;
``tree_size`` is the number of leaves). ``key_id`` is the first 8 bytes of SHA-256 of the raw
32-byte public key, in hex. The signature is Ed25519 (RFC 8032) over these exact bytes, UTF-8,
each line ending in a line feed::

    reestr-checkpoint/1
    key_id <key_id>
    tree_size <tree_size>
    position <position>
    root_hash <root_hash>
    issued_at <issued_at>

so anyone can check it with the public key alone (`verify_checkpoint`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

CHECKPOINT_FORMAT = "reestr-checkpoint/1"
PRIVATE_KEY_FILE = "reestr-signing-key.pem"
PUBLIC_KEY_FILE = "reestr-signing-key.pub.pem"

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")
_ISSUED_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class CheckpointError(ValueError):
    """A checkpoint document or a key that cannot be used; the message is in Russian."""


@dataclass(frozen=True)
class Checkpoint:
    tree_size: int
    position: int
    root_hash: str
    issued_at: str
    key_id: str
    signature: str
    format: str = CHECKPOINT_FORMAT

    def signed_bytes(self) -> bytes:
        return signed_message(self.tree_size, self.position, self.root_hash, self.issued_at, self.key_id)

    @property
    def root(self) -> bytes:
        return bytes.fromhex(self.root_hash)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {"format": data.pop("format"), **data}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, data: Any) -> Checkpoint:
        """Parse and check the shape (not the signature: see `verify_checkpoint`)."""
        if not isinstance(data, dict):
            raise CheckpointError("Контрольная точка должна быть объектом JSON")
        if data.get("format") != CHECKPOINT_FORMAT:
            raise CheckpointError(f"Это не контрольная точка журнала (ожидался формат {CHECKPOINT_FORMAT})")
        try:
            tree_size, position = data["tree_size"], data["position"]
            root_hash, issued_at = data["root_hash"], data["issued_at"]
            key_id, signature = data["key_id"], data["signature"]
        except KeyError as missing:
            raise CheckpointError(f"В контрольной точке нет поля {missing}") from None
        for name, value in (("tree_size", tree_size), ("position", position)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise CheckpointError(f"Поле {name} контрольной точки должно быть неотрицательным целым")
        checks = ((root_hash, _HEX64, "root_hash"), (issued_at, _ISSUED_AT, "issued_at"), (key_id, _KEY_ID, "key_id"))
        for value, pattern, name in checks:
            if not isinstance(value, str) or not pattern.match(value):
                raise CheckpointError(f"Поле {name} контрольной точки записано неверно")
        if not isinstance(signature, str):
            raise CheckpointError("Поле signature контрольной точки записано неверно")
        return cls(tree_size, position, root_hash, issued_at, key_id, signature)

    @classmethod
    def loads(cls, text: str | bytes) -> Checkpoint:
        try:
            return cls.from_json(json.loads(text))
        except json.JSONDecodeError as error:
            raise CheckpointError(f"Файл контрольной точки не является JSON: {error}") from None


def signed_message(tree_size: int, position: int, root_hash: str, issued_at: str, key_id: str) -> bytes:
    """The exact bytes a checkpoint's signature covers."""
    return (
        f"{CHECKPOINT_FORMAT}\nkey_id {key_id}\ntree_size {tree_size}\nposition {position}\n"
        f"root_hash {root_hash}\nissued_at {issued_at}\n"
    ).encode()


# -- keys -----------------------------------------------------------------------------------------


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """First 8 bytes of SHA-256 of the raw public key, hex: names the key in checkpoints."""
    return hashlib.sha256(raw_public_key(public_key)).digest()[:8].hex()


def generate_keys(directory: Path, *, force: bool = False) -> tuple[Path, Path, str]:
    """Write a new Ed25519 key pair: private (PKCS#8 PEM, mode 0600) and public (PEM)."""
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / PRIVATE_KEY_FILE, directory / PUBLIC_KEY_FILE
    if not force:
        for path in (private_path, public_path):
            if path.exists():
                raise CheckpointError(f"Файл {path} уже есть: старый ключ не перезаписан (--force, если он не нужен)")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private_path.unlink(missing_ok=True)
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(private_pem)
    os.chmod(private_path, 0o600)  # whatever the umask
    public_path.write_bytes(public_pem)
    return private_path, public_path, key_id(key.public_key())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise CheckpointError(f"Не удалось прочитать ключ подписи {path}: {error.strerror or error}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise CheckpointError(f"Файл {path} не является закрытым ключом PEM: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"Ключ {path} не Ed25519")
    return key


def load_public_key(data: bytes | str) -> Ed25519PublicKey:
    """A public key from PEM, or its 32 raw bytes, or those bytes in hex or base64."""
    if isinstance(data, str):
        data = data.encode()
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text)
        except (ValueError, TypeError) as error:
            raise CheckpointError(f"Открытый ключ PEM не читается: {error}") from None
        if not isinstance(key, Ed25519PublicKey):
            raise CheckpointError("Открытый ключ не Ed25519")
        return key
    raw: bytes | None = data if len(data) == 32 else None
    if raw is None:
        try:
            raw = bytes.fromhex(text.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            try:
                raw = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raw = None
    if raw is None or len(raw) != 32:
        raise CheckpointError("Открытый ключ не распознан: нужен PEM или 32 байта (hex, base64)")
    return Ed25519PublicKey.from_public_bytes(raw)


# -- signing and checking ---------------------------------------------------------------------------


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_checkpoint(
    private_key: Ed25519PrivateKey, tree_size: int, position: int, root: bytes, issued_at: str | None = None
) -> Checkpoint:
    kid = key_id(private_key.public_key())
    issued = issued_at or now_utc()
    message = signed_message(tree_size, position, root.hex(), issued, kid)
    signature = base64.b64encode(private_key.sign(message)).decode("ascii")
    return Checkpoint(tree_size, position, root.hex(), issued, kid, signature)


def verify_checkpoint(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> str | None:
    """None if the institute's key signed exactly this checkpoint; otherwise why not (Russian)."""
    if checkpoint.key_id != key_id(public_key):
        return (
            f"Контрольная точка подписана другим ключом ({checkpoint.key_id}), "
            f"а проверяется ключом {key_id(public_key)}"
        )
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
    except (binascii.Error, ValueError):
        return "Подпись контрольной точки не в base64"
    try:
        public_key.verify(signature, checkpoint.signed_bytes())
    except InvalidSignature:
        return "Подпись контрольной точки неверна: документ изменён или подписан не этим ключом"
    return None


def issue_checkpoint(log: Any, private_key: Ed25519PrivateKey, *, issued_at: str | None = None) -> Checkpoint:
    """Sign the tree as it is now and keep the document in the store (`tl_checkpoints`).
    `reestr checkpoint` first checks the tree against the events (transparency/signing.py)."""
    head = log.head()
    checkpoint = sign_checkpoint(private_key, head.tree_size, head.position, head.root_hash, issued_at)
    log.record_checkpoint(checkpoint.tree_size, checkpoint.issued_at, checkpoint.dumps())
    return checkpoint


def checkpoint_at(log: Any, private_key: Ed25519PrivateKey, tree_size: int) -> Checkpoint:
    """A freshly signed head of the tree of `tree_size` leaves (a past size too)."""
    return sign_checkpoint(private_key, tree_size, log.position_of_size(tree_size), log.root(tree_size))


def issue_due_checkpoint(
    log: Any, private_key: Ed25519PrivateKey, every: timedelta, *, now: datetime | None = None
) -> Checkpoint | None:
    """The periodic issuer: a new checkpoint if the tree grew and the last one is `every` old."""
    latest = log.latest_checkpoint_document()
    head = log.head()
    if latest is not None:
        last = Checkpoint.loads(latest)
        issued = datetime.strptime(last.issued_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if last.tree_size == head.tree_size or (now or datetime.now(UTC)) - issued < every:
            return None
    elif head.tree_size == 0:
        return None
    return issue_checkpoint(log, private_key)
