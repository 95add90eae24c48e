"""The public answers kept per process: served again while the log stands still, never after it
moved; hidden and erased mentors leave them at once; 304s still work; totals past the counting
window say «более», on both stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.public import (
    new_mentor,
    public_ids,
    public_json,
    search_page,
    without_form,
)
from support.world.api import ApiWorld, open_world

import api.freshness
import projections.public
from registry.application import Registry

URL = "/api/v1/public/mentors"


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


def ask(world: ApiWorld, path: str = URL, **params: object) -> tuple[str, str]:
    response = world.client.get(path, params=params)
    assert response.status_code == 200
    return response.headers["x-cache"], response.text


def test_an_answer_is_given_again_from_memory_until_the_log_moves(world: ApiWorld) -> None:
    new_mentor(world, "Кешина Алла Петровна")
    first = ask(world, q="кеш")
    again = ask(world, q="  КЕШ ")  # the same question, typed otherwise
    assert first[0] == "miss" and again == ("hit", first[1])
    assert ask(world, "/api/v1/public/filters")[0] == "miss"
    assert ask(world, "/api/v1/public/filters")[0] == "hit"

    second = new_mentor(world, "Кешев Борис Ильич")  # a write: the very next read is fresh
    state, body = ask(world, q="кеш")
    assert state == "miss" and second in body
    assert world.client.get(URL, params={"q": "кеш"}).headers["x-log-position"] == str(world.position())
    assert public_json(world, q="кеш")["total"] == 2


def test_hidden_and_erased_mentors_leave_the_kept_answers_at_once(world: ApiWorld) -> None:
    name = "Прятова Вера Олеговна"
    suspended = new_mentor(world, name)
    erased = new_mentor(world, "Стёртова Нина Павловна")
    for _ in range(2):  # asked twice: the second answers come from memory
        assert suspended in public_ids(world) and suspended in public_ids(world, q="прят")
        assert name in search_page(world, q="прят").text and erased in search_page(world).text
    assert ask(world, limit=100, q="прят")[0] == "hit"

    world.write(f"/mentors/{suspended}/suspend", {"reason": "Проверка", "effective_date": "2021-01-10"})
    assert suspended not in public_ids(world) and public_ids(world, q="прят") == []
    assert name not in without_form(search_page(world, q="прят").text)

    world.write(f"/persons/{erased}/erase", {"reason": "Заявление об удалении № 7"})
    assert erased not in public_ids(world) and public_ids(world, q="стерт") == []
    assert erased not in search_page(world).text
    kept = b"".join(answer.body for answer in world.app.state.public_cache.values())
    assert "Стёртова".encode() not in kept and erased.encode() not in kept  # nothing kept names her


def test_another_process_writes_are_seen_at_the_next_look_at_the_log(
    world: ApiWorld, open_store, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    new_mentor(world, "Первова Ольга Ивановна")
    assert ask(world, q="втор")[0] == "miss" and ask(world, q="втор")[0] == "hit"  # kept: nobody found
    other = ApiWorld(open_store())  # a second API process on the same store: it writes the views too
    try:
        mentor = new_mentor(other, "Вторая Анна Ильинична")
    finally:
        other.close()
    monkeypatch.setattr(api.freshness, "INTERVAL", 0.0)  # the look is due now, not in half a second
    assert mentor in public_ids(world, q="втор")


def test_an_unchanged_registry_still_answers_304_from_memory(world: ApiWorld) -> None:
    new_mentor(world, "Тегова Инна Львовна")
    first = world.client.get(URL, params={"q": "тег"})
    tag = first.headers["etag"]
    again = world.client.get(URL, params={"q": "тег"}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["x-cache"] == "hit"
    assert again.headers["etag"] == tag and again.headers["access-control-allow-origin"] == "*"
    page = world.client.get("/", params={"q": "тег"})
    assert world.client.get("/", params={"q": "тег"}, headers={"If-None-Match": page.headers["etag"]}).status_code == 304

    new_mentor(world, "Тегов Олег Львович")
    moved = world.client.get(URL, params={"q": "тег"}, headers={"If-None-Match": tag})
    assert moved.status_code == 200 and moved.headers["etag"] != tag


def test_a_total_past_the_counting_window_is_a_lower_bound(
    world: ApiWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(projections.public, "COUNT_WINDOW", 2)
    mentors = [new_mentor(world, f"Счётова {first} Петровна") for first in ("Анна", "Вера", "Галина", "Дина")]
    found = public_json(world, q="счет")
    assert (found["total"], found["total_is_lower_bound"]) == (2, True)  # «more than 2»
    assert len(found["items"]) == 4  # the page itself is whole
    further = public_json(world, q="счет", offset=2)
    assert (further["total"], further["total_is_lower_bound"]) == (4, False)  # counted up to 2 + 2: all
    assert public_json(world, q="счет", offset=4)["items"] == []

    # One filter alone (or none) is counted exactly, from the filter lists of the position.
    by_org = public_json(world, organization_id=world.org_a)
    assert (by_org["total"], by_org["total_is_lower_bound"]) == (4, False)
    assert (public_json(world)["total"], public_json(world)["total_is_lower_bound"]) == (4, False)
    # Two filters are counted up to the window.
    both = public_json(world, organization_id=world.org_a, form="teacher_teacher")
    assert (both["total"], both["total_is_lower_bound"]) == (2, True)

    page = without_form(search_page(world, q="счет").text)
    assert "Найдено: более 2 наставников" in page
    assert all(mentor in search_page(world, q="счет").text for mentor in mentors)


def test_an_address_asked_again_is_sent_from_memory_as_the_app_sent_it(world: ApiWorld) -> None:
    mentor = new_mentor(world, "Адресова Лидия Петровна")
    for path, params in ((URL, {"q": "адр"}), ("/", {"q": "адр"}), ("/api/v1/public/filters", {})):
        first = world.client.get(path, params=params)
        again = world.client.get(path, params=params)
        assert (first.headers["x-cache"], again.headers["x-cache"]) == ("miss", "hit")
        assert again.content == first.content
        for header in ("etag", "cache-control", "x-log-position", "content-type", "content-length"):
            assert again.headers[header] == first.headers[header]
    assert world.client.get(URL, params={"q": "адр"}).headers["access-control-allow-origin"] == "*"
    assert world.client.get("/", params={"q": "адр"}).headers["content-language"] == "ru"
    for _ in range(2):  # a refused question is never kept: refused again, as a problem
        assert world.client.get(URL, params={"limit": 0}).status_code == 422

    world.write(f"/mentors/{mentor}/suspend", {"reason": "Проверка", "effective_date": "2021-01-10"})
    after = world.client.get(URL, params={"q": "адр"})
    assert after.headers["x-cache"] == "miss" and mentor not in after.text
