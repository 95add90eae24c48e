"""Templates: Russian headers, a hint row, drop-down lists from the registry's reference lists
and units; a template comes back through the import as a file of its own kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.importing import COLLEGE, SCHOOL, invoke, seed

from ops.importing.columns import KINDS
from ops.importing.reading import read_grids
from ops.importing.table import locate
from ops.templates import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    HINT_ROW,
    LISTS_SHEET,
    write_template,
)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_has_a_template_the_import_recognizes(memory_registry, tmp_path: Path, kind: str) -> None:
    seed(memory_registry)
    path = write_template(memory_registry, kind, tmp_path / f"{kind}.xlsx")
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[HEADER_ROW]]
    assert headers == [column.header() for column in KINDS[kind].columns]
    assert all(str(cell.value).startswith("(") for cell in sheet[HINT_ROW])
    assert sheet.freeze_panes == f"A{FIRST_DATA_ROW}"
    table = locate(read_grids(path))  # the kind is told by the headers alone
    assert (table.kind.name, table.header_row, table.rows) == (kind, HEADER_ROW, [])


def _validations(sheet) -> dict[str, tuple[str, bool]]:  # type: ignore[no-untyped-def]
    """Column letter -> (the list it offers, whether other values are refused)."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        letter = str(validation.sqref).split(":")[0].rstrip("0123456789")
        found[letter] = (validation.formula1, bool(validation.showErrorMessage))
    return found


def _list(workbook, formula: str) -> list[str]:  # type: ignore[no-untyped-def]
    sheet_name, cells = formula.split("!")
    assert sheet_name.strip("'") == LISTS_SHEET
    start, end = cells.replace("$", "").split(":")
    return [row[0].value for row in workbook[LISTS_SHEET][f"{start}:{end}"]]


def test_the_mentors_template_offers_the_registry_lists(memory_registry, tmp_path: Path) -> None:
    seed(memory_registry)
    workbook = load_workbook(write_template(memory_registry, "mentors", tmp_path / "mentors.xlsx"))
    sheet = workbook.worksheets[0]
    assert workbook[LISTS_SHEET].sheet_state == "hidden"
    headers = {cell.value: cell.column_letter for cell in sheet[HEADER_ROW]}
    assert list(headers)[:4] == ["ФИО*", "Организация*", "Должность*", "Тип наставника*"]
    assert "Согласие на публикацию" in headers and "Дата вхождения в реестр" in headers
    validations = _validations(sheet)

    organizations, strict = validations[headers["Организация*"]]
    assert _list(workbook, organizations) == sorted([SCHOOL, COLLEGE]) and not strict  # an INN is fine too
    mentor_types, strict = validations[headers["Тип наставника*"]]
    assert "представитель работодателя" in _list(workbook, mentor_types) and strict
    forms, strict = validations[headers["Формы наставничества"]]
    assert "ученик – ученик" in _list(workbook, forms) and not strict  # several, separated by «;»
    consent, _ = validations[headers["Согласие на публикацию"]]
    assert _list(workbook, consent)[:2] == ["да", "нет"]


def test_the_mentees_and_organizations_templates_offer_categories_and_municipalities(
    memory_registry, tmp_path: Path
) -> None:
    seed(memory_registry)
    workbook = load_workbook(write_template(memory_registry, "mentees", tmp_path / "mentees.xlsx"))
    sheet = workbook.worksheets[0]
    headers = {cell.value: cell.column_letter for cell in sheet[HEADER_ROW]}
    assert "Год или дата рождения" in headers and "Дата начала работы" in headers
    categories, _ = _validations(sheet)[headers["Категория*"]]
    assert _list(workbook, categories)[:2] == ["обучающийся", "студент СПО"]

    workbook = load_workbook(write_template(memory_registry, "organizations", tmp_path / "orgs.xlsx"))
    sheet = workbook.worksheets[0]
    headers = {cell.value: cell.column_letter for cell in sheet[HEADER_ROW]}
    municipalities, _ = _validations(sheet)[headers["Муниципалитет*"]]
    assert _list(workbook, municipalities) == ["Хабаровский муниципальный район"]
    kinds, _ = _validations(sheet)[headers["Тип организации*"]]
    assert len(_list(workbook, kinds)) == 3


def test_the_template_command(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    env = {"REESTR_DATABASE_URL": f"sqlite:///{tmp_path / 'reestr.sqlite3'}"}
    result = invoke(["template", "pairs", "-o", str(tmp_path / "пары.xlsx")], env)
    assert result.exit_code == 0, result.output
    assert "Шаблон записан" in result.output and (tmp_path / "пары.xlsx").is_file()
    result = invoke(["template", "космонавты", "-o", str(tmp_path / "x.xlsx")], env)
    assert result.exit_code == 2 and "Неизвестный вид данных «космонавты»" in result.output
