"""Every workspace route × every role, through the real app on both stores: reading pages show
a record within the person's scope and a 404 page outside it (a curator never reaches another
school's record, by any address); the curator's forms are refused (403) to other roles; and a
refused form records nothing. Expectations are written out, as in tests/test_api_roles.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from staff_support import StaffWorld

from registry.application import Registry

ROLES = ("admin", "municipal", "curator", "curator_other", "auditor")


@dataclass(frozen=True)
class School:
    mentor: str
    pending: str
    mentee: str
    pair: str
    program: str
    mentor_name: str


@pytest.fixture
def world(registry: Registry) -> Iterator[StaffWorld]:
    world = StaffWorld(registry)
    try:
        yield world
    finally:
        world.close()


def _school_a(world: StaffWorld) -> School:
    mentor = world.mentor(world.org_a)
    pending = world.mentor(world.org_a, approve=False)
    mentee = world.mentee(world.org_a)
    pair = world.pair(world.org_a, mentor, [mentee])
    program = world.program(world.org_a)
    name = world.get(f"/mentors/{mentor}", as_="admin").json()["item"]["full_name"]
    return School(mentor, pending, mentee, pair, program, name)


def _reading_pages(a: School) -> list[str]:
    return [f"/staff/mentors/{a.mentor}", f"/staff/mentors/{a.pending}", f"/staff/mentees/{a.mentee}",
            f"/staff/pairs/{a.pair}", f"/staff/programs/{a.program}"]


LISTS = ["/staff/", "/staff/mentors", "/staff/mentees", "/staff/pairs", "/staff/programs",
         "/staff/mentors?format=xlsx", "/staff/mentees?format=xlsx", "/staff/pairs?format=xlsx",
         "/staff/programs?format=xlsx", "/staff/password"]
CURATOR_FORMS = ["/staff/mentors/new", "/staff/mentees/new", "/staff/pairs/new", "/staff/programs/new",
                 "/staff/checklist", "/staff/import", "/staff/import/template/mentors"]


def test_nobody_reaches_a_page_without_signing_in(world: StaffWorld) -> None:
    a = _school_a(world)
    anonymous = world.browser()
    for path in [*LISTS, *CURATOR_FORMS, *_reading_pages(a), f"/staff/mentors/{a.mentor}/profile"]:
        response = anonymous.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/staff/login?next="), path


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_its_scope_and_gets_404_outside_it(world: StaffWorld, role: str) -> None:
    a = _school_a(world)
    browser = world.sign_in(role)
    for path in LISTS:
        assert browser.get(path).status_code == 200, path
    expected_record = 404 if role == "curator_other" else 200
    for path in _reading_pages(a):
        response = browser.get(path)
        assert response.status_code == expected_record, (path, response.status_code)
        if expected_record == 404:
            assert a.mentor_name not in response.text and "не найдено" in response.text.lower()
    for path in ["/staff/mentors", "/staff/pairs", "/staff/mentors?status=active"]:
        assert (a.mentor_name in browser.get(path).text) is (role != "curator_other"), path
    is_curator = role in ("curator", "curator_other")
    for path in CURATOR_FORMS:
        assert browser.get(path).status_code == (200 if is_curator else 403), path
    profile = browser.get(f"/staff/mentors/{a.mentor}/profile").status_code
    assert profile == {"curator": 200, "curator_other": 404}.get(role, 403)
    assert browser.get("/staff/mentors/not-an-id").status_code == 404


WRITES = [
    ("/staff/mentors/{mentor}/profile", {"person.full_name": "Подмена Имени", "profile.position": "x",
                                         "profile.mentor_type": "teacher"}),
    ("/staff/mentors/{mentor}/consent", {"consent.fields": "name", "consent.effective_date": "01.03.2021"}),
    ("/staff/mentors/{mentor}/consent/withdraw", {"withdraw.effective_date": "01.03.2021"}),
    ("/staff/pairs/{pair}/complete", {"complete.ended_on": "01.03.2021", "complete.outcome": "готово"}),
    ("/staff/pairs/{pair}/dissolve", {"dissolve.ended_on": "01.03.2021", "dissolve.reason": "так"}),
    ("/staff/programs/{program}/outputs", {"kind": "project", "title": "Чужой проект", "produced_on": "01.03.2021"}),
]
CREATES = [
    ("/staff/mentors/new", {"person.full_name": "Новая Наставница", "profile.position": "учитель",
                            "profile.mentor_type": "teacher", "applied_on": "01.03.2021"}),
    ("/staff/mentees/new", {"registered_on": "01.03.2021", "rows.0.full_name": "Новый Ученик",
                            "rows.0.category": "pupil", "rows.0.birth_year": "2009"}),
    ("/staff/programs/new", {"title": "Новая программа", "starts_on": "01.03.2021"}),
    ("/staff/checklist/curator_appointed", {"curator_appointed.completed_on": "01.03.2021"}),
]


@pytest.mark.parametrize("role", ["admin", "municipal", "auditor", "curator_other"])
def test_no_one_but_the_schools_curator_writes_for_it_and_a_refusal_records_nothing(
    world: StaffWorld, role: str
) -> None:
    a = _school_a(world)
    browser = world.sign_in(role)
    before = world.registry.position()
    for template, data in WRITES:
        path = template.format(mentor=a.mentor, pair=a.pair, program=a.program)
        status = browser.post(path, data).status_code
        assert status == (404 if role == "curator_other" else 403), (path, status)
    if role != "curator_other":
        for path, data in CREATES:
            assert browser.post(path, data).status_code == 403, path
    assert world.registry.position() == before, "nothing recorded"


def test_an_upload_is_confirmed_only_by_its_uploader(world: StaffWorld) -> None:
    curator = world.sign_in("curator")
    curator.get("/staff/import")
    csv = ("Организация;ФИО;Категория;Год рождения;Дата включения в программу\n"
           "Школа № 1;Петров Пётр;обучающийся;2009;01.09.2022\n")
    checked = curator.post("/staff/import", {"kind": "mentees"}, files={"file": ("ученики.csv", csv.encode())})
    assert checked.status_code == 200, checked.text[-3000:]
    token = checked.text.split("/staff/import/")[1].split("/confirm")[0]
    other = world.sign_in("curator_other")
    before = world.registry.position()
    assert other.post(f"/staff/import/{token}/confirm", {}).status_code == 404
    assert other.get(f"/staff/import/{token}/errors").status_code == 404
    assert world.registry.position() == before


def test_an_address_that_is_no_page_answers_with_a_page_and_the_api_keeps_its_problems(world: StaffWorld) -> None:
    curator = world.sign_in("curator")
    missing = curator.get("/staff/no-such-page")
    assert missing.status_code == 404 and "Такой страницы нет" in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    api = world.get("/no-such-route")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")
