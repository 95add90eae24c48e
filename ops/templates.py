"""Import templates: an XLSX workbook per kind of file, with Russian headers, a hint row and
drop-down lists taken from the registry (forms, mentor types, categories, municipalities,
organizations...), so that a template filled in is a file `reestr import` accepts as it is.

Lists live on a hidden sheet «Списки» and the data validations point at it (an inline list is
limited to 255 characters, and a region has hundreds of organizations). Columns that take several
values (forms of mentoring) offer the list but accept any text, so «ученик – ученик; студент –
ученик» can be typed.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ops.importing.columns import KINDS, Column, Kind, kind_named
from ops.importing.directory import (
    CONSENT_FIELDS,
    MENTEE_CATEGORIES,
    ORGANIZATION_KINDS,
    Directory,
)
from registry.application import Registry

LISTS_SHEET = "Списки"
TITLE_ROW, HEADER_ROW, HINT_ROW, FIRST_DATA_ROW = 1, 2, 3, 4
VALIDATED_ROWS = 5000
_HEADER_FILL = PatternFill(start_color="FFDDEBF7", end_color="FFDDEBF7", fill_type="solid")


def choice_lists(directory: Directory) -> dict[str, list[str]]:
    """Every list a template may offer, by the name columns use in `Column.choices`."""
    lists = {kind: list(entries.values()) for kind, entries in directory.lists.items()}
    lists["municipalities"] = sorted(directory.municipalities.values())
    lists["organizations"] = sorted({org.name for org in directory.organizations.values()})
    lists["organization_kinds"] = list(ORGANIZATION_KINDS.values())
    lists["mentee_categories"] = list(MENTEE_CATEGORIES.values())
    lists["consent"] = ["да", "нет", *CONSENT_FIELDS.values()]
    return lists


def _width(column: Column) -> int:
    longest = max(len(column.header()), min(len(column.hint) + 2, 40))
    return max(12, min(45, longest + 2))


def write_template(registry: Registry, kind_name: str, path: Path) -> Path:
    """Write the template of one kind of file to `path` (.xlsx)."""
    kind = kind_named(kind_name)
    if kind is None:
        raise ValueError(f"Неизвестный вид данных «{kind_name}». Допустимые: {', '.join(KINDS)}")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = kind.title[:31].capitalize()
    _write_table(sheet, kind)
    with Directory(registry) as directory:
        lists = choice_lists(directory)
    _write_lists(workbook, sheet, kind, lists)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _write_table(sheet, kind: Kind) -> None:  # type: ignore[no-untyped-def]
    last = get_column_letter(len(kind.columns))
    sheet.cell(row=TITLE_ROW, column=1,
               value=f"Реестр наставников: {kind.title}. Данные — с {FIRST_DATA_ROW}-й строки; "
                     "* — обязательный столбец; строку подсказок можно не удалять")
    sheet.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    sheet.cell(row=TITLE_ROW, column=1).font = Font(bold=True, size=12)
    for index, column in enumerate(kind.columns, start=1):
        header = sheet.cell(row=HEADER_ROW, column=index, value=column.header())
        header.font = Font(bold=True)
        header.fill = _HEADER_FILL
        header.alignment = Alignment(wrap_text=True, vertical="center")
        hint = sheet.cell(row=HINT_ROW, column=index, value=f"({column.hint or 'текст'})")
        hint.font = Font(italic=True, color="FF808080", size=9)
        hint.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = _width(column)
    sheet.row_dimensions[HEADER_ROW].height = 45
    sheet.row_dimensions[HINT_ROW].height = 36
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"


def _write_lists(workbook: Workbook, sheet, kind: Kind, lists: dict[str, list[str]]) -> None:  # type: ignore[no-untyped-def]
    used = [c for c in kind.columns if c.choices and lists.get(c.choices)]
    if not used:
        return
    store = workbook.create_sheet(LISTS_SHEET)
    store.sheet_state = "hidden"
    placed: dict[str, str] = {}
    for index, name in enumerate(dict.fromkeys(c.choices for c in used if c.choices), start=1):
        letter = get_column_letter(index)
        values = lists[name]
        store.cell(row=1, column=index, value=name)
        for row, value in enumerate(values, start=2):
            store.cell(row=row, column=index, value=value)
        placed[name] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    for index, column in enumerate(kind.columns, start=1):
        if column not in used or column.choices is None:
            continue
        letter = get_column_letter(index)
        validation = DataValidation(
            type="list",
            formula1=placed[column.choices],
            allow_blank=True,
            # Organizations and municipalities may also be given by INN, code or id.
            showErrorMessage=not column.multi and column.choices not in ("organizations", "municipalities"),
            errorTitle="Значение не из списка",
            error="Выберите значение из списка (справочник реестра)",
            promptTitle=column.title,
            prompt="Выберите из списка" + ("; несколько — через «;»" if column.multi else ""),
            showInputMessage=True,
        )
        validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{VALIDATED_ROWS}")
        sheet.add_data_validation(validation)
