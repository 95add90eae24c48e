"""The bulk write path's shortcuts write exactly what the library's own ways write.

- `RegistryTranscoder` (registry/transcodings.py) writes the bytes the library's `JSONTranscoder`
  writes: for every record of the committed v1 log (the same bytes it was stored with), every
  event of the demo region, and arbitrary values of the types events carry.
- The PostgreSQL insert of ops/unit_of_work.py (binary arrays instead of the library's composite
  array) gives each event the position of its place in the unit, and a refused unit records
  nothing: no event, no leaf.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    StoredEvent,
    TranscodingNotRegisteredError,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from ops.storage import eventsourcing_env, open_registry, parse_database_url
from projections.transparency.store import TransparencyLog
from registry import commands as c
from registry import sealing
from registry.application import Registry
from registry.base import recording_as
from registry.organizations import Municipality
from registry.transcodings import RegistryTranscoder
from registry.values import (
    Actor,
    Contingent,
    EventMeta,
    MentorProfile,
    PersonalData,
    Role,
)

FIXTURE = Path(__file__).parent / "fixtures" / "event_log_v1.jsonl"
ADMIN = Actor(user_id="iro-admin", role=Role.ADMIN)


def _pair(registry: Registry) -> tuple[RegistryTranscoder, JSONTranscoder]:
    fast = registry.mapper.transcoder
    assert isinstance(fast, RegistryTranscoder)
    library = JSONTranscoder()
    registry.register_transcodings(library)
    return fast, library


def _state(event: Any) -> dict[str, Any]:
    state = dict(vars(event))
    del state["originator_id"], state["originator_version"]
    return state


@pytest.fixture
def fixed_nonce(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sealing draws a fresh nonce per value: fixed here, so two encodings can be compared
    (new ids draw on it too: nothing is recorded meanwhile)."""
    monkeypatch.setattr(sealing.os, "urandom", lambda n: b"\x07" * n)


def _encode_both(registry: Registry, event: Any) -> tuple[bytes, bytes]:
    fast, library = _pair(registry)
    token = sealing._subject.set(event.originator_id)
    try:
        return fast.encode(_state(event)), library.encode(_state(event))
    finally:
        sealing._subject.reset(token)


def test_the_v1_log_is_written_again_byte_for_byte(fixed_nonce: None) -> None:
    """Each v1 record decoded and encoded again: the stored bytes themselves (personal data, written
    in clear by v1 and sealed now, is compared with the library's encoding of the same event)."""
    registry = Registry(env=eventsourcing_env(parse_database_url("sqlite:///:memory:")))
    try:
        records = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
        for record in records:
            stored = StoredEvent(UUID(record["originator_id"]), record["originator_version"], record["topic"],
                                 record["state"].encode("utf-8"))
            event = registry.mapper.to_domain_event(stored)
            if any(isinstance(v, PersonalData) for v in vars(event).values()):
                registry.keys.ensure(event.originator_id)
                fast, library = _encode_both(registry, event)
                assert fast == library, record["topic"]
            else:
                assert registry.mapper.transcoder.encode(_state(event)) == stored.state, record["topic"]
    finally:
        registry.close()


def test_every_event_of_the_demo_region_is_written_as_the_library_writes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from ops.demo.content import LAST_DAY
    from ops.demo.loader import load_demo

    registry = open_registry("sqlite:///:memory:", clock=lambda: LAST_DAY + timedelta(days=1))
    try:
        load_demo(registry)
        monkeypatch.setattr(sealing.os, "urandom", lambda n: b"\x07" * n)  # after the load: ids draw on it too
        topics = set()
        for notification in registry.recorder.select_notifications(start=1, limit=1_000_000):
            event = registry.mapper.to_domain_event(notification)
            fast, library = _encode_both(registry, event)
            assert fast == library, notification.topic
            topics.add(notification.topic)
        assert len(topics) > 30
    finally:
        registry.close()


_json_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), _json_text,
    st.uuids(), st.dates(), st.datetimes(), st.datetimes(timezones=st.just(UTC)),
    st.datetimes(timezones=st.just(timezone(timedelta(hours=3)))),
    st.decimals(allow_nan=False), st.sampled_from(list(Role)),
    st.builds(EventMeta, user_id=_json_text, role=_json_text, command_id=_json_text,
              organization_id=st.none() | _json_text),
    st.builds(Contingent, teachers_total=st.integers(0, 10**4), students_total=st.none() | st.integers(0, 10**6)),
    st.builds(MentorProfile, position=_json_text, mentor_type=_json_text, forms=st.lists(_json_text, max_size=3)),
)
_value = st.recursive(
    _leaf,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(_json_text, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_json_text, _value, max_size=6))
def test_any_state_of_the_registered_types_is_written_as_the_library_writes_it(state: dict[str, Any]) -> None:
    registry = Registry()
    fast, library = _pair(registry)
    assert fast.encode(state) == library.encode(state)


def test_what_the_library_refuses_the_fast_encoder_refuses() -> None:
    fast, library = _pair(Registry())
    for state in ({"x": object()}, {"x": [1, {"y": frozenset()}]}):
        with pytest.raises(TranscodingNotRegisteredError):
            library.encode(state)
        with pytest.raises(TranscodingNotRegisteredError):
            fast.encode(state)
    # Keys JSON turns into text, and values it writes its own way: the library's encoder writes them.
    for state in ({1: "a", None: 2, 2.5: True}, {"nan": float("nan"), "inf": [float("-inf")]}):
        assert fast.encode(state) == library.encode(state)


# -- the events' insert, on each store -------------------------------------------------------------


def _register(registry: Registry, names: list[str]) -> list[UUID]:
    results = registry.execute_batch([c.RegisterMunicipality(name=n, region="27") for n in names], ADMIN)
    return [r.aggregate_id for r in results if r.aggregate_id is not None]


def test_each_event_takes_the_position_of_its_place_in_the_unit(open_store: Callable[..., Registry]) -> None:
    registry = open_store()
    first = registry.position()
    municipalities = _register(registry, [f"Район {i}" for i in range(30)])
    renames = [c.RenameMunicipality(municipality_id=m, name=f"Округ {i}", reason="переименован")
               for i, m in enumerate(reversed(municipalities))]
    results = registry.execute_batch(renames, ADMIN)
    notifications = registry.recorder.select_notifications(start=first + 1, limit=1000)
    expected = [(m, 1) for m in municipalities] + [(m, 2) for m in reversed(municipalities)]
    assert [(n.originator_id, n.originator_version) for n in notifications] == expected
    assert [r.position for r in results] == [n.id for n in notifications[30:]]
    head = TransparencyLog(registry).head()
    assert (head.position, head.tree_size) == (registry.position(), len(registry.recorder.select_notifications(start=1, limit=10**6)))


def test_a_unit_refused_by_the_store_records_nothing(open_store: Callable[..., Registry]) -> None:
    registry = open_store()
    [municipality] = _register(registry, ["Район"])
    before = registry.position()
    head = TransparencyLog(registry).head()
    with recording_as(EventMeta(user_id="t", role="admin", command_id="t")):
        new = Municipality(name="Новый", region="27", code=None)
        stale = registry.repository.get(municipality)
        stale._version -= 1  # its next event takes a version that is stored already
        stale.rename(name="Чужой", reason="проверка")
    events = [*new.collect_events(), *stale.collect_events()]
    with pytest.raises(IntegrityError):
        registry.save_events(events)
    assert registry.position() == before
    assert TransparencyLog(registry).head() == head
    assert new.id not in registry.repository
