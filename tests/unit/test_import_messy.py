"""Files as they really come: merged title rows above the header, Google Forms' extra columns,
trailing and non-breaking spaces, «ё» written as «е», dates typed or stored as Excel serials,
numbers stored as text, CSV in Windows-1251 with «;» or in UTF-8 with «,»."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.importing import (
    SCHOOL,
    SCHOOL_INN,
    csv_file,
    imported,
    seed,
    workbook_file,
)

from ops.importing import cells
from ops.importing.cells import CellError
from ops.log_transfer import notifications
from registry.mentees import Mentee
from registry.mentors import Mentor

# The school's name as a curator types it: «е» for «ё», other quotes, other case, extra spaces.
SCHOOL_TYPED = "  мбоу \"лицей \"звездный\"  с.  Тополево "


def _people(registry, cls):  # type: ignore[no-untyped-def]
    ids = {n.originator_id for n in notifications(registry) if n.topic.startswith(f"reestr:{cls.__name__}.")}
    return {registry.get(cls, i).person.full_name: registry.get(cls, i) for i in ids}


def test_a_messy_workbook_of_mentors_goes_in(memory_registry, tmp_path: Path) -> None:
    ids = seed(memory_registry)
    path = workbook_file(
        tmp_path / "наставники.xlsx",
        ["Отметка времени", "Фамилия, имя, отчество ", "ОО", "ДОЛЖНОСТЬ*", "Категория наставника",
         "Форма наставничества", "Предметы", "Дата заявки", "Дата вхождения в реестр (ДД.ММ.ГГГГ)",
         "Согласие на публикацию", "Нагрузка", "СНИЛС"],
        [
            [datetime(2021, 10, 2, 9, 15), "Королёва\u00a0Анна  Сергеевна  ", SCHOOL_TYPED, "учитель физики ",
             "ПЕДАГОГ", "ученик-ученик;учитель - учитель", "физика, астрономия", "01.09.2021 ", 44454,
             "Да", " 3 ", 11223344595],
            [datetime(2021, 10, 2, 9, 20), "Смирнов Олег", SCHOOL_INN, "ученик 11 класса", "обучающийся",
             "ученик – ученик", None, "44440", "15.09.21", "ФИО; формы", "2,0", "112-233-445 95"],
            [None, "Белова Ирина", SCHOOL_TYPED, "учитель", "педагог", "учитель – учитель", "химия",
             datetime(2021, 9, 1), "2021-09-20", "нет", 1.0, None],
        ],
        titles=["Сведения о наставниках на 01.10.2021", "(заполняет куратор внедрения ЦМН)"],
    )
    report = imported(memory_registry, path)
    assert (report.rows, report.recorded_rows) == (3, 3)
    assert report.ignored_columns == ["Отметка времени"]

    mentors = _people(memory_registry, Mentor)
    korolyova = mentors["Королёва Анна Сергеевна"]  # spaces collapsed, «ё» kept as typed
    assert korolyova.organization_id == ids["school"]
    assert (korolyova.profile.position, korolyova.capacity) == ("учитель физики", 3)
    assert korolyova.profile.forms == ["pupil_pupil", "teacher_teacher"]
    assert korolyova.profile.mentor_type == "teacher"
    assert korolyova.profile.subjects == ["физика", "астрономия"]
    assert (korolyova.applied_on, korolyova.status_since) == (date(2021, 9, 1), date(2021, 9, 15))  # serial 44454
    assert korolyova.person.snils == "11223344595"  # a number cell
    assert len(korolyova.consented_fields) == 6
    smirnov = mentors["Смирнов Олег"]
    assert (smirnov.applied_on, smirnov.status_since, smirnov.capacity) == (date(2021, 9, 1), date(2021, 9, 15), 2)
    assert smirnov.consented_fields == ["name", "forms"]
    belova = mentors["Белова Ирина"]
    assert (belova.applied_on, belova.status_since, belova.capacity) == (date(2021, 9, 1), date(2021, 9, 20), 1)
    assert belova.consented_fields == []


MENTEE_HEADER = ["ФИО", "Категория", "Организация", "Год или дата рождения", "Дата начала работы",
                 "Дата включения в программу"]
MENTEE_ROWS = [
    ["Ёлкина Дарья ", "ученик", SCHOOL_TYPED, "2008", "", "01.10.2021"],
    ["Ким Алина", "Обучающийся", SCHOOL_INN, "12.05.2009", "", "44470"],
    ["Орлов Денис", "обучающийся", SCHOOL, "2007 г.", "", "1.10.2021"],
    ["Зайцева Ольга Викторовна", "молодой педагог", SCHOOL_TYPED, "", "25.08.2021", "01.09.2021"],
]


def _check_mentees(registry) -> None:  # type: ignore[no-untyped-def]
    mentees = _people(registry, Mentee)
    assert set(mentees) == {"Ёлкина Дарья", "Ким Алина", "Орлов Денис", "Зайцева Ольга Викторовна"}
    assert mentees["Ёлкина Дарья"].birth_year == 2008
    assert mentees["Ким Алина"].person.birth_date == date(2009, 5, 12)
    assert mentees["Ким Алина"].registered_on == date(2021, 10, 1)  # serial 44470 as text
    assert mentees["Орлов Денис"].birth_year == 2007
    teacher = mentees["Зайцева Ольга Викторовна"]
    assert (teacher.category, teacher.work_started_on) == ("young_teacher", date(2021, 8, 25))


def test_a_windows_1251_csv_with_semicolons_and_a_title_row_goes_in(memory_registry, tmp_path: Path) -> None:
    seed(memory_registry)
    path = csv_file(tmp_path / "наставляемые.csv", MENTEE_HEADER, MENTEE_ROWS, encoding="cp1251",
                    delimiter=";", titles=["База наставляемых МБОУ «Лицей «Звёздный»"])
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    report = imported(memory_registry, path)
    assert (report.rows, report.recorded_rows) == (4, 4)
    _check_mentees(memory_registry)
    assert imported(memory_registry, path).present_rows == 4


def test_a_google_forms_csv_in_utf8_with_commas_goes_in(memory_registry, tmp_path: Path) -> None:
    seed(memory_registry)
    header = ["Отметка времени", "Адрес электронной почты", *MENTEE_HEADER]
    rows = [["01.10.2021 10:00:00", "curator@school.example", *row] for row in MENTEE_ROWS]
    path = csv_file(tmp_path / "Форма (ответы).csv", header, rows, encoding="utf-8-sig", delimiter=",")
    report = imported(memory_registry, path)
    assert report.recorded_rows == 4
    _check_mentees(memory_registry)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("01.09.2021", date(2021, 9, 1)),
        (" 1.9.2021 г. ", date(2021, 9, 1)),
        ("01/09/2021", date(2021, 9, 1)),
        ("2021-09-01", date(2021, 9, 1)),
        ("01.09.21", date(2021, 9, 1)),
        (44440, date(2021, 9, 1)),
        (44440.0, date(2021, 9, 1)),
        ("44440", date(2021, 9, 1)),
        (datetime(2021, 9, 1, 0, 0), date(2021, 9, 1)),
        (None, None),
    ],
)
def test_dates_in_every_shape_files_hold(value, expected) -> None:  # type: ignore[no-untyped-def]
    assert cells.to_date(value) == expected


@pytest.mark.parametrize("value", ["31.02.2021", "сентябрь", "12", 3.5])
def test_what_is_not_a_date_is_said_in_russian(value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CellError, match="дат"):
        cells.to_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1 234", 1234), ("1\u00a0234", 1234), ("12,0", 12), ("12.0", 12), (12.0, 12), (" 7 ", 7), (None, None)],
)
def test_numbers_stored_as_text_are_numbers(value, expected) -> None:  # type: ignore[no-untyped-def]
    assert cells.to_int(value) == expected


def test_yo_and_spacing_do_not_matter_when_matching_names() -> None:
    assert cells.key("Лицей «Звёздный»  ") == cells.key('лицей "звездный"')
    assert cells.key("ученик – ученик") == cells.key("Ученик-ученик") == cells.key("ученик - ученик")


_NAME_CHARACTERS = "АБВЁЖЗИЙабвёжзийЯяEeİIıi -–—‐«»\"'`*№.,\u00a0\u2007\u202f\ufeff\u2003\u200b\t\n0123456789"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_NAME_CHARACTERS, max_size=24))
def test_a_plain_names_quick_key_is_the_general_key(name: str) -> None:
    assert cells.key(name) == cells.keyed(name)
