"""Monitoring rounds and roadmaps in the workspace, through the real app on both stores: the
coordinator opens a round with the form, the schools' statuses follow from what they record,
the curator sees what is still missing from its school, the round is closed after a
confirmation and its frozen report downloads with a manifest that describes those very bytes;
roadmap items are planned and dropped, and an overdue item shows per municipality and school."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from support.world.api import open_world
from support.world.staff import StaffWorld

from registry.application import Registry


def _ru(days: int) -> str:
    return (datetime.now(ZoneInfo("Europe/Moscow")).date() + timedelta(days=days)).strftime("%d.%m.%Y")


@pytest.fixture
def world(registry: Registry) -> Iterator[StaffWorld]:
    yield from open_world(registry, StaffWorld)


def _open_round(world: StaffWorld, due_in_days: int, title: str = "Мониторинг ЦМН за 2022 год") -> str:
    coordinator = world.sign_in("municipal")
    assert coordinator.get("/staff/rounds/new").status_code == 200
    opened = coordinator.post("/staff/rounds/new", {
        "title": title, "year": "2022", "asked": ["contingent", "checklist"],
        "checklist_items": ["curator_appointed"], "organization_kinds": ["school"],
        "opened_on": "02.05.2023", "due_on": _ru(due_in_days), "reminders_to": "uo@rayon.example",
    })
    assert opened.status_code == 303, opened.text[-3000:]
    return opened.headers["location"].split("/staff/rounds/")[1].split("?")[0]


def _submit(world: StaffWorld, org: str) -> None:
    world.write(f"/organizations/{org}/contingents", {"year": 2022, "figures": {"students_total": 640}})
    world.write(f"/organizations/{org}/checklist/curator_appointed/complete",
                {"document": {"number": "45-од"}, "completed_on": "2022-09-01"})


def test_a_coordinator_runs_a_round_from_opening_to_its_frozen_report(world: StaffWorld) -> None:
    coordinator = world.sign_in("municipal")
    before = world.registry.position()
    refused = coordinator.post("/staff/rounds/new", {"title": "", "year": "2022", "organization_kinds": ["school"],
                                                     "opened_on": "вчера", "due_on": _ru(5)})
    assert refused.status_code == 422 and "ДД.ММ.ГГГГ" in refused.text
    assert world.registry.position() == before, "a refused form records nothing"

    round_id = _open_round(world, due_in_days=-2)
    _submit(world, world.org_a)
    page = coordinator.get(f"/staff/rounds/{round_id}")
    assert page.status_code == 200 and "Мониторинг ЦМН за 2022 год" in page.text
    assert "Школа № 1" in page.text and "представлено с опозданием" in page.text
    assert "не представлено" in page.text and "срок истёк" in page.text
    overdue = coordinator.get(f"/staff/rounds/{round_id}", overdue="1").text
    table = overdue.split('id="organizations"')[1]
    assert "Школа № 1" not in table and "не представлено" in table
    sheet = load_workbook(io.BytesIO(coordinator.get(f"/staff/rounds/{round_id}", format="xlsx").content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Организация", "Муниципалитет", "Статус"]
    assert ["Школа № 1", "представлено с опозданием"] == [rows[1][0], rows[1][2]]
    assert rows[2][2] == "не представлено" and rows[2][3] == "да" and "контингент за 2022 год" in rows[2][4]
    assert round_id in coordinator.get("/staff/rounds").text

    assert coordinator.get(f"/staff/rounds/{round_id}/report.json").status_code == 409, "no report while open"
    confirm = coordinator.get(f"/staff/rounds/{round_id}/close")
    assert confirm.status_code == 200 and "Отменить закрытие нельзя" in confirm.text
    closed = coordinator.post(f"/staff/rounds/{round_id}/close", {"closed_on": "01.06.2023"})
    assert closed.status_code == 303, closed.text[-2000:]
    assert "Мониторинг закрыт" in coordinator.follow(closed).text
    again = coordinator.post(f"/staff/rounds/{round_id}/close", {"closed_on": "01.06.2023"})
    assert again.status_code == 422

    report = coordinator.get(f"/staff/rounds/{round_id}/report.json")
    manifest = json.loads(coordinator.get(f"/staff/rounds/{round_id}/manifest.json").content)
    assert report.status_code == 200 and "Школа № 1" in report.content.decode()
    assert hashlib.sha256(report.content).hexdigest() in json.dumps(manifest), "the manifest describes these bytes"
    assert "monitoring_round" in json.dumps(manifest)
    auditor = world.sign_in("auditor")
    assert auditor.get(f"/staff/rounds/{round_id}").status_code == 200
    assert auditor.get(f"/staff/rounds/{round_id}/report.json").content == report.content
    curator = world.sign_in("curator")
    assert curator.get(f"/staff/rounds/{round_id}/report.json").status_code == 403


def test_a_curator_sees_the_rounds_asking_its_school_and_what_is_missing(world: StaffWorld) -> None:
    round_id = _open_round(world, due_in_days=30)
    curator = world.sign_in("curator")
    listing = curator.get("/staff/rounds").text
    assert "Мониторинг ЦМН за 2022 год" in listing and "Ваша организация" in listing
    assert "Ещё не внесено: контингент за 2022 год" in listing
    own = curator.get(f"/staff/rounds/{round_id}").text
    assert "Школа № 1" in own and "Школа № 2" not in own, "a curator sees its own school only"
    assert "Закрыть мониторинг" not in own
    _submit(world, world.org_a)
    assert "представлено в срок" in curator.get("/staff/rounds").text
    assert curator.get("/staff/rounds/new").status_code == 403
    assert curator.post(f"/staff/rounds/{round_id}/close", {"closed_on": "01.06.2023"}).status_code == 403


def test_roadmap_items_are_planned_dropped_and_overdue_ones_shown(world: StaffWorld) -> None:
    admin = world.sign_in("admin")
    assert admin.get("/staff/roadmap").status_code == 200
    planned = admin.post("/staff/roadmap/plan", {"item": "curator_appointed", "due_on": "01.02.2023",
                                                 "responsible": "Руководитель ОО", "document_kind": "order"})
    assert planned.status_code == 303, planned.text[-3000:]
    page = admin.follow(planned).text
    assert "Пункт внесён в дорожную карту" in page and "01.02.2023" in page and "Руководитель ОО" in page
    bad = admin.post("/staff/roadmap/plan", {"item": "curator_appointed", "due_on": "1 февраля",
                                             "responsible": "x", "document_kind": "order"})
    assert bad.status_code == 422 and "ДД.ММ.ГГГГ" in bad.text

    world.write(f"/organizations/{world.org_a}/checklist/curator_appointed/complete",
                {"document": {"number": "45-од"}, "completed_on": "2023-01-15"})
    overdue = admin.get("/staff/roadmap/overdue").text
    by_org = overdue.split('id="by-organization"')[1]
    assert "Школа № 2" in by_org and "Школа № 1" not in by_org, "school 1 did it in time"
    by_municipality = overdue.split('id="by-municipality"')[1].split('id="by-organization"')[0]
    assert "<td>2</td><td>1</td><td>1</td>" in by_municipality.replace("\n", "").replace(" ", "")
    sheet = load_workbook(io.BytesIO(admin.get("/staff/roadmap/overdue", format="xlsx").content)).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2))][:3] == ["Школа № 2", sheet["B2"].value, sheet["C2"].value]

    status = admin.get("/staff/organizations/status", year="2022", overdue="1").text
    table = status.split("<tbody>")[1].split("</tbody>")[0]
    assert "Школа № 2" in table and "Школа № 1" not in table, "the roadmap item's due date decides"
    assert "не выполнено (срок 01.02.2023)" in table

    coordinator = world.sign_in("municipal")
    assert "Исключить" not in coordinator.get("/staff/roadmap").text.split("Запланировать пункт")[0].split(
        "<tbody>")[1], "the region's item is not the coordinator's to drop"
    assert world.sign_in("curator").post("/staff/roadmap/plan", {"item": "curator_appointed"}).status_code == 403
    dropped = admin.post("/staff/roadmap/drop", {"item": "curator_appointed", "drop_reason": "Отменено письмом"})
    assert dropped.status_code == 303, dropped.text[-3000:]
    assert "Пункт исключён" in admin.follow(dropped).text
    assert "Просроченных пунктов нет" in admin.get("/staff/roadmap/overdue").text
    assert "Нет организаций с просрочками" in admin.get("/staff/organizations/status", year="2022", overdue="1").text


def test_the_pair_form_suggests_mentors_with_reasons_and_choosing_one_fills_the_mentor(world: StaffWorld) -> None:
    roomy = world.mentor(world.org_a, capacity=3)
    world.mentor(world.org_a, capacity=1)
    mentee = world.mentee(world.org_a)
    name = world.get(f"/mentors/{roomy}", as_="admin").json()["item"]["full_name"]
    curator = world.sign_in("curator")
    form = curator.get("/staff/pairs/new")
    assert "Подобрать наставника" in form.text
    # The button submits the whole form by GET: the session's token leaves the address at once.
    asked = curator.get("/staff/pairs/new", suggest="1", mentee_ids=mentee, form="pupil_pupil",
                        started_on="15.09.2022", csrf_token=curator.csrf)
    assert asked.status_code == 303 and "csrf_token" not in asked.headers["location"]
    page = curator.follow(asked)
    assert page.status_code == 200 and "Подходящие наставники" in page.text
    listed = page.text.split('id="suggestions"')[1].split("</ol>")[0]
    assert listed.index(name) < listed.index("свободно мест: 1 из 1"), "the roomiest mentor comes first"
    assert "ведёт форму" in listed and "из той же организации" in listed and "свободно мест: 3 из 3" in listed
    choose = listed.split('<a href="')[1].split('"')[0].replace("&amp;", "&")
    assert f"mentor_id={roomy}" in choose
    chosen = curator.get(choose.split("#")[0])
    assert f'<option value="{roomy}" selected>' in chosen.text and "выбран" in chosen.text
    formed = curator.post("/staff/pairs/new", {"mentor_id": roomy, "mentee_ids": [mentee], "form": "pupil_pupil",
                                               "started_on": "15.09.2022"})
    assert formed.status_code == 303, formed.text[-2000:]
    incomplete = curator.get("/staff/pairs/new", suggest="1", form="pupil_pupil")
    assert "Отметьте наставляемых" in incomplete.text and "Подходящие наставники" not in incomplete.text


def test_a_completed_pairs_questionnaires_are_recorded_and_only_their_presence_is_shown(world: StaffWorld) -> None:
    mentee = world.mentee(world.org_a)
    pair = world.pair(world.org_a, mentees=[mentee])
    curator = world.sign_in("curator")
    assert "Анкеты участников" not in curator.get(f"/staff/pairs/{pair}").text, "not while the pair works"
    early = curator.post(f"/staff/pairs/{pair}/feedback", {"respondent_key": "mentor", "mentor.answered_on": "01.03.2023",
                                                           "mentor.scores.overall": "8"})
    assert early.status_code == 422 and "пара не завершена" in early.text
    completed = curator.post(f"/staff/pairs/{pair}/complete", {"complete.ended_on": "01.03.2023",
                                                               "complete.outcome": "Проект защищён"})
    assert completed.status_code == 303
    page = curator.get(f"/staff/pairs/{pair}").text
    assert "Анкета наставника" in page and "Анкета наставляемого" in page and page.count("анкеты нет") == 2
    scores = {f"mentor.scores.{q}": str(score) for q, score in
              zip(["overall", "communication", "usefulness", "support", "organization", "goals"], [9, 8, 7, 10, 6, 9])}
    bad = curator.post(f"/staff/pairs/{pair}/feedback", {"respondent_key": "mentor", "mentor.answered_on": "02.03.2023",
                                                         "mentor.scores.overall": "11"})
    assert bad.status_code == 422
    assert "Оценка «Удовлетворённость участием в программе наставничества»</a>: Значение должно быть не больше 10" in bad.text
    recorded = curator.post(f"/staff/pairs/{pair}/feedback", {"respondent_key": "mentor",
                                                              "mentor.answered_on": "02.03.2023", **scores})
    assert recorded.status_code == 303, recorded.text[-2000:]
    page = curator.follow(recorded).text
    assert "Анкета внесена" in page and "анкета внесена 02.03.2023" in page and page.count("анкеты нет") == 1
    assert "Анкета наставника" not in page, "the mentor answers once"
    for role in ("admin", "municipal", "auditor"):
        other = world.sign_in(role)
        shown = other.get(f"/staff/pairs/{pair}").text
        assert "анкета внесена" not in shown and "Анкета наставляемого" not in shown, role
        before = world.registry.position()
        assert other.post(f"/staff/pairs/{pair}/feedback", {"respondent_key": mentee, f"{mentee}.answered_on":
                                                            "02.03.2023", f"{mentee}.scores.overall": "5"}).status_code == 403
        assert world.registry.position() == before
    stranger = world.sign_in("curator_other")
    assert stranger.post(f"/staff/pairs/{pair}/feedback", {"respondent_key": mentee}).status_code == 404
    done = curator.post(f"/staff/pairs/{pair}/feedback", {"respondent_key": mentee, f"{mentee}.answered_on": "03.03.2023",
                                                          f"{mentee}.scores.overall": "7"})
    assert done.status_code == 303 and "анкеты нет" not in curator.follow(done).text


def test_a_published_mentor_of_the_neighbouring_school_can_be_chosen_from_the_suggestions(world: StaffWorld) -> None:
    neighbour = world.mentor(world.org_b, capacity=2)
    world.write(f"/mentors/{neighbour}/consent", {"fields": ["name", "organization"], "effective_date": "2021-02-01"})
    hidden = world.mentor(world.org_b, capacity=2)  # not public: never offered to school 1
    mentee = world.mentee(world.org_a)
    name = world.get(f"/mentors/{neighbour}", as_="admin").json()["item"]["full_name"]
    curator = world.sign_in("curator")
    own_form = curator.get("/staff/pairs/new").text
    assert neighbour not in own_form, "the form lists the school's own mentors only"
    page = curator.get("/staff/pairs/new", suggest="1", mentee_ids=mentee, form="pupil_pupil", started_on="15.09.2022")
    listed = page.text.split('id="suggestions"')[1].split("</ol>")[0]
    assert name in listed and "дал согласие на публикацию в реестре" in listed and hidden not in listed
    chosen = curator.get("/staff/pairs/new", suggest="1", mentee_ids=mentee, form="pupil_pupil",
                         started_on="15.09.2022", mentor_id=neighbour)
    assert f'<option value="{neighbour}" selected>{name} — Школа № 2' in chosen.text
    formed = curator.post("/staff/pairs/new", {"mentor_id": neighbour, "mentee_ids": [mentee], "form": "pupil_pupil",
                                               "started_on": "15.09.2022"})
    assert formed.status_code == 303, formed.text[-2000:]
    assert f"Пара: {name}" in curator.follow(formed).text
