"""How the value objects of events are written to and read back from the store.

The library encodes UUID, Decimal and datetime only; every other type an event carries needs
a transcoding here, and tests round-trip each through a real store.

`RegistryTranscoder` writes the very bytes the library's `JSONTranscoder` writes, faster: the
library's encoder calls back into Python for every value JSON does not know (an event has ~4:
its timestamp, its meta, ids, dates) and encodes what the callback returns; this one writes the
JSON text itself, knowing the types events carry (ids, dates and times inline; every other
registered transcoding as the library would wrap it). Reading is the library's.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from json.encoder import encode_basestring
from typing import Any

from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Transcoding,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

from registry.sealing import PersonalKeys, register_sealing
from registry.values import (
    Contingent,
    Document,
    EventMeta,
    MentorProfile,
    TrainingRecord,
)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class DataclassAsDict(Transcoding):
    """A frozen dataclass as a dict of its fields, under a stable name."""

    def __init__(self, cls: type, name: str):
        self.type = cls
        self.name = name
        self._fields = [f.name for f in dataclasses.fields(cls)]

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        # Unknown keys are dropped so that an older reader tolerates a newer optional field.
        return self.type(**{k: v for k, v in data.items() if k in self._fields})


#: Stable names: they are written into every stored event, so never rename one.
DATACLASS_NAMES: dict[type, str] = {
    EventMeta: "event_meta",
    Document: "document",
    Contingent: "contingent",
    MentorProfile: "mentor_profile",
    TrainingRecord: "training_record",
}


def register_registry_transcodings(transcoder: JSONTranscoder, keys: PersonalKeys) -> None:
    """Register every type registry events carry beyond the library's defaults."""
    transcoder.register(DateAsISO())
    for cls, name in DATACLASS_NAMES.items():
        transcoder.register(DataclassAsDict(cls, name))
    # PersonalData is sealed per person (registry/sealing.py), never written in clear.
    register_sealing(transcoder, keys)


class _Unusual(Exception):
    """A value the fast path does not write (a dict with keys that are not text, a NaN…): the
    whole object is encoded by the library's encoder instead."""


def _key(key: Any) -> str:
    if type(key) is not str:
        raise _Unusual
    return encode_basestring(key)


_INLINE: dict[type, Any] = {
    UUIDAsHex: lambda v: f'{{"_type_":"uuid_hex","_data_":"{v.int:032x}"}}',  # UUID.hex
    DatetimeAsISO: lambda v: '{"_type_":"datetime_iso","_data_":"' + v.isoformat() + '"}',
    DateAsISO: lambda v: '{"_type_":"date_iso","_data_":"' + v.isoformat() + '"}',
}


class RegistryTranscoder(JSONTranscoder):
    """The library's JSON transcoder, encoding without a Python callback per value.

    Writes what `json.JSONEncoder(default=self._encode_obj, separators=(",", ":"),
    ensure_ascii=False)` writes (tests compare the bytes over every kind of event): objects in
    their order, text escaped by the same C function, a registered type as
    `{"_type_":name,"_data_":…}`; anything it is not sure of goes to the library's encoder."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[str, str] = {}
        self._inline: dict[type, Any] = {}
        # The events of one command share one EventMeta (frozen), one after the other: its text
        # is kept for the next event.
        self._last_shared: tuple[Any, str] = (object(), "")

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        # The library's own transcodings of ids and times, and ours of dates, are written inline
        # (their names are fixed by their classes); any other transcoding is called.
        inline = _INLINE.get(type(transcoding))
        if inline is not None and transcoding.name == type(transcoding).name:
            self._inline[transcoding.type] = inline
        else:
            self._inline.pop(transcoding.type, None)

    def encode(self, obj: Any) -> bytes:
        try:
            return self._value(obj).encode("utf8")
        except _Unusual:
            return super().encode(obj)

    def _value(self, v: Any) -> str:
        kind = type(v)
        if kind is str:
            return encode_basestring(v)
        if kind is dict:
            keys = self._keys
            parts = []
            for key, value in v.items():
                text = keys.get(key)
                if text is None:
                    text = _key(key) + ":"
                    if len(keys) < 10_000:
                        keys[key] = text
                # The commonest values written here, without a call each.
                if type(value) is str:
                    parts.append(text + encode_basestring(value))
                elif value is None:
                    parts.append(text + "null")
                else:
                    parts.append(text + self._value(value))
            return "{" + ",".join(parts) + "}"
        if v is None:
            return "null"
        if v is True:
            return "true"
        if v is False:
            return "false"
        if kind is int:
            return int.__repr__(v)
        inline = self._inline.get(kind)
        if inline is not None:
            return inline(v)
        if kind is float and v - v == 0:  # finite: its repr, as JSON writes it (NaN, ±inf below)
            return float.__repr__(v)
        if kind is list or kind is tuple:
            return "[" + ",".join([self._value(x) for x in v]) + "]"
        if isinstance(v, str):  # StrEnum: JSON writes the text
            return encode_basestring(v)
        if isinstance(v, (int, float, list, tuple, dict)):  # floats, other subclasses: the library's way
            raise _Unusual
        last = self._last_shared
        if v is last[0]:
            return last[1]
        transcoding = self.types.get(kind)
        if transcoding is None:
            raise TranscodingNotRegisteredError(
                f"Object of type {kind} is not serializable. Please define and register "
                "a custom transcoding for this type."
            )
        text = '{"_type_":' + encode_basestring(transcoding.name) + ',"_data_":' + self._value(transcoding.encode(v)) + "}"
        if kind is EventMeta:
            self._last_shared = (v, text)  # one tuple: a thread sees an object with its own text
        return text
