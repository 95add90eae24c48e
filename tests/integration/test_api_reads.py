"""Reads of the registry over HTTP on both stores: a client reads its own writes at once, every
answer states the log position it reflects, unknown ids are 404 problems, paging and filters."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support.api_reads import ReadRegion, open_region
from support.stores import STORES
from support.world import ADMIN
from support.world.api import ApiWorld, open_world

from api.app import create_app
from projections.store import memory_view_store, open_view_store
from registry import commands as c
from registry.application import Registry


@pytest.fixture(scope="module", params=STORES)
def region(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadRegion]:
    """The read region on each store, shared by this module's tests (they only read)."""
    yield from open_region(request, tmp_path_factory)


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


def _read(world: ApiWorld, path: str, as_: str = "curator", **params: object) -> dict:  # type: ignore[type-arg]
    response = world.get(path, as_=as_, **params)
    assert response.status_code == 200, (path, response.text)
    body = response.json()
    assert int(response.headers["X-Log-Position"]) == body["position"]
    return body  # type: ignore[no-any-return]


def test_a_curator_reads_its_own_writes_at_once(world: ApiWorld) -> None:
    def wrote(path: str, body: object) -> tuple[str, int]:
        result = world.write(path, body, as_="curator")
        return str(result["aggregate_id"]), int(result["position"])

    mentor, at = wrote(
        "/mentors",
        {"organization_id": world.org_a, "person": {"full_name": "Орлова Вера"},
         "profile": {"position": "учитель", "mentor_type": "teacher", "forms": ["pupil_pupil"]},
         "applied_on": "2021-01-15"},
    )
    read = _read(world, f"/mentors/{mentor}")
    assert read["position"] == at, "the views are caught up to the write before it answers"
    assert read["item"]["status"] == "pending" and read["item"]["full_name"] == "Орлова Вера"
    assert mentor in {m["id"] for m in _read(world, "/mentors", status="pending")["items"]}

    world.write(f"/mentors/{mentor}/approve", {"effective_date": "2021-02-01"})  # by the institute
    assert _read(world, f"/mentors/{mentor}")["item"]["status"] == "active"

    mentee, at = wrote(
        "/mentees",
        {"organization_id": world.org_a, "category": "pupil", "person": {"full_name": "Кузнецов Лев"},
         "birth_year": 2009, "registered_on": "2021-02-01"},
    )
    read = _read(world, f"/mentees/{mentee}")
    assert read["position"] == at and read["item"]["full_name"] == "Кузнецов Лев"

    pair, at = wrote(
        "/pairs",
        {"organization_id": world.org_a, "mentor_id": mentor, "mentee_ids": [mentee], "form": "pupil_pupil",
         "started_on": "2021-02-10"},
    )
    read = _read(world, f"/pairs/{pair}")
    assert read["position"] == at
    assert read["item"]["mentees"] == [{"mentee_id": mentee, "joined_on": "2021-02-10", "ended_on": None}]
    assert _read(world, f"/mentees/{mentee}")["item"]["pairs"][0]["pair_id"] == pair

    program, _ = wrote("/programs", {"organization_id": world.org_a, "title": "Вместе", "starts_on": "2021-01-01"})
    output = world.write(
        f"/programs/{program}/outputs",
        {"kind": "project", "title": "Газета", "produced_on": "2021-03-01", "pair_id": pair},
        as_="curator",
    )
    read = _read(world, f"/programs/{program}")
    assert read["position"] == output["position"]
    assert [o["output_id"] for o in read["item"]["outputs"]] == [output["item_id"]]

    done = world.write(
        f"/organizations/{world.org_a}/checklist/roadmap_adopted/complete",
        {"document": {"number": "7-од", "link": "https://school1.example/roadmap"}, "completed_on": "2021-01-20"},
        as_="curator",
    )
    read = _read(world, f"/organizations/{world.org_a}")
    assert read["position"] == done["position"]
    entry = next(e for e in read["item"]["checklist"] if e["item"] == "roadmap_adopted")
    assert entry["done"] and entry["document_number"] == "7-од" and entry["completed_on"] == "2021-01-20"
    assert read["item"]["checklist_done"] == 1 and not read["item"]["checklist_complete"]


def test_views_are_caught_up_before_the_subscribers_registered_after_them(registry: Registry) -> None:
    seen: list[tuple[int, int]] = []
    views = open_view_store(registry)  # the same tables the app's views are in

    def observer(recordings: list) -> None:  # type: ignore[type-arg]
        seen.append((recordings[-1].notification.id, views.position()))

    worlds = open_world(registry)
    world = next(worlds)
    registry.after_commit.subscribe("observer", observer)  # after the app's own "views"
    try:
        world.mentee(world.org_a)
        assert seen and all(written == views for written, views in seen)
    finally:
        worlds.close()


def test_the_app_catches_up_at_startup_and_can_be_given_its_views(registry: Registry) -> None:
    """Events recorded elsewhere (the CLI, another process) are in the views once an app starts;
    `views=` puts them in a store of the caller's choice."""
    from support.world.api import add_user

    _, token = add_user(registry, "Аудитор", "auditor")
    result = registry.execute(c.RegisterMunicipality(name="Район", region="Край"), ADMIN)
    for views in (None, memory_view_store()):
        app = create_app(registry, views=views)
        if views is not None:
            assert app.state.views is views
        with TestClient(app) as client:
            response = client.get("/api/v1/municipalities", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert response.json()["position"] == registry.position() == result.position
        assert [m["id"] for m in response.json()["items"]] == [str(result.aggregate_id)]
        if views is not None:
            views.close()


@pytest.mark.parametrize("kind", ["mentors", "mentees", "pairs", "programs", "organizations"])
def test_unknown_ids_are_404_problems_and_malformed_ones_422(region: ReadRegion, kind: str) -> None:
    for role in ("admin", "curator"):
        response = region.get(f"/{kind}/{uuid.uuid4()}", as_=role)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["code"] == "not_found" and problem["errors"][0]["rule"] == "exists"
    response = region.get(f"/{kind}/not-a-uuid", as_="admin")
    assert response.status_code == 422 and response.json()["code"] == "invalid_command"


@pytest.mark.parametrize(
    "path",
    ["/mentors", "/mentees", "/pairs", "/programs", "/organizations", "/checklists", "/municipalities",
     "/indicators"],
)
def test_every_read_states_its_position(region: ReadRegion, path: str) -> None:
    response = region.get(path, as_="admin")
    assert response.status_code == 200
    assert int(response.headers["X-Log-Position"]) == response.json()["position"] == region.world.position()


def test_paging_and_filters(region: ReadRegion) -> None:
    everyone = region.get("/mentors", as_="admin").json()
    assert everyone["total"] == len(everyone["items"]) == len(region.mentor_ids)
    ids = [m["id"] for m in everyone["items"]]
    pages = [region.get("/mentors", as_="admin", limit=2, offset=offset).json() for offset in (0, 2, 4)]
    assert [m["id"] for page in pages for m in page["items"]] == ids
    assert all(page["total"] == len(ids) and page["limit"] == 2 for page in pages)
    beyond = region.get("/mentors", as_="admin", offset=100).json()
    assert beyond["items"] == [] and beyond["total"] == len(ids)
    assert region.get("/mentors", as_="admin", limit=0).status_code == 422
    assert region.get("/mentors", as_="admin", limit=1001).status_code == 422

    pending = region.get("/mentors", as_="admin", status="pending").json()["items"]
    assert [m["id"] for m in pending] == [region.mentor_ids["a_pending"]]
    in_m2 = region.get("/mentors", as_="admin", municipality_id=region.m2).json()["items"]
    assert {m["id"] for m in in_m2} == {region.mentor_ids["c_public"]}
    assert region.get("/mentors", as_="admin", form="no_such_form").json()["total"] == 0

    org_pages = [region.get("/organizations", as_="admin", limit=1, offset=o).json() for o in range(3)]
    assert {p["items"][0]["id"] for p in org_pages} == set(region.org.values())
    assert region.get("/pairs", as_="admin", status="completed").json()["total"] == 0
    assert region.get("/pairs", as_="admin", status="active").json()["total"] == 3
    one = region.get("/pairs", as_="admin", mentor_id=region.mentor_ids["b_public"]).json()["items"]
    assert [p["id"] for p in one] == [region.ids["pairs"]["b"]]
    kids = region.get("/mentees", as_="admin", category="pupil", organization_id=region.org["c"]).json()
    assert [m["id"] for m in kids["items"]] == [region.ids["mentees"]["c"]]


def _as_on_the_public_page(entry: dict[str, Any]) -> dict[str, Any]:
    """A public page's item (`/api/v1/public/mentors`) in the shape of the API's public entry:
    units and forms by name and code; a training's year stands for its date."""
    shown = dict(entry)
    for unit in ("organization", "municipality"):
        if unit in shown:
            shown[unit] = shown[unit]["name"]
    if "forms" in shown:
        shown["forms"] = [form["code"] for form in shown["forms"]]
    return shown


def test_public_entries_are_what_the_public_page_shows(region: ReadRegion) -> None:
    """A curator's view of other organizations' mentors is what the public page publishes, field
    for field (the page's own tables, not the staff views)."""
    page = region.world.client.get("/api/v1/public/mentors", params={"limit": 100}).json()
    public = {e["id"]: _as_on_the_public_page(e) for e in page["items"]}
    assert set(public) == region.public_mentors
    shown = {
        m["id"]: {k: v for k, v in m.items() if v is not None and k not in ("visibility", "status")}
        for m in region.get("/mentors", as_="curator_c").json()["items"]
        if m["visibility"] == "public"
    }
    for entry in shown.values():  # public trainings: course, provider, date; the rest is null
        if "trainings" in entry:
            assert all(t.pop("hours") is None and t.pop("certificate_number") is None for t in entry["trainings"])
            assert entry["trainings"], "the consented training is shown"
            for training in entry["trainings"]:  # the public page shows the year of the date
                training["year"] = int(training.pop("completed_on")[:4])
    assert shown == {k: v for k, v in public.items() if k != region.mentor_ids["c_public"]}


def test_organizations_carry_contingents_and_the_regions_checklist(region: ReadRegion) -> None:
    org = region.get(f"/organizations/{region.org['c']}", as_="municipal_other").json()["item"]
    assert org["municipality_id"] == region.m2 and org["name"] == "Гимназия № 3"
    assert org["contingents"] == [
        {"year": 2021, "corrections": 0, "students_total": 600, "students_10_19": 400, "students_15_19": 150,
         "students_extra": 0, "teachers_total": 50, "young_teachers": 8}
    ]
    items = [e["item"] for e in org["checklist"]]
    assert items[0] == "curator_appointed" and len(items) == len(set(items)) >= 8
    assert [e["item"] for e in org["checklist"] if e["done"]] == ["curator_appointed"]
    assert org["checklist_done"] == 1
