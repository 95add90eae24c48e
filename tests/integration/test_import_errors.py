"""A file with errors: every error reported at once, by row and column, in Russian; an error copy
with a comment on each bad cell; and nothing recorded — a file is all in or all out."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from support.importing import SCHOOL, csv_file, imported, invoke, seed, workbook_file
from support.world import TODAY, Region, assert_russian

from ops.importing import import_file
from ops.importing.error_copy import ERRORS_SHEET
from registry.values import Actor, Role

MENTOR_HEADER = ["ФИО", "Организация", "Должность", "Тип наставника", "Формы наставничества",
                 "Дата заявки", "Дата вхождения в реестр", "СНИЛС"]


def _mentor(name: str, **changes: object) -> list[object]:
    row = {"ФИО": name, "Организация": SCHOOL, "Должность": "учитель", "Тип наставника": "педагог",
           "Формы наставничества": "учитель – учитель", "Дата заявки": "01.09.2021",
           "Дата вхождения в реестр": "15.09.2021", "СНИЛС": None}
    row.update(changes)
    return [row[h] for h in MENTOR_HEADER]


def _five_errors(tmp_path: Path) -> Path:
    return workbook_file(tmp_path / "наставники.xlsx", MENTOR_HEADER, [
        _mentor("Верная Вера"),                                      # row 4
        _mentor("Дата Неверная", **{"Дата заявки": "31.02.2021"}),   # row 5: no such date
        _mentor("Чужая Школа", Организация="МБОУ СОШ № 999"),         # row 6: unknown organization
        _mentor("Тип Неизвестный", **{"Тип наставника": "космонавт"}),  # row 7: not in the list
        _mentor(None),                                               # row 8: no name
        _mentor("Из Будущего", **{"Дата вхождения в реестр": "01.01.2030"}),  # row 9: a domain rule
        _mentor("Тоже Верный"),                                      # row 10
    ], titles=["База наставников"])


def test_five_errors_are_reported_at_once_and_nothing_is_recorded(registry, tmp_path: Path) -> None:
    seed(registry)
    path = _five_errors(tmp_path)
    position = registry.position()
    report = import_file(registry, path)

    assert not report.ok and registry.position() == position
    found = [(e.row, e.header, e.letter) for e in report.errors]
    assert found == [
        (5, "Дата заявки", "F"),
        (6, "Организация", "B"),
        (7, "Тип наставника", "D"),
        (8, "ФИО", "A"),
        (9, "Дата вхождения в реестр", "G"),
    ]
    for error in report.errors:
        assert_russian(error.message)
    assert "Такой даты нет" in report.errors[0].message
    assert "не найден" in report.errors[1].message
    assert "Допустимые значения" in report.errors[2].message and "педагог" in report.errors[2].message
    assert "не заполнено" in report.errors[3].message
    assert "ещё не наступила" in report.errors[4].message  # found by the dry run, not by parsing
    assert str(report.errors[0]).startswith("Строка 5, столбец «Дата заявки» (F): ")

    # The error copy: the sheet as sent, a red cell with a comment for each error, and a listing.
    assert report.error_copy == tmp_path / "наставники.ошибки.xlsx"
    workbook = load_workbook(report.error_copy)
    sheet = workbook["Лист1"]
    commented = sorted(cell.coordinate for row in sheet.iter_rows() for cell in row if cell.comment)
    assert commented == ["A8", "B6", "D7", "F5", "G9"]
    assert "Такой даты нет" in sheet["F5"].comment.text
    assert sheet["A4"].value == "Верная Вера" and sheet["A1"].value == "База наставников"
    listing = list(workbook[ERRORS_SHEET].values)
    assert len(listing) == 6 and listing[1][0] == 5

    # Fixed, the same file goes in whole.
    fixed = _five_errors(tmp_path)
    workbook = load_workbook(fixed)
    sheet = workbook.active
    sheet["F5"], sheet["B6"], sheet["D7"], sheet["A8"], sheet["G9"] = (
        "28.02.2021", SCHOOL, "педагог", "Имя Появилось", "01.01.2022")
    workbook.save(fixed)
    assert imported(registry, fixed).recorded_rows == 7


def test_domain_rules_are_checked_row_after_row_in_the_dry_run(memory_registry, tmp_path: Path) -> None:
    ids = seed(memory_registry)
    region = Region(memory_registry)
    region.active_mentor(ids["school"], full_name="Королёва Анна", capacity=1, forms=["pupil_pupil"])
    for name in ("Ким Алина", "Орлов Денис"):
        region.mentee(ids["school"], full_name=name)
    header = ["ФИО наставника", "ФИО наставляемого", "Организация", "Форма наставничества", "Дата начала"]
    path = workbook_file(tmp_path / "пары.xlsx", header, [
        ["Королёва Анна", "Ким Алина", SCHOOL, "ученик – ученик", "01.10.2021"],
        ["Королёва Анна", "Орлов Денис", SCHOOL, "ученик – ученик", "01.10.2021"],  # beyond capacity 1
    ])
    position = memory_registry.position()
    report = import_file(memory_registry, path)
    assert [(e.row, e.header) for e in report.errors] == [(3, "ФИО наставника")]
    assert "уже ведёт 1 из 1" in report.errors[0].message
    assert memory_registry.position() == position  # the first, valid, pair is not recorded either


def test_a_csv_file_gets_its_error_copy_as_a_workbook(memory_registry, tmp_path: Path) -> None:
    seed(memory_registry)
    header = ["ФИО", "Категория", "Организация", "Год или дата рождения", "Дата включения в программу"]
    path = csv_file(tmp_path / "наставляемые.csv", header, [
        ["Ким Алина", "обучающийся", SCHOOL, "2009", "01.10.2021"],
        ["Орлов Денис", "обучающийся", SCHOOL, "", "01.10.2021"],  # a pupil needs a birth year
    ], encoding="cp1251", delimiter=";", titles=["База наставляемых"])
    report = import_file(memory_registry, path)
    assert [(e.row, e.header, e.letter) for e in report.errors] == [(4, "Год или дата рождения", "D")]
    assert "год рождения" in report.errors[0].message
    workbook = load_workbook(report.error_copy)
    sheet = workbook["Данные"]
    assert sheet["A1"].value == "База наставляемых" and sheet["A4"].value == "Орлов Денис"
    assert "год рождения" in sheet["D4"].comment.text


def test_a_missing_required_column_is_named(memory_registry, tmp_path: Path) -> None:
    seed(memory_registry)
    header = [h for h in MENTOR_HEADER if h != "Должность"]
    path = workbook_file(tmp_path / "m.xlsx", header, [[v for h, v in zip(MENTOR_HEADER, _mentor("Имя Фамилия"),
                                                                          strict=True) if h != "Должность"]])
    report = import_file(memory_registry, path, kind="mentors")
    assert [e.message for e in report.errors] == ["Нет обязательного столбца «Должность»"]


def test_formats_of_personal_data_are_explained(memory_registry, tmp_path: Path) -> None:
    seed(memory_registry)
    path = workbook_file(tmp_path / "m.xlsx", MENTOR_HEADER, [_mentor("Имя Фамилия", СНИЛС="12345")])
    report = import_file(memory_registry, path)
    assert [(e.row, e.header, e.message) for e in report.errors] == [
        (2, "СНИЛС", "СНИЛС — 11 цифр (например 112-233-445 95)")]


def test_repeated_rows_and_people_already_in_the_registry(memory_registry, tmp_path: Path) -> None:
    ids = seed(memory_registry)
    Region(memory_registry).active_mentor(ids["school"], full_name="Внесена Через Сайт")
    same = _mentor("Дважды Записанный")
    path = workbook_file(tmp_path / "m.xlsx", MENTOR_HEADER, [
        same, same, _mentor("Внесена Через Сайт"), _mentor("Дважды Записанный", Должность="директор")])
    report = import_file(memory_registry, path)
    assert [(e.row, e.header) for e in report.errors] == [(5, "ФИО")]
    assert "строке 2" in report.errors[0].message

    path = workbook_file(tmp_path / "m2.xlsx", MENTOR_HEADER, [same, same, _mentor("Внесена Через Сайт")])
    report = imported(memory_registry, path)
    assert (report.recorded_rows, report.skipped_rows) == (1, 2)
    assert any("повторяет строку 2" in w for w in report.warnings)
    assert any("уже есть в реестре" in w for w in report.warnings)


def test_a_curator_imports_for_its_own_organization_only(memory_registry, tmp_path: Path) -> None:
    ids = seed(memory_registry)
    path = workbook_file(tmp_path / "m.xlsx", MENTOR_HEADER, [_mentor("Имя Фамилия", **{"Дата вхождения в реестр": None})])
    other = Actor("curator", Role.CURATOR, organization_id=str(ids["college"]))
    report = import_file(memory_registry, path, actor=other)
    assert [e.message for e in report.errors] == ["Куратор может вносить данные только своей организации"]
    own = Actor("curator", Role.CURATOR, organization_id=str(ids["school"]))
    assert imported(memory_registry, path, actor=own).recorded_rows == 1


def test_the_cli_lists_errors_and_exits_non_zero(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ops.storage import open_registry

    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'reestr.sqlite3'}"
    registry = open_registry(url, clock=lambda: TODAY)
    seed(registry)
    registry.close()
    path = _five_errors(tmp_path)
    result = invoke(["import", str(path)], {"REESTR_DATABASE_URL": url})
    assert result.exit_code == 1, result.output
    assert "Ошибок: 5. Ничего не записано" in result.output
    assert "Строка 6, столбец «Организация» (B)" in result.output
    # The path whole, on one line of the report (never cut where a terminal would wrap it).
    copy = tmp_path / "наставники.ошибки.xlsx"
    assert f"Копия файла с пометками у ошибочных ячеек: {copy}\n" in result.stdout
    assert copy.is_file()
