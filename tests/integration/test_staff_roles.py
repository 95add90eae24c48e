"""Every workspace route × every role, through the real app on both stores: reading pages show
a record within the person's scope and a 404 page outside it (a curator never reaches another
school's record, by any address); the curator's forms are refused (403) to other roles; and a
refused form records nothing. Expectations are written out, as in tests/test_api_roles.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from support.world.api import open_world
from support.world.staff import StaffWorld

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
    yield from open_world(registry, StaffWorld)


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


# -- issue #18: monitoring rounds, roadmaps, questionnaires, suggestions ---------------------------

def _round_of_municipality(world: StaffWorld) -> str:
    return world.created("/monitoring-rounds", {
        "title": "Мониторинг ЦМН за 2022 год", "year": 2022, "asked": ["contingent"], "organization_kinds": ["school"],
        "municipality_id": world.municipality_id, "opened_on": "2023-05-02", "due_on": "2023-05-20",
    }, as_="municipal")


MONITORING_READS = ["/staff/rounds", "/staff/roadmap", "/staff/roadmap/overdue", "/staff/roadmap/overdue?format=xlsx"]
#: (path, expected status by role): the round's pages; its report only once closed (409 before).
ROUND_PAGES = {
    "/staff/rounds/{round}": dict.fromkeys(ROLES, 200),
    "/staff/rounds/{round}?format=xlsx": dict.fromkeys(ROLES, 200),
    "/staff/rounds/{round}/close": {"admin": 200, "municipal": 200, "curator": 403, "curator_other": 403,
                                    "auditor": 403},
    "/staff/rounds/{round}/report.json": {"admin": 409, "municipal": 409, "curator": 403, "curator_other": 403,
                                          "auditor": 409},
    "/staff/rounds/{round}/manifest.json": {"admin": 409, "municipal": 409, "curator": 403, "curator_other": 403,
                                            "auditor": 409},
    "/staff/rounds/new": {"admin": 200, "municipal": 200, "curator": 403, "curator_other": 403, "auditor": 403},
    "/staff/pairs/new?suggest=1&form=pupil_pupil&mentee_ids={mentee}": {
        "admin": 403, "municipal": 403, "curator": 200, "curator_other": 404, "auditor": 403},
}


def test_nobody_reaches_the_monitoring_pages_without_signing_in(world: StaffWorld) -> None:
    round_id = _round_of_municipality(world)
    anonymous = world.browser()
    for path in [*MONITORING_READS, *(p.format(round=round_id, mentee="x") for p in ROUND_PAGES)]:
        response = anonymous.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/staff/login?next="), path


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_monitoring_pages_it_may(world: StaffWorld, role: str) -> None:
    a = _school_a(world)
    round_id = _round_of_municipality(world)
    browser = world.sign_in(role)
    for path in MONITORING_READS:
        assert browser.get(path).status_code == 200, path
    for template, expected in ROUND_PAGES.items():
        path = template.format(round=round_id, mentee=a.mentee)
        assert browser.get(path).status_code == expected[role], (path, role)
    nav = browser.get("/staff/rounds").text
    assert 'href="/staff/rounds"' in nav and 'href="/staff/roadmap"' in nav


MONITORING_WRITES = [
    ("/staff/rounds/new", {"title": "Чужой мониторинг", "year": "2022", "asked": "contingent",
                           "organization_kinds": "school", "opened_on": "02.05.2023", "due_on": "20.05.2023"}),
    ("/staff/rounds/{round}/close", {"closed_on": "01.06.2023"}),
    ("/staff/roadmap/plan", {"item": "curator_appointed", "due_on": "01.02.2023", "responsible": "x",
                             "document_kind": "order"}),
    ("/staff/roadmap/drop", {"item": "curator_appointed", "drop_reason": "так"}),
]


@pytest.mark.parametrize("role", ["curator", "curator_other", "auditor"])
def test_only_the_institute_and_the_coordinator_run_rounds_and_roadmaps(world: StaffWorld, role: str) -> None:
    round_id = _round_of_municipality(world)
    browser = world.sign_in(role)
    before = world.registry.position()
    for template, data in MONITORING_WRITES:
        path = template.format(round=round_id)
        assert browser.post(path, data).status_code == 403, path
    assert world.registry.position() == before, "nothing recorded"


@pytest.mark.parametrize("role", ["admin", "municipal", "auditor", "curator_other"])
def test_only_the_schools_curator_records_a_questionnaire(world: StaffWorld, role: str) -> None:
    a = _school_a(world)
    browser = world.sign_in(role)
    before = world.registry.position()
    status = browser.post(f"/staff/pairs/{a.pair}/feedback", {"respondent_key": "mentor",
                                                             "mentor.answered_on": "01.03.2023",
                                                             "mentor.scores.overall": "8"}).status_code
    assert status == (404 if role == "curator_other" else 403)
    assert world.registry.position() == before
