"""Reading a file into a grid of cells: XLSX (every visible sheet) or CSV in any usual dialect.

CSV files come from Excel (Windows-1251, `;`) and from Google Forms (UTF-8, `,`); the encoding
and the delimiter are detected, not asked. Row numbers are the ones people see in Excel (or the
line of the CSV), so that errors can point at them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger("reestr.import")


class FileProblem(ValueError):
    """The file cannot be read at all; the message says why in Russian."""


@dataclass
class Grid:
    """One sheet's cells: `rows[i]` is (row number as shown to people, values from column A)."""

    source: Path
    format: str  # "xlsx" | "csv"
    sheet: str | None
    rows: list[tuple[int, list[Any]]]
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


XLSX_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt"}


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of a workbook with data, or the one table of a CSV file."""
    if not path.is_file():
        raise FileProblem(f"Файл не найден: {path}")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path)
    if suffix in CSV_SUFFIXES:
        return [_read_csv(path)]
    if suffix == ".xls":
        raise FileProblem(
            "Старый формат Excel (.xls) не читается: сохраните файл как «Книга Excel (.xlsx)» или CSV"
        )
    raise FileProblem(f"Неизвестный формат файла «{suffix}»: нужен .xlsx или .csv")


def _read_xlsx(path: Path) -> list[Grid]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError, InvalidFileException) as error:
        # The library's own words («File is not a zip file») go to the log, not to the official.
        log.warning("workbook_unreadable", file=path.name, error=f"{type(error).__name__}: {error}")
        raise FileProblem(
            f"Файл {path.name} не читается как книга Excel (.xlsx): он повреждён или сохранён в другом "
            "формате. Откройте его в Excel и сохраните как «Книга Excel (.xlsx)»"
        ) from None
    grids = []
    try:
        grids = _xlsx_grids(path, workbook)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError, SyntaxError, EOFError) as error:
        log.warning("workbook_unreadable", file=path.name, error=f"{type(error).__name__}: {error}")
        raise FileProblem(
            f"Файл {path.name} не читается как книга Excel (.xlsx): лист повреждён. Откройте его в "
            "Excel и сохраните как «Книга Excel (.xlsx)»"
        ) from None
    finally:
        workbook.close()
    if not grids:
        raise FileProblem(f"В книге {path.name} нет ни одного заполненного листа")
    return grids


def _xlsx_grids(path: Path, workbook: Any) -> list[Grid]:
    grids = []
    for sheet in workbook.worksheets:
        if getattr(sheet, "sheet_state", "visible") != "visible":
            continue  # templates keep their lists on a hidden sheet
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            while cells and _blank(cells[-1]):
                cells.pop()
            if cells:
                rows.append((number, cells))
        if rows:
            grids.append(Grid(source=path, format="xlsx", sheet=sheet.title, rows=rows))
    return grids


def decode_bytes(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1251."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), "cp1251"


def _delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:30] if line.strip()]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=";,\t").delimiter
    except csv.Error:
        counts = {d: sum(line.count(d) for line in lines) for d in ";,\t"}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"


def _read_csv(path: Path) -> Grid:
    text, encoding = decode_bytes(path.read_bytes())
    delimiter = _delimiter(text[:20_000])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    for number, values in enumerate(reader, start=1):  # as Excel shows a CSV: a record a row
        cells: list[Any] = [value if value.strip() else None for value in values]
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            rows.append((number, cells))
    if not rows:
        raise FileProblem(f"Файл {path.name} пуст")
    return Grid(source=path, format="csv", sheet=None, rows=rows, encoding=encoding, delimiter=delimiter)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
