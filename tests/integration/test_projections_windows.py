"""The live projector applies a backlog in windows of positions that grow while it is behind:
the views (and the kept figures' marks) are those of applying the events one at a time, and an
event that cannot be applied, deep in a grown window, still stops the views just before it."""

from __future__ import annotations

from typing import Any

import pytest
from support.world import ADMIN
from support.world.indicators import build_scenario

from projections import projector as projector_module
from projections.appliers import APPLIERS
from projections.projector import ProjectionStalled, Projector, rebuild
from projections.store import memory_view_store, open_view_store
from registry import commands as c
from registry.application import Registry


def _marked(store: Any) -> set[str]:
    with store.transaction(write=False) as tx:
        return {str(row[0]) for row in tx.rows("SELECT organization_id FROM {p}figures_stale")}


def _one_at_a_time(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, set[str]]:
    """Views and marks of a projector applying one position per transaction."""
    throwaway = memory_view_store()
    try:
        with monkeypatch.context() as patch:
            patch.setattr(projector_module, "BACKLOG_WINDOW", 1)
            assert Projector(registry, throwaway, batch_size=1).catch_up() == registry.position()
        return throwaway.dump(), _marked(throwaway)
    finally:
        throwaway.close()


def test_a_backlog_in_growing_windows_equals_one_event_at_a_time_and_a_rebuild(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_scenario(registry)
    store = open_view_store(registry)
    windows: list[int] = []
    projector = Projector(registry, store, batch_size=2)
    applied = projector.catch_up(progress=lambda reached, aim: windows.append(reached))

    assert applied == registry.position() == store.position()
    steps = [b - a for a, b in zip([0, *windows], windows)]
    assert steps[:3] == [2, 4, 8]  # the windows grew while behind
    expected_views, expected_marks = _one_at_a_time(registry, monkeypatch)
    assert store.dump() == expected_views
    assert _marked(store) == expected_marks  # the windows marked the same organizations
    rebuild(registry, store)
    assert store.dump() == expected_views


def test_a_failing_event_deep_in_a_grown_window_stops_the_views_just_before_it(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = build_scenario(registry)
    store = open_view_store(registry)
    Projector(registry, store).catch_up()
    for n in range(30):  # a backlog: the windows grow past the failing event's
        registry.execute(c.RegisterMunicipality(name=f"Район {n}", region="Край"), ADMIN)
    registry.execute(c.RenameMunicipality(municipality_id=ids["M1"], name="Новое имя", reason="Решение"), ADMIN)
    bad_event = registry.position()
    registry.execute(c.RegisterMunicipality(name="Район после", region="Край"), ADMIN)

    topic = "reestr:Municipality.Renamed"
    kept = APPLIERS[topic]

    def failing(tx: Any, event: Any) -> None:
        raise RuntimeError("applier bug")

    monkeypatch.setitem(APPLIERS, topic, failing)
    projector = Projector(registry, store, batch_size=4)
    with pytest.raises(ProjectionStalled) as stalled:
        projector.catch_up()
    assert stalled.value.stall.event == bad_event
    assert stalled.value.stall.position == store.position() == bad_event - 1
    with store.transaction(write=False) as tx:  # everything before it is there, nothing after
        names = {row[0] for row in tx.rows("SELECT name FROM {p}municipalities")}
    assert "Район 29" in names and "Район после" not in names

    monkeypatch.setitem(APPLIERS, topic, kept)
    projector.catch_up()
    assert projector.stalled is None and store.position() == registry.position()
    assert store.dump() == _one_at_a_time(registry, monkeypatch)[0]
