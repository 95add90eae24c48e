"""Who and what the public lookup shows, on both stores: only mentors in the registry who consented,
only their consented fields, and a hidden mentor hidden everywhere (JSON, search page, card) from
the next request after the event that hides them.

Real HTTP (TestClient) on the real app over the real registry; writes go through the API, whose
write path catches the views up before it answers.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.public import (
    ALL_FIELDS,
    SECRET_TEXTS,
    card,
    every_search_page,
    listed_ids,
    new_mentor,
    public_ids,
    public_json,
    search_page,
    without_form,
)
from support.world.api import ApiWorld, open_world

from registry.application import Registry

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


def assert_public(world: ApiWorld, mentor_id: str, name: str) -> None:
    assert mentor_id in public_ids(world)
    assert mentor_id in public_ids(world, q=name)
    assert mentor_id in listed_ids(every_search_page(world))
    response = card(world, mentor_id)
    assert response.status_code == 200
    assert name in response.text


def assert_hidden(world: ApiWorld, mentor_id: str, name: str) -> None:
    """Nowhere: not listed, not found by name, no card (the very page an unknown id gets)."""
    assert mentor_id not in public_ids(world)
    assert public_ids(world, q=name) == [] or mentor_id not in public_ids(world, q=name)
    everything = every_search_page(world)
    assert mentor_id not in everything
    assert name not in everything
    searched = without_form(search_page(world, q=name).text)  # the form echoes what was typed
    assert name not in searched and "Ничего не найдено" in searched
    hidden, unknown = card(world, mentor_id), card(world, UNKNOWN)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.text == unknown.text  # the same page: nothing tells that this one exists
    assert "etag" not in hidden.headers and "etag" not in unknown.headers


def test_only_mentors_in_the_registry_who_consented_are_public(world: ApiWorld) -> None:
    shown = new_mentor(world, "Открытова Анна Сергеевна")
    pending = new_mentor(world, "Ожидаева Вера Павловна", approve=False)
    rejected = new_mentor(world, "Отклонёнова Дарья Ильинична", approve=False)
    world.write(f"/mentors/{rejected}/reject", {"reason": "Причина-не-для-публики"})
    silent = new_mentor(world, "Безсогласова Галина Юрьевна", consent=None)
    suspended = new_mentor(world, "Приостанова Елена Олеговна")
    world.write(f"/mentors/{suspended}/suspend", {"reason": "Причина-не-для-публики", "effective_date": "2021-01-10"})
    removed = new_mentor(world, "Исключёнова Жанна Петровна")
    world.write(f"/mentors/{removed}/remove", {"reason": "Причина-не-для-публики", "effective_date": "2021-01-10"})
    withdrawn = new_mentor(world, "Отозванова Зоя Кирилловна")
    world.write(f"/mentors/{withdrawn}/consent/withdraw", {"effective_date": "2021-02-01"})

    assert_public(world, shown, "Открытова Анна Сергеевна")
    for mentor_id, name in (
        (pending, "Ожидаева Вера Павловна"),
        (rejected, "Отклонёнова Дарья Ильинична"),
        (silent, "Безсогласова Галина Юрьевна"),
        (suspended, "Приостанова Елена Олеговна"),
        (removed, "Исключёнова Жанна Петровна"),
        (withdrawn, "Отозванова Зоя Кирилловна"),
    ):
        assert_hidden(world, mentor_id, name)
    assert public_json(world)["total"] == 1


def test_each_hiding_event_hides_at_the_next_request_and_reversal_shows_again(world: ApiWorld) -> None:
    name = "Переменова Ирина Львовна"
    mentor = new_mentor(world, name, approve=False)
    assert_hidden(world, mentor, name)  # consented, but only an application
    world.write(f"/mentors/{mentor}/approve", {"effective_date": "2020-09-15"})
    assert_public(world, mentor, name)

    world.write(f"/mentors/{mentor}/suspend", {"reason": "Причина-не-для-публики", "effective_date": "2021-01-10"})
    assert_hidden(world, mentor, name)
    world.write(f"/mentors/{mentor}/reinstate", {"reason": "Вернулась", "effective_date": "2021-05-10"})
    assert_public(world, mentor, name)

    world.write(f"/mentors/{mentor}/consent/withdraw", {"effective_date": "2021-06-01"})
    assert_hidden(world, mentor, name)
    world.write(f"/mentors/{mentor}/consent", {"fields": ALL_FIELDS, "effective_date": "2021-07-01"})
    assert_public(world, mentor, name)

    world.write(f"/mentors/{mentor}/remove", {"reason": "Причина-не-для-публики", "effective_date": "2021-08-01"})
    assert_hidden(world, mentor, name)


def test_only_the_consented_fields_are_shown(world: ApiWorld) -> None:
    org = world.organization("Лицей «Секретный адрес»")
    name_only = new_mentor(world, "Именова Ксения Марковна", org=org, consent=["name"],
                           forms=("employer_pupil",), subjects=("криптография",))
    item = public_json(world, q="Именова")["items"][0]
    assert set(item) == {"id", "full_name"}
    page = card(world, name_only).text
    for hidden in ("Лицей «Секретный адрес»", "Район", "работодатель – ученик",
                   "криптография", "ХК ИРО", "Наставничество в образовательной организации"):
        assert hidden not in page, hidden

    unnamed = new_mentor(world, "Безымянова Лидия Фёдоровна", consent=["forms", "subjects", "training"],
                         forms=("student_pupil",), subjects=("астрономия",))
    item = next(i for i in public_json(world)["items"] if i["id"] == unnamed)
    assert set(item) == {"id", "forms", "subjects", "trainings"}
    assert item["forms"] == [{"code": "student_pupil", "title": "студент – ученик"}]
    assert item["subjects"] == ["астрономия"]
    assert item["trainings"] == [
        {"course": "Наставничество в образовательной организации", "provider": "ХК ИРО", "year": 2021}
    ]
    for text in (every_search_page(world), card(world, unnamed).text):
        assert "Безымянова" not in text and "Лидия" not in text
        assert "ФИО не опубликовано" in text
    assert public_ids(world, q="Безымянова") == []

    everything = public_json(world)
    full = new_mentor(world, "Полнова Мира Денисовна")
    item = next(i for i in public_json(world)["items"] if i["id"] == full)
    assert set(item) == {"id", "full_name", "organization", "municipality", "forms", "subjects", "trainings"}
    assert item["organization"] == {"id": world.org_a, "name": "Школа № 1"}
    assert item["municipality"]["id"] == world.municipality_id
    assert everything["total"] + 1 == public_json(world)["total"]


def test_filters_match_only_what_the_mentor_published(world: ApiWorld) -> None:
    """Filtering on a field a mentor did not publish never finds them: a filter would reveal it."""
    open_org = new_mentor(world, "Фильтрова Нина Андреевна", consent=ALL_FIELDS, subjects=("химия",))
    closed_org = new_mentor(world, "Скрытова Ольга Андреевна", consent=["name"], subjects=("химия",))
    assert public_ids(world, organization_id=world.org_a) == [open_org]
    assert public_ids(world, municipality_id=world.municipality_id) == [open_org]
    assert public_ids(world, form="teacher_teacher") == [open_org]
    assert public_ids(world, subject="химия") == [open_org]
    assert set(public_ids(world, q="андреевна")) == {open_org, closed_org}
    page = search_page(world, organization=world.org_a).text
    assert "Фильтрова" in page and "Скрытова" not in page


def test_nothing_but_publishable_data_ever_leaves(world: ApiWorld) -> None:
    """No birth date, contact, SNILS, position, reason, certificate, mentee or pair, anywhere."""
    mentor = new_mentor(world, "Наставникова Полина Игоревна")
    mentee = world.created(
        "/mentees",
        {"organization_id": world.org_a, "category": "pupil",
         "person": {"full_name": "Учеников Роман Тайнович"}, "birth_year": 2009,
         "registered_on": "2020-09-01"},
    )
    world.created(
        "/pairs",
        {"organization_id": world.org_a, "mentor_id": mentor, "mentee_ids": [mentee],
         "form": "teacher_teacher", "started_on": "2020-10-01"},
    )
    # Suspended with a running pair: it is dissolved with the reason, which must not leak either.
    world.write(f"/mentors/{mentor}/suspend", {"reason": "Причина-не-для-публики", "effective_date": "2021-01-10",
                                               "end_pairs": True})
    world.write(f"/mentors/{mentor}/reinstate", {"reason": "Причина-не-для-публики", "effective_date": "2021-02-10"})
    texts = [
        world.client.get("/api/v1/public/mentors").text,
        world.client.get("/api/v1/public/filters").text,
        every_search_page(world),
        card(world, mentor).text,
        without_form(search_page(world, q="Учеников Роман Тайнович").text),
    ]
    for text in texts:
        for secret in [*SECRET_TEXTS, "Учеников", "Тайнович", mentee]:
            assert secret not in text, secret
    item = public_json(world)["items"][0]
    assert "pairs" not in item and "mentees" not in item and "capacity" not in item


def test_renamed_units_are_renamed_on_the_public_page(world: ApiWorld) -> None:
    mentor = new_mentor(world, "Переименова Раиса Глебовна")
    world.write(f"/organizations/{world.org_a}/rename",
                {"name": "Гимназия № 1 имени А. С. Пушкина", "effective_date": "2022-09-01", "reason": "приказ"})
    world.write(f"/municipalities/{world.municipality_id}/rename", {"name": "Новый округ", "reason": "закон края"})
    item = public_json(world)["items"][0]
    assert item["id"] == mentor
    assert item["organization"]["name"] == "Гимназия № 1 имени А. С. Пушкина"
    assert item["municipality"]["name"] == "Новый округ"
    page = card(world, mentor).text
    assert "Гимназия № 1 имени А. С. Пушкина" in page and "Новый округ" in page


def test_malformed_and_unknown_cards_get_the_same_page(world: ApiWorld) -> None:
    pages = [card(world, "not-an-id"), card(world, UNKNOWN), card(world, "x" * 300)]
    assert {p.status_code for p in pages} == {404}
    assert len({p.text for p in pages}) == 1
    assert '<html lang="ru">' in pages[0].text and "Наставник не найден" in pages[0].text


def test_a_withdrawal_dated_in_the_future_is_refused_and_one_dated_today_hides_at_once(world: ApiWorld) -> None:
    name = "Будущева Нина Аркадьевна"
    mentor = new_mentor(world, name)
    before = world.position()

    refused = world.post(f"/mentors/{mentor}/consent/withdraw", {"effective_date": "2030-01-01"})

    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["errors"]] == ["effective_date"]
    assert "ещё не наступила" in refused.json()["errors"][0]["message"]
    assert world.position() == before  # nothing recorded: not moved to today
    assert_public(world, mentor, name)

    world.write(f"/mentors/{mentor}/consent/withdraw", {"effective_date": "2023-06-01"})  # the registry's today
    assert world.history(mentor)[-1].effective_date.isoformat() == "2023-06-01"
    assert_hidden(world, mentor, name)
