"""The public search: name normalization, what a query finds, pages, ETag/304, the indexes each
query uses (EXPLAIN), and the public tables' agreement with the staff views, on both stores."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from support.world import ADMIN
from support.world.api import ApiWorld, open_world
from hypothesis import HealthCheck, given, settings
from support.public import new_mentor
from test_projections_rebuild import SCRATCH, Driver, steps
from support.stores import fresh_registry
from support import view_reads

from projections.projector import Projector, rebuild
from projections.public import (
    Directory,
    PublicFilter,
    name_words,
    sort_key,
)
from projections.schema import DERIVED_TABLES, LIVE_PREFIX
from projections.store import ViewStore, open_view_store
from registry import commands as c
from registry.application import Registry

# -- normalization -------------------------------------------------------------------------------


def test_names_and_queries_are_normalized_the_same_way() -> None:
    assert name_words("  Семёнов   ПЁТР-Иван  ") == ["семенов", "петр", "иван"]
    assert name_words("Сеnе\u0308нова") == name_words("Сеnёнова")  # ё typed as е + combining diaeresis
    assert name_words("О’Нил д'Артаньян_младший") == ["о", "нил", "д", "артаньян", "младший"]
    assert name_words("%_ ") == []
    assert sort_key("Ёлкин Артём") == "елкин артем"
    assert sort_key(None) > sort_key("яяя")  # unnamed entries come last

    assert PublicFilter("  СЕМЁН  ив ").words() == ["ив", "семен"]
    assert PublicFilter("ив иванов иванова").words() == ["иванова"]  # implied prefixes add nothing
    assert PublicFilter("Семен").key() == PublicFilter(" СЕМЁН ").key()
    assert PublicFilter("Семен").key() != PublicFilter("Семен", form="pupil_pupil").key()
    assert PublicFilter(" %% ").empty and not PublicFilter(subject="химия").empty
    assert len(PublicFilter(" ".join(f"слово{i}" for i in range(20))).words()) == 6


# -- what a query finds, on both stores ------------------------------------------------------------

NAMES = [
    "Семёнов Пётр Ильич",
    "Семенова Алёна Петровна",
    "Иванова-Петрова Мария Олеговна",
    "Ёлкин Артём Сергеевич",
    "Петровский Олег Русланович",
    "Smith John",
]


def _region(registry: Registry, names: list[str], *, consent: list[str] | None = None) -> dict[str, Any]:
    municipality = registry.execute(c.RegisterMunicipality(name="Округ", region="Край"), ADMIN).aggregate_id
    org = registry.execute(
        c.RegisterOrganization(name="Школа", kind="school", municipality_id=municipality,
                               registered_on=date(2019, 9, 1)), ADMIN).aggregate_id
    ids = {}
    for name in names:
        mentor = registry.execute(c.SubmitMentorApplication(
            organization_id=org, person=c.PersonIn(full_name=name),
            profile=c.MentorProfileIn(position="учитель", mentor_type="teacher", forms=["pupil_pupil"]),
            applied_on=date(2020, 9, 1)), ADMIN).aggregate_id
        registry.execute(c.GiveConsent(mentor_id=mentor, fields=consent or ["name", "forms"],
                                       effective_date=date(2020, 9, 1)), ADMIN)
        registry.execute(c.ApproveMentor(mentor_id=mentor, effective_date=date(2020, 9, 2)), ADMIN)
        ids[name] = str(mentor)
    return {"org": str(org), "municipality": str(municipality), "ids": ids}


@pytest.fixture
def directory(registry: Registry) -> Iterator[tuple[Directory, dict[str, Any]]]:
    region = _region(registry, NAMES)
    store = open_view_store(registry)
    Projector(registry, store).catch_up()
    yield Directory(store), region


def _found(directory: Directory, q: str, **filters: Any) -> list[str]:
    with directory.reading() as (tx, position):
        page = directory.search(tx, position, PublicFilter(q, **filters), limit=50, offset=0)
    return [item.get("full_name", "?") for item in page.items]


SEARCHES = {
    "семен": ["Семёнов Пётр Ильич", "Семенова Алёна Петровна"],  # by name: «семенов » < «семенова»
    "СЕМЁН": ["Семёнов Пётр Ильич", "Семенова Алёна Петровна"],
    "  семен     петр ": ["Семёнов Пётр Ильич", "Семенова Алёна Петровна"],  # «Петровна» begins so too
    "ильич семёнов": ["Семёнов Пётр Ильич"],  # any order of words
    "елкин": ["Ёлкин Артём Сергеевич"],
    "Ёлк артем": ["Ёлкин Артём Сергеевич"],
    "петрова": ["Иванова-Петрова Мария Олеговна"],  # a hyphen separates words
    "олег": ["Иванова-Петрова Мария Олеговна", "Петровский Олег Русланович"],
    "smi": ["Smith John"],
    "ванова": [],  # only beginnings of words: not any substring
    "семенов иван": [],
    "се ал": ["Семенова Алёна Петровна"],  # short words (below a trigram) too
    "о": ["Иванова-Петрова Мария Олеговна", "Петровский Олег Русланович"],
    "%": sorted(NAMES, key=sort_key),  # nothing to search for: everyone, by name
}


def test_a_name_is_found_by_the_beginnings_of_its_words(directory: tuple[Directory, dict[str, Any]]) -> None:
    found, _ = directory
    for query, expected in SEARCHES.items():
        assert _found(found, query) == expected, query


def test_filters_combine_with_the_name(directory: tuple[Directory, dict[str, Any]]) -> None:
    found, region = directory
    assert _found(found, "олег", form="pupil_pupil") == SEARCHES["олег"]
    assert _found(found, "олег", form="teacher_teacher") == []
    # These mentors published name and forms only: filtering on their organization finds no one.
    assert _found(found, "", organization_id=region["org"]) == []
    assert _found(found, "", municipality_id=region["municipality"]) == []


def test_pages_follow_the_name_order_and_unnamed_mentors_come_last(registry: Registry) -> None:
    names = [f"Наставник{chr(ord('а') + i % 32)} Имя {i:02d}" for i in range(23)]
    region = _region(registry, names)
    anonymous = _region(registry, ["Тайный Первый", "Тайный Второй"], consent=["forms"])
    store = open_view_store(registry)
    Projector(registry, store).catch_up()
    directory = Directory(store)
    seen: list[dict[str, Any]] = []
    with directory.reading() as (tx, position):
        for offset in range(0, 40, 10):
            page = directory.search(tx, position, PublicFilter(), limit=10, offset=offset)
            assert page.total == 25
            seen += page.items
    assert len(seen) == 25
    named = [item["full_name"] for item in seen[:23]]
    assert named == sorted(names, key=sort_key)
    assert [item["id"] for item in seen[23:]] == sorted(anonymous["ids"].values())
    assert all("full_name" not in item for item in seen[23:])
    assert set(region["ids"].values()) == {item["id"] for item in seen[:23]}


# -- ETag and 304 -------------------------------------------------------------------------------------


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


def test_an_unchanged_registry_answers_304(world: ApiWorld) -> None:
    new_mentor(world, "Кешева Ульяна Петровна")
    url = "/api/v1/public/mentors"
    first = world.client.get(url, params={"q": "кеш"})
    assert first.status_code == 200
    tag = first.headers["etag"]
    position = world.position()
    assert tag.startswith(f'"{position}-') and tag.endswith('"')
    assert first.headers["cache-control"] == "public, no-cache"
    assert first.headers["access-control-allow-origin"] == "*"

    again = world.client.get(url, params={"q": "  КЕШ "}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""  # the same question, normalized
    assert again.headers["etag"] == tag
    listed = world.client.get(url, params={"q": "кеш"}, headers={"If-None-Match": f'"x", W/{tag}'})
    assert listed.status_code == 304
    other = world.client.get(url, params={"q": "кеш", "limit": 5}, headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag

    for path in ("/", "/api/v1/public/filters"):
        page = world.client.get(path)
        assert page.status_code == 200
        assert world.client.get(path, headers={"If-None-Match": page.headers["etag"]}).status_code == 304

    world.organization("Школа, открытая позже")  # any event moves the log: the answer may differ
    moved = world.client.get(url, params={"q": "кеш"}, headers={"If-None-Match": tag})
    assert moved.status_code == 200 and moved.headers["etag"] != tag
    assert moved.headers["etag"].startswith(f'"{world.position()}-')


def test_the_json_endpoint_refuses_bad_parameters_as_problems(world: ApiWorld) -> None:
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"q": "я" * 201}):
        response = world.client.get("/api/v1/public/mentors", params=params)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")


def test_the_page_forgives_hand_edited_addresses(world: ApiWorld) -> None:
    for params in ({"page": "abc"}, {"page": "-5"}, {"page": "99999"}, {"form": "нет-такой"}, {"q": "я" * 500}):
        assert world.client.get("/", params=params).status_code == 200


# -- indexes ---------------------------------------------------------------------------------------------


def _plan(directory: Directory, wanted: PublicFilter, *, offset: int = 0) -> str:
    sql, params = directory.statement(wanted, 20, offset)
    store = directory.store
    with store.transaction(write=False) as tx:
        if store.dialect == "sqlite":
            return "\n".join(str(row[-1]) for row in tx.rows("EXPLAIN QUERY PLAN " + sql, params))
        # Few rows: the planner would rightly scan; forbidding that shows which index serves.
        tx.execute("SET LOCAL enable_seqscan = off")
        return "\n".join(str(row[0]) for row in tx.rows("EXPLAIN " + sql, params))


def test_every_search_is_one_statement_served_by_indexes(directory: tuple[Directory, dict[str, Any]]) -> None:
    found, region = directory
    p = LIVE_PREFIX
    plans = {
        "name": _plan(found, PublicFilter("семен")),
        "short name": _plan(found, PublicFilter("се")),
        "two words": _plan(found, PublicFilter("се ал")),
        "name and form": _plan(found, PublicFilter("семен", form="pupil_pupil")),
        "organization": _plan(found, PublicFilter(organization_id=region["org"])),
        "municipality": _plan(found, PublicFilter(municipality_id=region["municipality"])),
        "municipality and form": _plan(found, PublicFilter(municipality_id=region["municipality"], form="x")),
        "form": _plan(found, PublicFilter(form="pupil_pupil")),
        "subject": _plan(found, PublicFilter(subject="химия")),
        "everyone": _plan(found, PublicFilter(), offset=40),
    }
    sqlite = found.store.dialect == "sqlite"
    for kind in ("name", "short name", "two words", "name and form"):
        if sqlite:
            assert f"SEARCH {p}public_words USING COVERING INDEX {p}public_words_word (word>? AND word<?)" in plans[kind]
        else:
            assert f"Index Scan on {p}public_words_word" in plans[kind] or f"using {p}public_words_word" in plans[kind]
            assert "Index Cond: ((word >=" in plans[kind], plans[kind]
        assert f"{p}public_mentors_order" not in plans[kind]  # the matches are sorted, not the order walked
    for kind, index in (("organization", "organization_order"), ("municipality", "municipality_order"),
                        ("municipality and form", "municipality_order"), ("everyone", "order")):
        if sqlite:
            assert f"COVERING INDEX {p}public_mentors_{index}" in plans[kind], plans[kind]
        else:
            assert f"Scan using {p}public_mentors_{index} " in plans[kind], plans[kind]
    for kind in ("name and form", "municipality and form"):  # the form probed per candidate, by key
        if sqlite:
            assert f"{p}public_mentor_tags_1 (mentor_id=? AND kind=? AND value=?)" in plans[kind], plans[kind]
        else:
            assert "SubPlan" in plans[kind] and "mentor_id = m.id" in plans[kind], plans[kind]
    for kind in ("form", "subject"):
        assert f"{p}public_mentor_tags_value" in plans[kind], plans[kind]
    for kind, plan in plans.items():
        assert f"SCAN {p}public_mentors\n" not in plan + "\n" and "Seq Scan" not in plan, (kind, plan)
        assert "SCAN m\n" not in plan + "\n" and "SCAN r\n" not in plan + "\n", (kind, plan)


# -- the public tables agree with the staff views ---------------------------------------------------


def _expected(store: ViewStore) -> dict[str, dict[str, Any]]:
    """What the staff views say is public (`mentor_reads.public_entry`, as a curator reads other
    organizations' mentors), as published."""
    out = {}
    for item in view_reads.public_mentors(store):
        entry: dict[str, Any] = {"id": item["id"]}
        if "full_name" in item:
            entry["full_name"] = item["full_name"]
        if "organization" in item:
            entry["organization"] = item["organization"]
        if "municipality" in item:
            entry["municipality"] = item["municipality"]
        if "forms" in item:
            entry["forms"] = item["forms"]
        if "subjects" in item:
            entry["subjects"] = item["subjects"]
        if "trainings" in item:
            entry["trainings"] = [
                {"course": t["course"], "provider": t["provider"], "year": int(t["completed_on"][:4])}
                for t in item["trainings"]
            ]
        out[item["id"]] = entry
    return out


def _published(store: ViewStore) -> dict[str, dict[str, Any]]:
    directory = Directory(store)
    with directory.reading() as (tx, position):
        items = directory.search(tx, position, PublicFilter(), limit=10_000, offset=0).items
    out = {}
    for item in items:
        for unit in ("organization", "municipality"):
            if unit in item:
                item[unit] = item[unit]["name"]
        if "forms" in item:
            item["forms"] = [f["code"] for f in item["forms"]]
        out[item["id"]] = item
    return out


@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=steps)
def test_the_public_tables_say_what_the_staff_views_allow(sequence) -> None:  # type: ignore[no-untyped-def]
    """Random histories (the rebuild property's driver, with consents, withdrawals, suspensions,
    renames): after each, the public tables publish exactly the consented fields of exactly the
    mentors in the registry who consented, as computed independently from the staff views."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as folder, fresh_registry("sqlite", Path(folder)) as registry:
        store = open_view_store(registry)
        projector = Projector(registry, store, batch_size=3)
        driver = Driver(registry)
        for index, (kind, numbers) in enumerate(sequence):
            if driver.step(index, kind, numbers):
                projector.catch_up()
                assert _published(store) == _expected(store)


def test_a_store_without_public_tables_gets_them_filled(registry: Registry) -> None:
    """Views made before the public tables existed: opening the store derives them at once."""
    _region(registry, NAMES[:3])
    store = open_view_store(registry)
    Projector(registry, store).catch_up()
    before = store.dump()
    with store.transaction(write=True) as tx:
        for name in DERIVED_TABLES:
            tx.execute(f"DROP TABLE {LIVE_PREFIX}{name}")
    reopened = open_view_store(registry)
    assert reopened.dump() == before
    assert len(before["public_mentors"]) == 3
    assert rebuild(registry, reopened) == registry.position()
    assert reopened.dump() == before
