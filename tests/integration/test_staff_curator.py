"""A curator's day in the workspace, through the real app on both stores: an application with
consent, the institute's approval, mentees registered (one mistake first), a group formed with
the mentors who have free places listed first, completed; a file imported after its two errors
are fixed; and every record's page telling its history, «данные удалены» after an erasure."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from support.world.api import open_world
from support.world.staff import Browser, StaffWorld

from registry.application import Registry


@pytest.fixture
def world(registry: Registry) -> Iterator[StaffWorld]:
    yield from open_world(registry, StaffWorld)


def _errors(page: str) -> list[str]:
    return re.findall(r'<span class="error" id="([^"]+)">([^<]+)</span>', page)


def _mentor_options(page: str) -> list[str]:
    select = page.split('name="mentor_id"')[1].split("</select>")[0]
    return [text for value, text in re.findall(r'<option value="([^"]*)"[^>]*>([^<]+)</option>', select) if value]


def _apply(curator: Browser) -> str:
    curator.get("/staff/mentors/new")
    applied = curator.post("/staff/mentors/new", {
        "person.full_name": "Смирнова  Ольга Игоревна", "person.snils": "112-233-445 95",
        "profile.position": "учитель физики", "profile.mentor_type": "teacher",
        "profile.forms": ["pupil_pupil", "teacher_teacher"], "profile.subjects": "физика\nастрономия",
        "capacity": "2", "applied_on": "01.09.2022",
        "consent.fields": ["name", "organization", "subjects"], "consent.document.number": "С-17",
    })
    assert applied.status_code == 303, applied.text[-3000:]
    assert "Заявка наставника подана" in curator.follow(applied).text
    return applied.headers["location"].split("/staff/mentors/")[1].split("?")[0]


def test_a_curators_day(world: StaffWorld) -> None:
    full = world.mentor(world.org_a, capacity=1)
    world.pair(world.org_a, full)
    roomy = world.mentor(world.org_a, capacity=3)
    curator = world.sign_in("curator")

    mentor_id = _apply(curator)
    card = curator.get(f"/staff/mentors/{mentor_id}")
    assert "Смирнова Ольга Игоревна" in card.text
    assert "заявка на рассмотрении" in card.text
    assert "Публикуется с 01.09.2022: ФИО, организация, предметы и компетенции." in card.text
    world.write(f"/mentors/{mentor_id}/approve", {"effective_date": "2022-09-10"})  # the institute

    curator.get("/staff/mentees/new")
    rows = {"registered_on": "05.09.2022",
            "rows.0.full_name": "Кузнецов Артём", "rows.0.category": "pupil", "rows.0.birth_year": "2009",
            "rows.1.full_name": "Орлова Дарья", "rows.1.category": "pupil", "rows.1.birth_year": "двадцать"}
    before = world.registry.position()
    mistaken = curator.post("/staff/mentees/new", rows)
    assert mistaken.status_code == 422 and world.registry.position() == before
    assert ("f-rows-1-birth_year-error", "Нужно целое число") in _errors(mistaken.text)
    assert 'value="Кузнецов Артём"' in mistaken.text, "what was typed is kept"
    registered = curator.post("/staff/mentees/new", {**rows, "rows.1.birth_year": "2010"})
    assert curator.follow(registered).status_code == 200
    mentees = curator.get("/staff/mentees").text
    assert "Кузнецов Артём" in mentees and "Орлова Дарья" in mentees

    form = curator.get("/staff/pairs/new").text
    options = _mentor_options(form)
    assert options[0].startswith(world.get(f"/mentors/{roomy}").json()["item"]["full_name"]), options
    assert "свободно мест: 3 из 3" in options[0] and "свободно мест: 2 из 2" in options[1]
    assert "свободно мест: 0 из 1" in options[-1], "a full mentor comes last"
    named = dict(re.findall(r'name="mentee_ids" value="([^"]+)">\s*<label[^>]*>([^<(]+)', form))
    group = [i for i, name in named.items() if name.strip() in ("Кузнецов Артём", "Орлова Дарья")]
    assert len(group) == 2
    formed = curator.post("/staff/pairs/new", {"mentor_id": mentor_id, "mentee_ids": group,
                                               "form": "pupil_pupil", "started_on": "15.09.2022"})
    assert formed.status_code == 303, formed.text[-2000:]
    pair_page = curator.follow(formed)
    assert "Группа: Смирнова Ольга Игоревна" in pair_page.text and "действует" in pair_page.text
    pair_id = formed.headers["location"].split("/staff/pairs/")[1].split("?")[0]

    too_early = curator.post(f"/staff/pairs/{pair_id}/complete", {"complete.ended_on": "01.09.2022",
                                                                  "complete.outcome": "Проект защищён"})
    assert too_early.status_code == 422 and _errors(too_early.text), "a date before the start is refused"
    completed = curator.post(f"/staff/pairs/{pair_id}/complete", {"complete.ended_on": "25.05.2023",
                                                                  "complete.outcome": "Проект защищён"})
    history = curator.follow(completed).text
    assert "завершена" in history and "Проект защищён" in history
    assert history.index("Пара (группа) сформирована") < history.index("Завершена с результатом")
    assert "Куратор школы № 1 (куратор)" in history

    card = curator.get(f"/staff/mentors/{mentor_id}").text
    for told in ("Подана заявка наставника", "Дано согласие на публикацию", "Включён в реестр",
                 "Администратор ИРО (администратор)", "дата факта 10.09.2022"):
        assert told in card, told

    home = curator.get("/staff/").text
    assert "Школа № 1" in home and "Показатели за 2023 год" in home
    assert re.search(r"<div class=\"figure\">3</div><div class=\"caption\"><a href=\"/staff/mentors\">наставники", home)


def test_importing_a_file_with_two_errors_then_the_fixed_file(world: StaffWorld) -> None:
    curator = world.sign_in("curator")
    page = curator.get("/staff/import")
    assert "/staff/import/template/mentees" in page.text
    template = curator.get("/staff/import/template/mentees")
    assert template.status_code == 200
    top = [str(c.value) for row in load_workbook(io.BytesIO(template.content)).active.iter_rows(max_row=3) for c in row]
    assert "Категория*" in top and "ФИО*" in top

    header = "ФИО;Категория;Организация;Год или дата рождения;Дата включения в программу\n"
    broken = (header + "Лебедев Иван;обучающийся;Школа № 1;2009;01.09.2022\n"
              "Соколова Анна;космонавт;Школа № 1;2010;01.09.2022\n"
              "Морозов Пётр;обучающийся;Школа № 1;2009;31.13.2022\n")
    checked = curator.post("/staff/import", {"kind": "mentees"}, files={"file": ("ученики.csv", broken.encode())})
    assert checked.status_code == 422 and "ничего не записано" in checked.text
    table = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>', checked.text)
    assert [(row, column.split(" (")[0]) for row, column, _ in table] == [
        ("3", "Категория"), ("4", "Дата включения в программу")]
    token = checked.text.split("/staff/import/")[1].split("/errors")[0]
    copy = curator.get(f"/staff/import/{token}/errors")
    assert copy.status_code == 200 and copy.content[:2] == b"PK"
    assert "Лебедев Иван" not in curator.get("/staff/mentees").text, "a dry run records nothing"

    fixed = broken.replace("космонавт", "обучающийся").replace("31.13.2022", "01.09.2022")
    checked = curator.post("/staff/import", {"kind": "mentees"}, files={"file": ("ученики.csv", fixed.encode())})
    assert checked.status_code == 200 and "Проверка пройдена" in checked.text, checked.text[-2000:]
    token = checked.text.split("/staff/import/")[1].split("/confirm")[0]
    result = curator.post(f"/staff/import/{token}/confirm", {})
    assert result.status_code == 200 and "Записано строк: 3" in result.text
    listed = curator.get("/staff/mentees").text
    assert all(name in listed for name in ("Лебедев Иван", "Соколова Анна", "Морозов Пётр"))
    again = curator.post("/staff/import", {"kind": "mentees"}, files={"file": ("ученики.csv", fixed.encode())})
    assert "уже есть в реестре: 3" in again.text, "importing it again records nothing new"


def test_a_record_page_says_data_erased_after_an_erasure(world: StaffWorld) -> None:
    mentee = world.mentee(world.org_a)
    world.write(f"/persons/{mentee}/erase", {"reason": "Заявление родителей № 3"})
    page = world.sign_in("curator").get(f"/staff/mentees/{mentee}").text
    assert "данные удалены" in page and "Сидоров Семён" not in page
    assert "Персональные данные удалены (152-ФЗ)" in page and "Заявление родителей № 3" in page


def test_the_institute_records_a_training_on_the_mentors_page_and_a_curator_may_not(world: StaffWorld) -> None:
    mentor = world.mentor(world.org_a)
    curator = world.sign_in("curator")
    curator.get(f"/staff/mentors/{mentor}")
    training = {"training.course": "Наставничество в ОО", "training.provider": "ХК ИРО", "training.hours": "36",
                "training.completed_on": "01.03.2021"}
    assert curator.post(f"/staff/mentors/{mentor}/trainings", training).status_code == 403
    admin = world.sign_in("admin")
    admin.get(f"/staff/mentors/{mentor}")
    wrong = admin.post(f"/staff/mentors/{mentor}/trainings", {**training, "training.hours": "0"})
    assert wrong.status_code == 422
    assert ("f-training-hours-error", "Значение должно быть не меньше 1") in _errors(wrong.text)
    done = admin.post(f"/staff/mentors/{mentor}/trainings", training)
    page = admin.follow(done).text
    assert "Наставничество в ОО" in page and "Учтено обучение" in page
