"""The error copy: the file as it was sent, each bad cell filled red with a comment saying why,
and a sheet «Ошибки» listing every problem. A CSV file's copy is a workbook (CSV has no comments)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ops.importing.table import Table

BAD = PatternFill(start_color="FFF4B6B6", end_color="FFF4B6B6", fill_type="solid")
ERRORS_SHEET = "Ошибки"


def default_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.ошибки.xlsx")


def write_error_copy(table: Table, issues: list[tuple[int, int | None, str, str]], target: Path) -> Path:
    """`issues`: (row number, 0-based column index or None, where in words, message)."""
    if table.grid.format == "xlsx":
        workbook = load_workbook(table.grid.source)
        sheet = workbook[table.grid.sheet] if table.grid.sheet else workbook.active
    else:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Данные"
        for number, values in table.grid.rows:
            for index, value in enumerate(values, start=1):
                sheet.cell(row=number, column=index, value=value)
    assert isinstance(sheet, Worksheet)

    by_cell: dict[tuple[int, int], list[str]] = defaultdict(list)
    for row, column, _, message in issues:
        by_cell[(row, (column if column is not None else 0) + 1)].append(message)
    for (row, column), messages in by_cell.items():
        cell = sheet.cell(row=row, column=column)
        if isinstance(cell, MergedCell):  # only a merged range's first cell takes a comment
            for merged in sheet.merged_cells.ranges:
                if cell.coordinate in merged:
                    cell = sheet.cell(row=merged.min_row, column=merged.min_col)
                    break
        text = "\n".join(f"• {m}" for m in messages)
        cell.comment = Comment(text, "reestr", width=320, height=max(80, 40 * len(messages)))
        cell.fill = BAD

    if ERRORS_SHEET in workbook.sheetnames:
        del workbook[ERRORS_SHEET]
    listing = workbook.create_sheet(ERRORS_SHEET, 0)
    listing.append(["Строка", "Столбец", "Ошибка"])
    for cell in listing[1]:
        cell.font = Font(bold=True)
    for row, _, where, message in sorted(issues, key=lambda i: (i[0], i[1] if i[1] is not None else -1)):
        listing.append([row, where, message])
    listing.column_dimensions["A"].width = 9
    listing.column_dimensions["B"].width = 40
    listing.column_dimensions["C"].width = 100
    for each in workbook.worksheets:
        each.sheet_view.tabSelected = each is sheet
    workbook.active = workbook.sheetnames.index(sheet.title)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return target
