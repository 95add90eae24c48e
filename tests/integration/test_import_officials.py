"""Files as municipal officials head and send them: «Ф.И.О.», «Дата рожд.», «ОУ», «№ п/п»; a
missing column, a file with no rows, a damaged workbook, a report redirected to a file; two
pairs of one form for one mentee, said with the row of the other.

Before, «Ф.И.О.» refused the whole file at the header, «Дата рожд.» was silently ignored (an
error for every pupil), a header-only file imported "0 rows" with exit 0, a damaged workbook's
message ended in English and the whole report went to stderr.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import structlog
from openpyxl import load_workbook
from support.importing import SCHOOL, csv_file, imported, invoke, seed, workbook_file
from support.world import TODAY

from ops.importing import import_file
from ops.importing.columns import KINDS, match_headers
from ops.importing.error_copy import default_path
from ops.importing.reading import FileProblem
from ops.storage import open_registry
from registry.application import Registry
from registry.mentees import Mentee

OFFICIALS_MENTEES = ["№ п/п", "Ф.И.О.", "Категория", "ОУ", "Дата рожд.", "Дата включения в программу наставничества"]


def _mentees(registry: Registry) -> dict[str, Mentee]:
    found = {}
    for notification in registry.recorder.select_notifications(start=1, limit=10_000):
        if notification.topic == "reestr:Mentee.Registered":
            mentee = registry.repository.get(notification.originator_id)
            found[mentee.person.full_name] = mentee
    return found


def test_a_workbook_headed_as_officials_head_it_imports_with_no_spurious_error(
    registry: Registry, tmp_path: Path
) -> None:
    seed(registry)
    path = workbook_file(tmp_path / "наставляемые.xlsx", OFFICIALS_MENTEES, [
        [1, "Ким Алина", "обучающийся", SCHOOL, "04.03.2008", "01.10.2021"],
        [2, "Орлов Денис", "обучающийся", SCHOOL, date(2009, 5, 6), "01.10.2021"],
        [3, "Зайцева Ольга", "обучающийся", SCHOOL, 2010, "01.10.2021"],
    ], titles=["Сведения о наставляемых МБОУ"])
    report = imported(registry, path)
    assert (report.kind.name, report.rows, report.recorded_rows) == ("mentees", 3, 3)
    assert report.ignored_columns == []  # «№ п/п» is no data column, and not reported as unknown
    mentees = _mentees(registry)
    assert {name: m.birth_year for name, m in mentees.items()} == {
        "Ким Алина": 2008, "Орлов Денис": 2009, "Зайцева Ольга": 2010,
    }


@pytest.mark.parametrize(
    ("kind", "header", "column"),
    [
        ("mentees", "Ф.И.О.", "full_name"),
        ("mentees", "Ф. И. О.", "full_name"),
        ("mentees", "ф и о", "full_name"),
        ("mentees", "ФИО наставляемого", "full_name"),
        ("mentees", "Фамилия, имя, отчество", "full_name"),
        ("mentees", "Ф.И.О. (полностью)", "full_name"),
        ("mentees", "1. ФИО", "full_name"),
        ("mentees", "Дата рожд.", "birth"),
        ("mentees", "ДАТА РОЖДЕНИЯ:", "birth"),
        ("mentees", "Дата включения в программу наставничества", "registered_on"),
        ("mentees", "ОУ", "organization"),
        ("mentees", "Наименование ОУ", "organization"),
        ("mentees", "Наим. ОУ", "organization"),
        ("mentors", "Ф.И.О. наставника", "full_name"),
        ("mentors", "Дата рожд.", "birth_date"),
        ("mentors", "Эл. почта", "email"),
        ("mentors", "E-mail", "email"),
        ("pairs", "Ф.И.О. наставника", "mentor"),
        ("pairs", "Ф. И. О. наставляемого", "mentees"),
        ("pairs", "Дата начала наставничества", "started_on"),
        ("contingents", "Обучающихся 15-19 лет", "students_15_19"),
    ],
)
def test_headers_match_ignoring_case_punctuation_spaces_and_abbreviation(kind: str, header: str, column: str) -> None:
    assert match_headers(KINDS[kind], [header]) == {column: 0}


def test_numbers_of_rows_and_unrelated_headers_are_no_column() -> None:
    assert match_headers(KINDS["mentees"], ["№ п/п", "Дата", "Примечание"]) == {}
    assert match_headers(KINDS["contingents"], ["Обучающихся 10–19 лет", "Обучающихся 15–19 лет"]) == {
        "students_10_19": 0, "students_15_19": 1,
    }


def test_a_missing_column_is_one_error_marked_on_the_header_row(memory_registry: Registry, tmp_path: Path) -> None:
    seed(memory_registry)
    position = memory_registry.position()
    header = ["Ф.И.О.", "Категория", "ОУ"]  # no «Дата включения в программу»
    path = workbook_file(tmp_path / "m.xlsx", header, [["Ким Алина", "обучающийся", SCHOOL]] * 3,
                         titles=["Наставляемые"])
    report = import_file(memory_registry, path, kind="mentees")
    assert [(e.row, e.message) for e in report.errors] == [(3, "Нет обязательного столбца «Дата включения в программу»")]
    sheet = load_workbook(default_path(path))["Лист1"]
    marked = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.comment is not None]
    assert marked == ["D3"]  # just after the last header: where the column is to be added
    assert "Дата включения в программу" in sheet["D3"].comment.text
    assert memory_registry.position() == position


def test_a_file_with_headers_and_no_rows_is_an_error_exit_1_report_on_stdout(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'reestr.sqlite3'}"
    registry = open_registry(url, clock=lambda: TODAY)
    seed(registry)
    position = registry.position()
    registry.close()
    path = csv_file(tmp_path / "пусто.csv", ["ФИО", "Категория", "Организация", "Дата включения в программу"], [],
                    encoding="cp1251", delimiter=";")
    result = invoke(["import", str(path)], {"REESTR_DATABASE_URL": url})
    assert result.exit_code == 1, result.output
    assert "нет ни одной строки с данными" in result.stdout
    assert "Ошибок: 1" in result.stdout and "Ошибок" not in result.stderr
    registry = open_registry(url)
    assert registry.position() == position
    registry.close()


@pytest.mark.parametrize("content", [b"not a workbook at all", b"PK\x03\x04 broken zip", b""])
def test_an_unreadable_workbook_is_said_in_russian_only(memory_registry: Registry, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "отчёт.xlsx"
    path.write_bytes(content)
    with pytest.raises(FileProblem) as refused:
        import_file(memory_registry, path)
    message = str(refused.value)
    assert message.startswith("Файл отчёт.xlsx не читается как книга Excel")
    assert not any("a" <= ch.lower() <= "z" for ch in message.replace(".xlsx", "").replace("Excel", ""))


def test_the_import_report_goes_to_stdout_so_it_can_be_saved(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'reestr.sqlite3'}"
    registry = open_registry(url, clock=lambda: TODAY)
    seed(registry)
    registry.close()
    path = workbook_file(tmp_path / "наставляемые.xlsx", OFFICIALS_MENTEES,
                         [[1, "Ким Алина", "обучающийся", SCHOOL, "04.03.2008", "01.10.2021"]])
    result = invoke(["import", str(path)], {"REESTR_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "Файл наставляемые.xlsx: база наставляемых, строк с данными: 1" in result.stdout
    assert "Записано строк: 1, событий: 2" in result.stdout
    assert "Записано" not in result.stderr


def test_reestr_info_answers_on_stdout(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ops.cli import app

    url = f"sqlite:///{tmp_path / 'reestr.sqlite3'}"
    registry = open_registry(url, clock=lambda: TODAY)
    seed(registry)
    position = registry.position()
    registry.close()
    try:
        result = CliRunner().invoke(app, ["info"], env={"REESTR_DATABASE_URL": url})
    finally:
        structlog.reset_defaults()  # the command pointed the logs at the runner's closed stderr
    assert result.exit_code == 0, result.output
    assert f"позиция журнала: {position}" in result.stdout
    assert "reestr:Organization.Registered" in result.stdout


def test_a_mentee_put_in_two_pairs_of_one_form_is_told_the_row_of_the_other(
    memory_registry: Registry, tmp_path: Path
) -> None:
    from support.world import Region

    ids = seed(memory_registry)
    region = Region(memory_registry)
    for name in ("Королёва Анна", "Смирнов Олег"):
        region.active_mentor(ids["school"], full_name=name, capacity=3)
    region.mentee(ids["school"], full_name="Ким Алина")
    header = ["ФИО наставника", "ФИО наставляемого", "ОУ", "Форма наставничества", "Дата начала наставничества"]
    path = workbook_file(tmp_path / "пары.xlsx", header, [
        ["Королёва Анна", "Ким Алина", SCHOOL, "ученик – ученик", "01.10.2021"],
        # The same day: an open pair is known to run from its start (registry/intervals.py), so the
        # two collide there whatever their ends turn out to be.
        ["Смирнов Олег", "Ким Алина", SCHOOL, "ученик – ученик", "01.10.2021"],
    ])
    report = import_file(memory_registry, path, kind="pairs")
    assert len(report.errors) == 1
    error = report.errors[0]
    assert error.row == 3
    assert "уже состоит в активной паре этой формы" in error.message
    assert error.message.endswith("— из строки 2 этого файла")
    assert re.search(r"\(пара [0-9a-f]{8} с 01\.10\.2021\)", error.message)
