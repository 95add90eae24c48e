"""The canonical bytes of a stored event record: what a leaf of the transparency log commits to.

A leaf is the record exactly as the store holds it (not its decoded meaning), so the same
record gives the same bytes on SQLite and on PostgreSQL, and anyone can recompute it from a raw
dump of the events table (``SELECT rowid, * FROM stored_events`` on SQLite,
``SELECT notification_id, originator_id, originator_version, topic, state FROM registry_events``
on PostgreSQL).

Encoding, version 1 (all integers big-endian)::

    leaf   = MAGIC || value(position) || value(originator_id) || value(originator_version)
                   || value(topic) || value(state)
    MAGIC  = b"reestr-leaf/1" || 0x00                       (14 bytes)
    value  = tag (1 byte) || length (4 bytes, unsigned) || payload (length bytes)

    tag 0x00  NULL     payload empty
    tag 0x01  integer  8 bytes, two's complement (signed 64-bit)
    tag 0x02  text     UTF-8
    tag 0x03  bytes    as stored
    tag 0x04  UUID     its 16 bytes (RFC 4122 order)
    tag 0x05  real     8 bytes, IEEE 754 double (only a hand-edited SQLite row holds one)

``position`` is the notification id (the log position: SQLite's ``rowid``, PostgreSQL's
``notification_id``). An intact record is always (integer, UUID, integer, text, bytes). SQLite
keeps a UUID as 32 lower-case hex digits: exactly that text is read as the UUID, any other text
stays text (and so changes the leaf). Any other type a hand-edited row may hold (a text
``state``, a NULL topic) gets its own tag, so it can never encode like an intact record.

The leaf hash is RFC 9162's ``SHA-256(0x00 || leaf)`` (`merkle.hash_leaf`).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from projections.transparency.merkle import hash_leaf

MAGIC = b"reestr-leaf/1\x00"

TAG_NULL = 0x00
TAG_INTEGER = 0x01
TAG_TEXT = 0x02
TAG_BYTES = 0x03
TAG_UUID = 0x04
TAG_REAL = 0x05

_INT64 = struct.Struct(">q")
_DOUBLE = struct.Struct(">d")
_HEADER = struct.Struct(">BI")


@dataclass(frozen=True)
class StoredRecord:
    """One row of the events table as read raw (values as the driver returned them)."""

    position: Any
    originator_id: Any
    originator_version: Any
    topic: Any
    state: Any

    def leaf(self) -> bytes:
        return leaf_bytes(self.position, self.originator_id, self.originator_version, self.topic, self.state)

    def leaf_hash(self) -> bytes:
        return hash_leaf(self.leaf())

    def at(self, position: int) -> StoredRecord:
        """The same content as if it were stored at another position (to recognise a move)."""
        return StoredRecord(position, self.originator_id, self.originator_version, self.topic, self.state)

    def as_json(self) -> dict[str, Any]:
        """The record in a proof file: enough to recompute its leaf bytes (`record_from_json`)."""
        originator_id = canonical_originator_id(self.originator_id)
        return {"position": _json_value(self.position), "originator_id": _json_value(originator_id),
                "originator_version": _json_value(self.originator_version), "topic": _json_value(self.topic),
                "state": _json_value(self.state)}


def canonical_originator_id(value: Any) -> Any:
    """SQLite's 32-hex-digit text of a UUID as the UUID; anything else unchanged."""
    if isinstance(value, str) and len(value) == 32:
        try:
            parsed = UUID(hex=value)
        except ValueError:
            return value
        if parsed.hex == value:
            return parsed
    return value


def encode_value(value: Any) -> bytes:
    """One field: tag, length, payload."""
    if value is None:
        tag, payload = TAG_NULL, b""
    elif isinstance(value, bool):
        raise TypeError("a stored record has no boolean fields")
    elif isinstance(value, int):
        tag, payload = TAG_INTEGER, _INT64.pack(value)
    elif isinstance(value, UUID):
        tag, payload = TAG_UUID, value.bytes
    elif isinstance(value, str):
        tag, payload = TAG_TEXT, value.encode("utf-8", "surrogatepass")
    elif isinstance(value, (bytes, bytearray, memoryview)):
        tag, payload = TAG_BYTES, bytes(value)
    elif isinstance(value, float):
        tag, payload = TAG_REAL, _DOUBLE.pack(value)
    else:
        raise TypeError(f"cannot encode a {type(value).__name__} in a leaf")
    return _HEADER.pack(tag, len(payload)) + payload


def leaf_bytes(position: Any, originator_id: Any, originator_version: Any, topic: Any, state: Any) -> bytes:
    """The canonical bytes of one stored record (see the module's documentation)."""
    return MAGIC + b"".join(
        encode_value(v)
        for v in (position, canonical_originator_id(originator_id), originator_version, topic, state)
    )


_INTACT = struct.Struct(">BIqBI16sBIq")  # position, originator id, version: tag, length, payload each


def intact_leaf_hash(position: int, originator_id: UUID, originator_version: int, topic: str, state: bytes) -> bytes:
    """`leaf_hash` of a record as the registry writes it (integer, UUID, integer, text, bytes),
    packed at once: the unit of work hashes every new record in the events' transaction."""
    encoded = topic.encode("utf-8", "surrogatepass")
    return hashlib.sha256(
        b"\x00" + MAGIC
        + _INTACT.pack(TAG_INTEGER, 8, position, TAG_UUID, 16, originator_id.bytes, TAG_INTEGER, 8, originator_version)
        + _HEADER.pack(TAG_TEXT, len(encoded)) + encoded + _HEADER.pack(TAG_BYTES, len(state)) + state
    ).digest()


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, UUID):
        return {"uuid": str(value)}
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:  # the stored JSON, readable; its UTF-8 encoding gives back the very same bytes
            return {"utf8": bytes(value).decode("utf-8")}
        except UnicodeDecodeError:
            return {"hex": bytes(value).hex()}
    if isinstance(value, float):
        return {"real": value}
    raise TypeError(f"cannot write a {type(value).__name__} in a proof")


def _from_json(value: Any) -> Any:
    if value is None or isinstance(value, (int, str)) and not isinstance(value, bool):
        return value
    if isinstance(value, dict) and len(value) == 1:
        if "uuid" in value:
            return UUID(value["uuid"])
        if "hex" in value:
            return bytes.fromhex(value["hex"])
        if "utf8" in value and isinstance(value["utf8"], str):
            return value["utf8"].encode("utf-8")
        if "real" in value and isinstance(value["real"], (int, float)):
            return float(value["real"])
    raise ValueError(f"not a stored value: {value!r}")


def record_from_json(data: dict[str, Any]) -> StoredRecord:
    """The inverse of `StoredRecord.as_json` (raises ValueError on anything else).

    In JSON: integers and text as themselves, NULL as null, a UUID as ``{"uuid": "…"}``, bytes
    as ``{"utf8": "…"}`` (when they are valid UTF-8, as the stored JSON is) or ``{"hex": "…"}``.
    """
    return StoredRecord(
        _from_json(data["position"]), _from_json(data["originator_id"]),
        _from_json(data["originator_version"]), _from_json(data["topic"]), _from_json(data["state"]),
    )
