"""Finding the table in a grid: which kind of file it is, which row is the header (below any
merged title rows), which column is which, and the data rows under it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ops.importing.cells import text
from ops.importing.columns import (
    KINDS,
    Kind,
    header_score,
    ignored_header,
    kind_named,
    match_headers,
)
from ops.importing.reading import FileProblem, Grid

HEADER_SEARCH_ROWS = 25


@dataclass
class DataRow:
    number: int  # as people see it in Excel
    cells: dict[str, Any]  # column key -> the raw cell value


@dataclass
class Table:
    kind: Kind
    grid: Grid
    header_row: int
    columns: dict[str, int]  # column key -> 0-based column index in the sheet
    rows: list[DataRow]
    missing: list[str] = field(default_factory=list)  # required column keys with no header
    ignored: list[str] = field(default_factory=list)  # headers the kind does not know
    header_width: int = 0  # cells in the header row: a missing column is marked just after them

    def column_index(self, column_key: str | None) -> int | None:
        return self.columns.get(column_key) if column_key else None


def locate(grids: list[Grid], kind_name: str | None = None) -> Table:
    """The best (sheet, header row, kind) of the file; with `kind_name`, of that kind only."""
    if kind_name:
        kind = kind_named(kind_name)
        if kind is None:
            names = ", ".join(KINDS)
            raise FileProblem(f"Неизвестный вид данных «{kind_name}». Допустимые: {names}")
        candidates = [kind]
    else:
        candidates = list(KINDS.values())
    best: tuple[tuple[int, int, int], Kind, Grid, int, list[Any]] | None = None
    for grid in grids:
        for number, cells in grid.rows[:HEADER_SEARCH_ROWS]:
            for kind in candidates:
                score = header_score(kind, cells)
                if best is None or score > best[0]:
                    best = (score, kind, grid, number, cells)
    if best is None or best[0][2] < 2 or best[0][1] == 0:
        sought = f"файла вида «{candidates[0].title}»" if kind_name else "ни одного известного вида"
        raise FileProblem(
            f"Не найдена строка заголовков {sought}: проверьте названия столбцов "
            "(их можно взять из шаблона: reestr template)"
        )
    _, kind, grid, header_row, header_cells = best
    columns = match_headers(kind, header_cells)
    missing = [c.key for c in kind.columns if c.required and c.key not in columns]
    known = set(columns.values())
    ignored = [
        str(text(cell))
        for index, cell in enumerate(header_cells)
        if index not in known and text(cell) and not ignored_header(cell)
    ]
    rows = []
    for number, cells in grid.rows:
        if number <= header_row or _is_hint_row(cells):
            continue
        values = {k: cells[i] if i < len(cells) else None for k, i in columns.items()}
        if all(text(v) is None for v in values.values()):
            continue
        rows.append(DataRow(number=number, cells=values))
    if grid.format == "xlsx":
        # The data rows live on in `rows`; a workbook's error copy is made from the file itself,
        # so the sheet's own rows below the header need not be held twice.
        grid.rows = [(number, cells) for number, cells in grid.rows if number <= header_row]
    return Table(kind, grid, header_row, columns, rows, missing, ignored, header_width=len(header_cells))


def _is_hint_row(cells: list[Any]) -> bool:
    """The template's hint row: every filled cell is a note in parentheses."""
    filled = [text(c) for c in cells if text(c)]
    return bool(filled) and all(c.startswith("(") and c.endswith(")") for c in filled if c)
