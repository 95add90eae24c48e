"""The institute's own pages through the real app on both stores: its start page (indicators
against targets), users (added with a sign-in, revoked, a password reset) and the erasure of a
person's personal data after a page that says what is destroyed."""

from __future__ import annotations

import io
from collections.abc import Iterator
from uuid import UUID

import pytest
from openpyxl import load_workbook
from support.world.api import open_world
from support.world.oversight import OversightWorld
from support.world.staff import PASSWORD

from registry.application import Registry


@pytest.fixture
def world(registry: Registry) -> Iterator[OversightWorld]:
    yield from open_world(registry, OversightWorld)


def _types(world: OversightWorld, aggregate_id: str) -> list[str]:
    return [type(e).__qualname__ for e in world.history(aggregate_id)]


def test_the_start_page_shows_the_unit_s_indicators_against_the_targets(world: OversightWorld) -> None:
    world.write(
        "/targets",
        {
            "indicator": "pupils_10_19",
            "unit_kind": "region",
            "unit_id": "27",  # the world's registered region, «Хабаровский край»
            "year": 2022,
            "share_percent": "35",
        },
    )
    world.pair(world.org_a)
    admin = world.person("admin").get("/staff/", year="2022").text
    assert "Показатели 2022 года" in admin and "Регион: Хабаровский край" in admin
    assert "цель: 35,00 %" in admin
    municipal = world.person("municipal").get("/staff/", year="2021").text
    assert "Показатели 2021 года" in municipal and "Муниципалитет: Район" in municipal
    assert world.person("curator").get("/staff/").status_code == 200  # the curator's own start page


def test_the_start_page_opens_on_the_latest_year_the_unit_reported_a_contingent_for(world: OversightWorld) -> None:
    # TODAY is in 2023; nobody has reported 2022 or 2023 yet: 2021 is the last year with figures.
    world.write(f"/organizations/{world.org_a}/contingents", {"year": 2021, "figures": {"students_10_19": 400}})
    world.write(f"/organizations/{world.org_far}/contingents", {"year": 2020, "figures": {"students_10_19": 90}})

    assert "Показатели 2021 года" in world.person("admin").get("/staff/").text
    assert "Показатели 2021 года" in world.person("municipal").get("/staff/").text
    assert "Показатели за 2021 год" in world.person("curator").get("/staff/").text
    # A year asked for is shown as asked, even one without figures.
    assert "Показатели 2023 года" in world.person("admin").get("/staff/", year="2023").text


def test_the_institute_adds_a_curator_with_a_sign_in_who_then_signs_in(world: OversightWorld) -> None:
    admin = world.person("admin")
    short = admin.post(
        "/staff/users/new",
        {
            "name": "Петрова А. В.",
            "role": "curator",
            "organization_id": world.org_a,
            "login": "petrova",
            "password": "коротко",
        },
    )
    assert short.status_code == 422 and 'id="f-password-error"' in short.text
    no_school = admin.post(
        "/staff/users/new",
        {"name": "Петрова А. В.", "role": "curator", "login": "petrova", "password": "длинный-пароль-1"},
    )
    assert no_school.status_code == 422 and "Для куратора нужно указать его организацию" in no_school.text

    added = admin.post(
        "/staff/users/new",
        {
            "name": "Петрова А. В.",
            "role": "curator",
            "organization_id": world.org_a,
            "login": "petrova",
            "password": "длинный-пароль-1",
        },
    )
    assert added.status_code == 303
    user_id = added.headers["location"].split("/")[-1].split("?")[0]
    assert _types(world, user_id) == ["User.Added", "User.PasswordSet"]
    assert "длинный-пароль-1" not in str([vars(e) for e in world.history(user_id)])
    assert "petrova" in admin.get("/staff/users").text

    newcomer = world.browser()
    newcomer.get("/staff/login")
    assert newcomer.post("/staff/login", {"login": "petrova", "password": "длинный-пароль-1"}).status_code == 303
    assert newcomer.get("/staff/approvals").status_code == 403  # a curator's session, a curator's rights


def test_a_reset_password_ends_the_old_one_and_a_revocation_ends_the_access(world: OversightWorld) -> None:
    admin = world.person("admin")
    curator_id = world.user_ids["curator"]
    reset = admin.post(f"/staff/users/{curator_id}/password", {"password": "новый-пароль-2023"})
    assert reset.status_code == 303
    assert _types(world, curator_id)[-1] == "User.PasswordSet"
    old = world.browser()
    old.get("/staff/login")
    assert old.post("/staff/login", {"login": "curator", "password": PASSWORD}).status_code == 401

    no_reason = admin.post(f"/staff/users/{curator_id}/revoke", {"reason": " "})
    assert no_reason.status_code == 422
    assert admin.post(f"/staff/users/{curator_id}/revoke", {"reason": "перевод в другую школу"}).status_code == 303
    assert _types(world, curator_id)[-1] == "User.Revoked"
    again = world.browser()
    again.get("/staff/login")
    assert again.post("/staff/login", {"login": "curator", "password": "новый-пароль-2023"}).status_code == 401
    assert admin.get(f"/staff/users/{UUID(int=5)}").status_code == 404


def test_an_erasure_says_what_is_destroyed_and_needs_a_reason_and_a_confirmation(world: OversightWorld) -> None:
    world.write(f"/organizations/{world.org_a}/contingents", {"year": 2020, "figures": {"students_10_19": 100}})
    mentee = world.created(
        "/mentees",
        {
            "organization_id": world.org_a,
            "category": "pupil",
            "birth_year": 2008,
            "registered_on": "2020-09-01",
            "person": {"full_name": "Сидоров Семён Петрович", "birth_date": "2008-04-23", "phone": "+7 914 555-00-11"},
        },
    )
    world.pair(world.org_a, mentees=[mentee])
    admin = world.person("admin")
    page = admin.get(f"/staff/erasure/{mentee}").text
    for said in ("Сидоров Семён Петрович", "23.04.2008", "+7 914 555-00-11", "год рождения для возрастных групп"):
        assert said in page
    assert admin.post(f"/staff/erasure/{mentee}", {"reason": "заявление № 12"}).status_code == 422
    assert admin.post(f"/staff/erasure/{mentee}", {"reason": "", "understood": "yes"}).status_code == 422
    assert _types(world, mentee)[-1] != "Mentee.PersonalDataErased"
    before = world.get("/indicators", period="2020", as_="admin").json()["indicators"][0]["numerator"]

    done = admin.post(f"/staff/erasure/{mentee}", {"reason": "заявление № 12 от 01.03.2024", "understood": "yes"})
    assert done.status_code == 303
    history = admin.get(done.headers["location"]).text
    assert "данные удалены" in history and "Сидоров" not in history and "555-00-11" not in history
    assert world.get("/indicators", period="2020", as_="admin").json()["indicators"][0]["numerator"] == before == 1
    assert world.person("auditor").get(f"/staff/erasure/{mentee}").status_code == 403
    assert (
        world.person("municipal").post(f"/staff/erasure/{mentee}", {"reason": "x", "understood": "yes"}).status_code
        == 403
    )


def test_the_institute_keeps_units_reference_lists_and_targets(world: OversightWorld) -> None:
    admin = world.person("admin")
    added = admin.post(
        "/staff/units/organizations",
        {
            "name": "МБОУ СОШ № 9",
            "kind": "school",
            "municipality_id": world.home_municipality,
            "registered_on": "01.09.2019",
            "inn": "12",
        },
    )
    assert added.status_code == 422 and "ИНН — 10 или 12 цифр" in added.text
    added = admin.post(
        "/staff/units/organizations",
        {
            "name": "МБОУ СОШ № 9",
            "kind": "school",
            "municipality_id": world.home_municipality,
            "registered_on": "01.09.2019",
        },
    )
    assert added.status_code == 303 and "МБОУ СОШ № 9" in admin.get("/staff/units").text
    assert (
        admin.post("/staff/units/municipalities", {"name": "Бикинский район", "region": "Хабаровский край"}).status_code
        == 303
    )

    entry = {"code": "parent_pupil", "title": "родитель – ученик"}
    assert admin.post("/staff/reference/mentoring_form/entries", entry).status_code == 303
    assert admin.post("/staff/reference/mentoring_form/entries", entry).status_code == 422  # the code is taken
    assert "родитель – ученик" in admin.get("/staff/reference").text

    target = {
        "indicator": "pupils_10_19",
        "unit": f"municipality:{world.home_municipality}",
        "year": "2024",
        "share_percent": "70",
    }
    assert admin.post("/staff/targets", target).status_code == 303
    changed = admin.post("/staff/targets", {**target, "share_percent": "75"})
    assert changed.status_code == 422  # a target already set changes only with a reason
    assert (
        admin.post("/staff/targets", {**target, "share_percent": "75", "reason": "решение коллегии"}).status_code == 303
    )
    rows = list(load_workbook(io.BytesIO(admin.get("/staff/targets.xlsx").content)).active.iter_rows(values_only=True))
    assert rows[1][3:] == (2024, "75")  # the correction is what is in force
    codes = [
        r[2]
        for r in load_workbook(io.BytesIO(admin.get("/staff/reference.xlsx").content)).active.iter_rows(
            values_only=True
        )
    ]
    assert "parent_pupil" in codes
    page = admin.get("/staff/targets").text
    assert '<td class="num">75' in page and '<td class="num">70' not in page


def test_a_region_target_names_a_registered_region_and_is_listed_by_its_name(world: OversightWorld) -> None:
    admin = world.person("admin")
    target = {"indicator": "extra_ed", "year": "2024", "share_percent": "40"}
    assert '<option value="region:27">Регион Хабаровский край (27)</option>' in admin.get("/staff/targets").text

    unregistered = admin.post("/staff/targets", {**target, "unit": "region:28"})
    assert admin.post("/staff/targets", {**target, "unit": "region:27"}).status_code == 303

    assert unregistered.status_code == 422
    assert "Региона с кодом «28» нет в реестре; зарегистрированы: 27" in unregistered.text
    rows = list(load_workbook(io.BytesIO(admin.get("/staff/targets.xlsx").content)).active.iter_rows(values_only=True))
    assert rows[1][1:] == ("Хабаровский край", "регион", 2024, "40")


@pytest.mark.parametrize(
    "path",
    [
        "/staff/users",
        "/staff/users.xlsx",
        "/staff/users/new",
        "/staff/users/{user}",
        "/staff/erasure/{mentor}",
        "/staff/units",
        "/staff/units/organizations.xlsx",
        "/staff/reference",
        "/staff/targets",
        "/staff/reference.xlsx",
        "/staff/targets.xlsx",
    ],
)
def test_only_the_institute_opens_its_own_pages(world: OversightWorld, path: str) -> None:
    url = path.format(user=world.user_ids["curator"], mentor=world.mentor(world.org_a))
    for role in ("admin", "municipal", "curator", "curator_other", "auditor"):
        status = world.person(role).get(url).status_code
        assert status == (200 if role == "admin" else 403), (url, role, status)


def test_a_list_download_holds_every_row_however_many_pages_it_takes(
    world: OversightWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.staff import pages

    admin = world.person("admin")
    for number in range(10, 14):
        added = admin.post(
            "/staff/units/organizations",
            {"name": f"МБОУ СОШ № {number}", "kind": "school", "municipality_id": world.home_municipality,
             "registered_on": "01.09.2019"},
        )
        assert added.status_code == 303
    whole = load_workbook(io.BytesIO(admin.get("/staff/units/organizations.xlsx").content)).active
    names = sorted(r[0] for r in list(whole.iter_rows(values_only=True))[1:])
    assert len(names) >= 6 and {f"МБОУ СОШ № {n}" for n in range(10, 14)} <= set(names)

    monkeypatch.setattr(pages, "DOWNLOAD_PAGE", 2)  # a big region's list, in miniature: many pages per download
    paged = load_workbook(io.BytesIO(admin.get("/staff/units/organizations.xlsx").content)).active
    assert sorted(r[0] for r in list(paged.iter_rows(values_only=True))[1:]) == names
