"""A projection never freezes on one event.

A NUL recorded before commands refused it (or written through the library) stays in the log for
good. On PostgreSQL it used to fail every catch-up (`DataError: text fields cannot contain NUL`):
the API answered from stale views and `reestr project` failed the same way, forever. Now the
views hold what the database can (NUL replaced by U+FFFD on PostgreSQL, the log keeps the bytes)
and catch up past it. Any other applier failure stops the views just before the event, says so
on `/healthz` (degraded, position, reason) and on reads (`X-Views-Behind`), and in Russian in
`reestr project`; the next catch-up after the cause is gone goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from support.importing import invoke
from support.world import ADMIN
from support.world.api import ApiWorld, open_world
from typer.testing import CliRunner

from ops.cli import app as reestr
from projections.appliers import APPLIERS
from projections.projector import ProjectionStalled, Projector, probe, rebuild
from projections.store import open_view_store
from projections.transaction import NUL_IN_VIEWS
from registry import commands as c
from registry.application import Registry
from registry.base import recording_as
from registry.organizations import Municipality
from registry.values import EventMeta

OLD_NAME = "Район\x00 старой версии"


def _nul_event_through_the_library(registry: Registry) -> Municipality:
    """A municipality recorded the way an older version could: no command, no text check."""
    with recording_as(EventMeta(user_id="old-version", role="admin", command_id="old-version-1")):
        municipality = Municipality(name=OLD_NAME, region="Край\x00", code=None)
    registry.save(municipality)
    return municipality


def _municipality_names(store: Any) -> set[str]:
    with store.transaction(write=False) as tx:
        return {row[0] for row in tx.rows("SELECT name FROM {p}municipalities")}


def test_views_catch_up_past_a_nul_in_the_log_which_keeps_its_bytes(registry: Registry) -> None:
    nul = _nul_event_through_the_library(registry)
    registry.execute(c.RegisterMunicipality(name="Район после", region="Край"), ADMIN)
    store = open_view_store(registry)
    projector = Projector(registry, store)

    projector.catch_up()

    assert projector.position == registry.position()
    assert projector.stalled is None
    in_views = OLD_NAME.replace("\x00", NUL_IN_VIEWS) if store.dialect == "postgres" else OLD_NAME
    assert {in_views, "Район после"} <= _municipality_names(store)
    assert registry.repository.get(nul.id).name == OLD_NAME  # the log keeps the bytes

    rebuilt = rebuild(registry, store)  # a rebuild (COPY on PostgreSQL) takes it too
    assert rebuilt == registry.position()
    assert {in_views, "Район после"} <= _municipality_names(store)


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


@pytest.fixture
def broken_rename() -> Iterator[None]:
    """An applier that fails on renames, as a bug in a new version would."""
    topic = "reestr:Municipality.Renamed"
    kept = APPLIERS[topic]

    def failing(tx: Any, event: Any) -> None:
        raise RuntimeError("applier bug")

    APPLIERS[topic] = failing
    try:
        yield
    finally:
        APPLIERS[topic] = kept


def test_a_failing_applier_stops_the_views_just_before_the_event_and_health_says_so(
    world: ApiWorld, broken_rename: None
) -> None:
    municipality = world.municipality()
    world.organization("Школа до сбоя")
    views = world.app.state.projector
    before = views.position
    renamed = world.post(f"/municipalities/{municipality}/rename", {"name": "Новое имя", "reason": "Решение думы"})
    assert renamed.status_code == 200  # recorded: the write stands, the views could not follow
    bad_event = world.position()
    world.organization("Школа после сбоя")

    with pytest.raises(ProjectionStalled) as stalled:
        views.catch_up()
    assert stalled.value.stall.position == before == bad_event - 1
    assert stalled.value.stall.event == bad_event
    assert views.position == bad_event - 1

    health = world.client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert health["views_position"] == bad_event - 1
    assert health["behind"] == world.position() - (bad_event - 1) == 2
    assert "Представления остановились на позиции" in health["reason"]
    assert "Municipality.Renamed" in health["reason"] and "applier bug" in health["reason"]

    read = world.get("/municipalities", as_="admin")
    assert read.status_code == 200
    assert read.headers["X-Views-Behind"] == "2"
    assert read.headers["X-Log-Position"] == str(bad_event - 1)

    found = probe(world.registry, world.app.state.views)
    assert found is not None and found.event == bad_event
    assert views.position == bad_event - 1  # the probe changed nothing


def test_once_the_cause_is_gone_the_views_go_on(world: ApiWorld) -> None:
    municipality = world.municipality()
    topic = "reestr:Municipality.Renamed"
    kept = APPLIERS[topic]
    APPLIERS[topic] = lambda tx, event: (_ for _ in ()).throw(RuntimeError("applier bug"))
    try:
        world.post(f"/municipalities/{municipality}/rename", {"name": "Новое имя", "reason": "Решение думы"})
        with pytest.raises(ProjectionStalled):
            world.app.state.projector.catch_up()
    finally:
        APPLIERS[topic] = kept
    world.app.state.projector.catch_up()
    assert world.app.state.projector.stalled is None
    health = world.client.get("/healthz").json()
    assert (health["status"], health["behind"], health["reason"]) == ("ok", 0, None)
    assert "X-Views-Behind" not in world.get("/municipalities", as_="admin").headers
    assert probe(world.registry, world.app.state.views) is None


def test_doctor_and_project_say_in_russian_how_far_behind_and_what_to_do(
    store_url: tuple[str, str | None], open_store: Any, broken_rename: None
) -> None:
    url, schema = store_url
    env = {"REESTR_DATABASE_URL": url, "REESTR_DATABASE_SCHEMA": schema or ""}
    registry = open_store()
    municipality = registry.execute(c.RegisterMunicipality(name="Район", region="Край"), ADMIN).aggregate_id
    Projector(registry, open_view_store(registry)).catch_up()
    registry.execute(c.RenameMunicipality(municipality_id=municipality, name="Район-2", reason="Решение"), ADMIN)
    bad_event = registry.position()
    registry.execute(c.RegisterMunicipality(name="Ещё район", region="Край"), ADMIN)

    doctor = invoke(["doctor"], env)
    flat = " ".join(doctor.output.split())
    assert "Представления отстают от журнала на 2 событий" in flat
    assert "Запустите «reestr project»" in flat

    try:
        project = CliRunner().invoke(reestr, ["project"], env=env)
    finally:
        structlog.reset_defaults()
    assert project.exit_code == 1
    flat = " ".join(project.output.split())
    assert f"Представления остановились на позиции {bad_event - 1}: событие {bad_event}" in flat
    assert "applier bug" in flat
