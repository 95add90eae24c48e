"""Decoding stored events for a rebuild: the registry's own mapper and transcodings, cheaper.

A rebuild decodes every event that has an applier, and the library's JSON transcoder was half
of its time: a Python hook on every JSON object of every payload, a fresh `UUID` parsed from
hex for each of the same few thousand ids (organizations, mentors, programs recur in thousands
of events), and each value-object dataclass rebuilt through a filtering comprehension. This
transcoder decodes the same bytes to equal objects with the registry's own transcodings (the
sealed personal data, dates, dataclasses, whatever is registered later), only:

- ids: `uuid_hex` values are looked up in a bounded cache of `UUID`s (immutable, so sharing one
  object between events is safe);
- value-object dataclasses (`DataclassAsDict`): a dict holding exactly the fields becomes the
  object's `__dict__` (what the frozen dataclass's `__init__` sets, one setattr at a time);
  missing fields go through `__init__` (defaults), unknown ones through the registry's decode.

The mapper stays the registry's (`SealingMapper`: it tells the sealed transcoding whose event it
is decoding); `fast_mapper` returns a shallow copy of it using this transcoder to decode.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.persistence import TranscodingNotRegisteredError, UUIDAsHex

from registry.transcodings import DataclassAsDict

#: Distinct ids kept: a region's units and people fit; beyond it the cache starts again.
UUID_CACHE_SIZE = 200_000


class ProjectionTranscoder:
    """Decodes like the registry's JSONTranscoder, from the same registered transcodings."""

    def __init__(self, transcoder: Any) -> None:
        self._inner = transcoder
        decoders: dict[str, Callable[[Any], Any]] = {}
        for name, transcoding in transcoder.names.items():
            if type(transcoding) is UUIDAsHex:
                decoders[name] = self._uuid
            elif isinstance(transcoding, DataclassAsDict):
                decoders[name] = _dataclass_decoder(transcoding)
            else:
                decoders[name] = transcoding.decode
        self._decoders = decoders
        self._uuids: dict[str, UUID] = {}
        self._decoder = json.JSONDecoder(object_hook=self._hook)
        self._scan = self._decoder.scan_once

    def encode(self, obj: Any) -> bytes:
        return self._inner.encode(obj)

    def decode(self, data: bytes) -> Any:
        text = data.decode("utf8")
        # The scanner itself: stored payloads are compact JSON, so the two whitespace regex
        # matches `JSONDecoder.decode` wraps around it find nothing; anything else is left to
        # `decode`, which raises as the library's transcoder would.
        try:
            value, end = self._scan(text, 0)
        except StopIteration:
            end = -1
        return value if end == len(text) else self._decoder.decode(text)

    def _hook(self, d: dict[str, Any]) -> Any:
        # As JSONTranscoder._decode_obj: exactly {"_type_": name, "_data_": data} is a value.
        if len(d) == 2 and "_type_" in d and "_data_" in d:
            name = d["_type_"]
            try:
                decode = self._decoders[name]
            except KeyError:
                raise TranscodingNotRegisteredError(
                    f"Data serialized with name '{name}' is not deserializable. Please register "
                    "a custom transcoding for this type."
                ) from None
            return decode(d["_data_"])
        return d

    def _uuid(self, data: str) -> UUID:
        found = self._uuids.get(data)
        if found is None:
            if len(self._uuids) >= UUID_CACHE_SIZE:
                self._uuids.clear()
            found = self._uuids[data] = UUID(data)
        return found


def _dataclass_decoder(transcoding: DataclassAsDict) -> Callable[[dict[str, Any]], Any]:
    cls = transcoding.type
    fields = frozenset(transcoding._fields)  # the fields it was registered with
    slow = transcoding.decode
    if hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        return lambda data: cls(**data) if data.keys() <= fields else slow(data)
    new = object.__new__

    def decode(data: dict[str, Any]) -> Any:
        # Every field there (as every writer writes them): what the generated __init__ would
        # set, without its frozen per-field setattr. Otherwise __init__ fills the defaults.
        if data.keys() == fields:
            obj = new(cls)
            obj.__dict__.update(data)
            return obj
        return cls(**data) if data.keys() <= fields else slow(data)

    return decode


def fast_mapper(mapper: Any) -> Any:
    """A shallow copy of the registry's mapper that decodes with a `ProjectionTranscoder`."""
    fast = copy.copy(mapper)
    fast.transcoder = ProjectionTranscoder(mapper.transcoder)
    return fast
