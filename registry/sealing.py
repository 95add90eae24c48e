"""Personal data sealed per person, so that destroying one key erases one person (crypto-shredding).

Every `PersonalData` an event carries is stored encrypted (AES-256-GCM) with a key of its own
subject — the mentor or mentee the event belongs to (its originator). The keys live beside the
events in a key table (`PersonalKeys`); erasing a person destroys the key and leaves a tombstone,
so the stored events are never rewritten (the Merkle tree and `verify` are untouched), while
every later read of that person's personal data yields `ERASED_PERSON`.

The subject reaches the transcoding through a context variable that `SealingMapper` sets around
each event it encodes or decodes: the library's transcoder sees values, not events.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Mapper, StoredEvent, Transcoding

from registry.values import PersonalData

#: What a person reads in place of erased personal data.
ERASED = "данные удалены"
ERASED_PERSON = PersonalData(full_name=ERASED)

KEY_BYTES = 32
_NONCE_BYTES = 12

_subject: ContextVar[UUID | None] = ContextVar("reestr_sealing_subject", default=None)


class PersonalKeyMissing(LookupError):
    """Sealed data whose subject has no key and no tombstone: the key table is not this log's."""


class PersonalKeys(Protocol):
    """The key table: one key per person, destroyed (a tombstone kept) when the person is erased."""

    def key_for(self, subject: UUID) -> bytes | None:
        """The subject's key; None once erased; PersonalKeyMissing if there never was one."""

    def ensure(self, subject: UUID) -> bytes:
        """The subject's key, created (and durably stored) on first use; ValueError if erased."""

    def ensure_many(self, subjects: Iterable[UUID]) -> None:
        """`ensure` for many subjects, in one write."""

    def destroy(self, subject: UUID) -> bool:
        """Destroy the key, keep a tombstone; True if a key was destroyed now."""

    def forget(self, subject: UUID) -> None:
        """Drop a cached key: another process may have destroyed it."""

    def is_erased(self, subject: UUID) -> bool: ...

    def entries(self) -> Iterator[tuple[UUID, bytes | None]]:
        """Every subject with its key (None for a tombstone), for export."""

    def load(self, entries: Iterable[tuple[UUID, bytes | None]]) -> int:
        """Add exported entries (restore); an existing subject is left as it is."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class KeyChanges:
    """What one unit of work does to the key table, stored in the events' own transaction:
    the keys new people's data was sealed with, and the people it erases."""

    new: dict[UUID, bytes] = field(default_factory=dict)
    erased: list[UUID] = field(default_factory=list)


class ErasedSubject(ValueError):
    """A sealed value was to be written for a person already erased."""


class KeyTableReads:
    """What every key table derives from `key_for`."""

    def key_for(self, subject: UUID) -> bytes | None:
        raise NotImplementedError

    def is_erased(self, subject: UUID) -> bool:
        try:
            return self.key_for(subject) is None
        except PersonalKeyMissing:
            return False


class MemoryPersonalKeys(KeyTableReads):
    """Keys in this process only: for in-memory stores and tests."""

    def __init__(self) -> None:
        self._keys: dict[UUID, bytes | None] = {}
        self._lock = threading.Lock()

    def key_for(self, subject: UUID) -> bytes | None:
        if subject in self._keys:
            return self._keys[subject]
        raise PersonalKeyMissing(subject)

    def ensure(self, subject: UUID) -> bytes:
        with self._lock:
            if subject not in self._keys:
                self._keys[subject] = AESGCM.generate_key(KEY_BYTES * 8)
            key = self._keys[subject]
        if key is None:
            raise ErasedSubject(subject)
        return key

    def ensure_many(self, subjects: Iterable[UUID]) -> None:
        for subject in subjects:
            self.ensure(subject)

    def destroy(self, subject: UUID) -> bool:
        with self._lock:
            had = self._keys.get(subject) is not None
            self._keys[subject] = None
            return had

    def forget(self, subject: UUID) -> None:
        pass  # nothing is cached apart from the keys themselves

    def prepare(self, subjects: Iterable[UUID]) -> dict[UUID, bytes]:
        self.ensure_many(subjects)  # kept here at once: this process is the only reader
        return {}

    def settle(self, changes: KeyChanges, *, committed: bool) -> None:
        if committed:
            for subject in changes.erased:
                self.destroy(subject)

    def refresh(self) -> bool:
        return False  # no other process shares these keys

    def entries(self) -> Iterator[tuple[UUID, bytes | None]]:
        yield from sorted(self._keys.items(), key=lambda item: str(item[0]))

    def load(self, entries: Iterable[tuple[UUID, bytes | None]]) -> int:
        added = 0
        with self._lock:
            for subject, key in entries:
                if subject not in self._keys:
                    self._keys[subject] = key
                    added += 1
        return added

    def close(self) -> None:
        pass


def people_in(events: Iterable[Any]) -> set[UUID]:
    """The subjects of the events that carry personal data (whose keys their encoding needs)."""
    return {
        e.originator_id
        for e in events
        if any(isinstance(value, PersonalData) for value in vars(e).values())
    }


ERASURE_TOPICS = frozenset({"reestr:Mentor.PersonalDataErased", "reestr:Mentee.PersonalDataErased"})


def erasures_in(events: Iterable[Any]) -> list[UUID]:
    """The subjects whose erasure these events record."""
    return [e.originator_id for e in events if getattr(type(e), "TOPIC", None) in ERASURE_TOPICS]


def _current_subject() -> UUID:
    subject = _subject.get()
    if subject is None:
        raise RuntimeError("personal data is sealed per subject: encode it through SealingMapper")
    return subject


def _plain(person: PersonalData) -> bytes:
    fields = {
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "email": person.email,
        "phone": person.phone,
        "snils": person.snils,
    }
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()


def _person(plain: bytes) -> PersonalData:
    fields: dict[str, Any] = json.loads(plain)
    birth = fields.get("birth_date")
    return PersonalData(
        full_name=fields["full_name"],
        birth_date=date.fromisoformat(birth) if birth else None,
        email=fields.get("email"),
        phone=fields.get("phone"),
        snils=fields.get("snils"),
    )


class SealedPersonalData(Transcoding):
    """`PersonalData` as AES-GCM ciphertext under its subject's key; the subject id is the AAD."""

    type = PersonalData
    name = "sealed_personal_data"

    def __init__(self, keys: PersonalKeys) -> None:
        self.keys = keys

    @staticmethod
    @lru_cache(maxsize=4096)
    def _cipher(key: bytes) -> AESGCM:
        # Building the cipher is a third of a sealed value's decoding; a rebuild opens each many times.
        return AESGCM(key)

    def encode(self, obj: PersonalData) -> dict[str, str]:
        subject = _current_subject()
        if obj == ERASED_PERSON:  # an erased person's state re-saved (snapshot): nothing to seal
            return {"erased": "1"}
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._cipher(self.keys.ensure(subject)).encrypt(nonce, _plain(obj), subject.bytes)
        return {
            "n": base64.b64encode(nonce).decode("ascii"),
            "c": base64.b64encode(sealed).decode("ascii"),
        }

    def decode(self, data: dict[str, str]) -> PersonalData:
        if "erased" in data:
            return ERASED_PERSON
        subject = _current_subject()
        key = self.keys.key_for(subject)
        if key is None:
            return ERASED_PERSON
        try:
            plain = self._cipher(key).decrypt(
                base64.b64decode(data["n"]), base64.b64decode(data["c"]), subject.bytes
            )
        except InvalidTag:
            raise ValueError(f"personal data of {subject} does not open with its key") from None
        return _person(plain)


class PlainPersonalData(Transcoding):
    """Reads `PersonalData` stored in clear before sealing existed; erasure still hides it."""

    type = PersonalData
    name = "personal_data"

    def __init__(self, keys: PersonalKeys) -> None:
        self.keys = keys

    def encode(self, obj: PersonalData) -> dict[str, Any]:  # pragma: no cover - never chosen
        raise RuntimeError("personal data is written sealed")

    def decode(self, data: dict[str, Any]) -> PersonalData:
        subject = _subject.get()
        if subject is not None and self.keys.is_erased(subject):
            return ERASED_PERSON
        fields = {k: v for k, v in data.items() if k in PersonalData.__dataclass_fields__}
        return PersonalData(**fields)


class SealingMapper(Mapper[UUID]):
    """The library's mapper, telling the transcoding whose event it is converting."""

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        token = _subject.set(domain_event.originator_id)
        try:
            return super().to_stored_event(domain_event)
        finally:
            _subject.reset(token)

    keys: PersonalKeys | None = None

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        subject = stored_event.originator_id
        subject = subject if isinstance(subject, UUID) else UUID(str(subject))
        if stored_event.topic in ERASURE_TOPICS and self.keys is not None:
            # Another process may have destroyed the key this one still holds in its cache.
            self.keys.forget(subject)
        token = _subject.set(subject)
        try:
            return super().to_domain_event(stored_event)
        finally:
            _subject.reset(token)


def register_sealing(transcoder: Any, keys: PersonalKeys) -> None:
    """Register the personal-data transcodings; the sealed one is what new events are written with."""
    transcoder.register(PlainPersonalData(keys))
    transcoder.register(SealedPersonalData(keys))
