"""Reads see what another process wrote (an import, `reestr erase`, a second API process)."""

from __future__ import annotations

from datetime import date

from support.public import public_ids
from support.world import Region
from support.world.api import ApiWorld

import api.freshness
from registry import commands as c


def test_a_read_catches_the_views_up_with_writes_made_elsewhere(open_store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(api.freshness, "INTERVAL", 0.0)
    served, elsewhere = open_store(), open_store()  # one store, two processes' registries
    world = ApiWorld(served)
    try:
        before = len(world.get("/municipalities").json()["items"])
        Region(elsewhere).municipality("Район, записанный другим процессом")
        answer = world.get("/municipalities")
        assert len(answer.json()["items"]) == before + 1
        assert int(answer.headers["X-Log-Position"]) == elsewhere.position()
        # The public lookup too: a mentor approved elsewhere with consent is found.
        region = Region(elsewhere)
        mentor = region.active_mentor(full_name="Снегирёва Дарья")
        region.run(c.GiveConsent(mentor_id=mentor, fields=["name"], effective_date=date(2021, 9, 20)))
        assert str(mentor) in public_ids(world, q="Снегирёва")
    finally:
        world.close()


def test_the_log_is_looked_at_no_more_than_every_interval(open_store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(api.freshness, "INTERVAL", 3600.0)
    served, elsewhere = open_store(), open_store()
    world = ApiWorld(served)
    try:
        world.get("/municipalities")  # looks once (the app's own start-up catch-up was the first)
        before = len(world.get("/municipalities").json()["items"])
        Region(elsewhere).municipality("Ещё один район")
        assert len(world.get("/municipalities").json()["items"]) == before  # not looked again yet
        world.app.state.freshness._checked_at = float("-inf")  # the interval has passed
        assert len(world.get("/municipalities").json()["items"]) == before + 1
    finally:
        world.close()
