"""How the value objects of events are written to and read back from the store.

The library encodes UUID, Decimal and datetime only; every other type an event carries needs
a transcoding here, and tests round-trip each through a real store.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

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
