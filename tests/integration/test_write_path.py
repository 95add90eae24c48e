"""The bulk write path's shortcuts write exactly what the library's own ways write.

- `RegistryTranscoder` (registry/transcodings.py) writes the bytes the library's `JSONTranscoder`
  writes: for every record of the committed v1 log (the same bytes it was stored with), every
  event of the demo region, and arbitrary values of the types events carry.
- `EventMethod` (registry/base.py) triggers the event the library's decorator would, and leaves
  the aggregate as it would: every event method call of the demo region is repeated the library's
  way on a copy and compared.
- The PostgreSQL insert of ops/unit_of_work.py (binary arrays instead of the library's composite
  array) gives each event the position of its place in the unit, and a refused unit records
  nothing: no event, no leaf.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
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

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "event_log_v1.jsonl"
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


# -- events triggered without the library's per-call machinery ---------------------------------------


def _without_timestamps(aggregate: Any) -> dict[str, Any]:
    state = {k: v for k, v in vars(aggregate).items() if k not in ("_modified_on", "_pending_events")}
    state["events"] = [{k: v for k, v in vars(e).items() if k != "timestamp"} for e in aggregate.pending_events]
    state["event_types"] = [type(e) for e in aggregate.pending_events]
    return state


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[Registry, dict[str, int]]]:
    """The demo region loaded with every event method call repeated the library's way on a copy of
    the aggregate, and compared: the same event (class, attributes in order, meta), the same
    aggregate after it. With the calls that went the fast way, by topic."""
    from ops.demo.content import LAST_DAY
    from ops.demo.loader import load_demo
    from registry.base import EventMethod

    fast_calls: dict[str, int] = {}
    trigger = EventMethod.trigger

    def shadowed(self: EventMethod, aggregate: Any, *args: Any, **kwargs: Any) -> None:
        twin = copy.deepcopy(aggregate)
        trigger(self, aggregate, *args, **kwargs)
        self.decorator.__get__(twin, type(twin))(*args, **kwargs)
        assert _without_timestamps(aggregate) == _without_timestamps(twin)
        assert [list(vars(e)) for e in aggregate.pending_events] == [list(vars(e)) for e in twin.pending_events]
        assert aggregate.modified_on == aggregate.pending_events[-1].timestamp
        if not args and kwargs.keys() == self.names:
            fast_calls[self.event_class.TOPIC] = fast_calls.get(self.event_class.TOPIC, 0) + 1

    registry = open_registry("sqlite:///:memory:", clock=lambda: LAST_DAY + timedelta(days=1))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(EventMethod, "trigger", shadowed)
            load_demo(registry)
        yield registry, fast_calls
    finally:
        registry.close()


def test_an_event_method_triggers_what_the_library_would(demo: tuple[Registry, dict[str, int]]) -> None:
    _, fast_calls = demo
    assert len(fast_calls) > 15, fast_calls


def test_every_event_of_the_demo_region_is_written_as_the_library_writes_it(
    demo: tuple[Registry, dict[str, int]], fixed_nonce: None
) -> None:
    registry, _ = demo
    topics = set()
    for notification in registry.recorder.select_notifications(start=1, limit=1_000_000):
        event = registry.mapper.to_domain_event(notification)
        fast, library = _encode_both(registry, event)
        assert fast == library, notification.topic
        topics.add(notification.topic)
    assert len(topics) > 30


def test_an_event_method_called_otherwise_goes_the_library_way() -> None:
    with recording_as(EventMeta(user_id="t", role="admin", command_id="t")):
        fast = Municipality(name="Район", region="27", code=None)
        other = copy.deepcopy(fast)
        fast.rename(name="Округ", reason="причина")
        other._renamed("Округ", "причина")  # positional: the library binds them
    assert _without_timestamps(fast) == _without_timestamps(other)
