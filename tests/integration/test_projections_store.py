"""The view store's exactly-once mechanics on both stores: concurrent projectors, stale batches,
position limits, a rebuild that readers never see half-built, reading one's own writes."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from support.world import ADMIN
from support.world.indicators import build_scenario
from support import view_reads

from projections.appliers import APPLIERS
from projections.projector import Projector
from projections.read_sql import WHOLE_REGION
from projections.rebuilding import read_window
from projections.schema import BUILD_PREFIX
from projections.store import BUILD_TRACKING, StalePosition, memory_view_store, open_view_store
from projections.unit_reads import OrganizationFilter, organization_page
from registry import commands as c


def _uninterrupted(registry):  # type: ignore[no-untyped-def]
    throwaway = memory_view_store()
    try:
        Projector(registry, throwaway).catch_up()
        return throwaway.dump()
    finally:
        throwaway.close()


def test_concurrent_projectors_apply_every_event_once(registry) -> None:  # type: ignore[no-untyped-def]
    build_scenario(registry)
    store = open_view_store(registry)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            Projector(registry, store, batch_size=3).catch_up()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert store.position() == registry.position()
    assert store.dump() == _uninterrupted(registry)


def test_a_batch_read_before_another_projector_moved_on_is_refused(registry) -> None:  # type: ignore[no-untyped-def]
    registry.execute(c.RegisterMunicipality(name="Район", region="Край"), ADMIN)
    store = open_view_store(registry)
    late = Projector(registry, store, batch_size=5)
    start = store.position()
    end = min(start + 5, registry.position())
    batch = read_window(registry.recorder, start, end, sorted(APPLIERS), {})
    Projector(registry, store, batch_size=5).catch_up()  # someone else applies it first
    with pytest.raises(StalePosition):
        late._apply(start, end, batch)
    assert late.catch_up() == 0  # and re-reading from where the views are finds nothing new
    assert store.dump() == _uninterrupted(registry)


def test_position_limit_and_own_writes(registry) -> None:  # type: ignore[no-untyped-def]
    store = open_view_store(registry)
    projector = Projector(registry, store)
    projector.catch_up()
    before = registry.position()
    municipality = registry.execute(c.RegisterMunicipality(name="Район", region="Край"), ADMIN)
    registry.execute(c.RegisterOrganization(name="Школа", kind="school", municipality_id=municipality.aggregate_id,
                                            registered_on=date(2020, 1, 1)), ADMIN)
    projector.catch_up()  # right after the command: the client reads its own writes
    position, items = view_reads.at_position(
        store, lambda tx: organization_page(tx, WHOLE_REGION, OrganizationFilter(), None)[1]
    )
    assert position == registry.position()
    assert [o["name"] for o in items] == ["Школа"]

    limited = memory_view_store()
    try:
        Projector(registry, limited, upto=before + 1).catch_up()
        assert limited.position() == before + 1
        assert view_reads.organizations(limited) == []
        with limited.transaction(write=False) as tx:
            assert tx.rows("SELECT name FROM {p}municipalities") == [("Район",)]
    finally:
        limited.close()


def test_readers_see_the_old_views_until_the_rebuild_swaps(registry) -> None:  # type: ignore[no-untyped-def]
    build_scenario(registry)
    store = open_view_store(registry)
    Projector(registry, store).catch_up()
    live = store.dump()
    store.reset_build()
    builder = Projector(registry, store, upto=registry.position() // 2, prefix=BUILD_PREFIX, tracking=BUILD_TRACKING)
    builder.catch_up()
    assert 0 < store.position(BUILD_TRACKING) < registry.position()
    assert store.dump() == live  # half a build is invisible
    assert store.position() == registry.position()
    Projector(registry, store, prefix=BUILD_PREFIX, tracking=BUILD_TRACKING).catch_up()
    assert store.swap_in_build() == registry.position()
    assert store.dump() == live
    assert store.position(BUILD_TRACKING) == 0
    store.reset_build()  # a second rebuild starts cleanly after a swap (no name left behind)
    assert store.swap_in_build() == 0
    assert store.dump() != live  # an empty build swapped in, at position 0 ...
    Projector(registry, store).catch_up()  # ... and the live projector carries on from there
    assert store.dump() == live
