"""Helpers of the import tests: a small region to import into, and files written the ways real
files are (a filled-in template, a workbook with title rows, CSV in either encoding)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import structlog
from click.testing import Result
from openpyxl import Workbook, load_workbook

from ops.cli import app as reestr
from ops.importing import ImportReport, import_file
from ops.templates import FIRST_DATA_ROW, HEADER_ROW, write_template
from registry.application import Registry
from support.world import Region

SCHOOL = "МБОУ «Лицей «Звёздный» с. Тополёво"
SCHOOL_INN = "2720012345"
COLLEGE = "КГБ ПОУ «Хабаровский технический колледж»"


def seed(registry: Registry) -> dict[str, UUID]:
    """A municipality with a school (its name has «ё») and a college, as the institute set them up."""
    region = Region(registry)
    municipality = region.municipality("Хабаровский муниципальный район")
    school = region.organization("school", municipality_id=municipality, name=SCHOOL, inn=SCHOOL_INN,
                                 registered_on=date(2019, 9, 1))
    college = region.organization("college", municipality_id=municipality, name=COLLEGE,
                                  registered_on=date(2019, 9, 1))
    return {"municipality": municipality, "school": school, "college": college}


def filled_template(registry: Registry, kind: str, path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    """The template of `kind`, rows filled in under its headers (keys: header without «*»)."""
    write_template(registry, kind, path)
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    headers = {str(cell.value).rstrip("*"): cell.column for cell in sheet[HEADER_ROW] if cell.value}
    for offset, row in enumerate(rows):
        for header, value in row.items():
            sheet.cell(row=FIRST_DATA_ROW + offset, column=headers[header], value=value)
    workbook.save(path)
    return path


def workbook_file(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, titles: Sequence[str] = ()
) -> Path:
    """A workbook as institutes make them: merged title rows, an empty row, then the table."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Лист1"
    for number, title in enumerate(titles, start=1):
        sheet.cell(row=number, column=1, value=title)
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=len(header))
    first = len(titles) + (2 if titles else 1)
    for index, value in enumerate(header, start=1):
        sheet.cell(row=first, column=index, value=value)
    for offset, row in enumerate(rows, start=1):
        for index, value in enumerate(row, start=1):
            sheet.cell(row=first + offset, column=index, value=value)
    workbook.save(path)
    return path


def csv_file(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    titles: Sequence[str] = (),
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for title in titles:
        writer.writerow([title] + [""] * (len(header) - 1))
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def imported(registry: Registry, path: Path, **options: Any) -> ImportReport:
    """Import a file that must go in whole."""
    report = import_file(registry, path, **options)
    assert report.ok, "\n".join(str(e) for e in report.errors)
    return report


def invoke(args: Sequence[str], env: dict[str, str]) -> Result:
    """Run a command as `reestr ARGS` would, with this environment."""
    from typer.testing import CliRunner

    try:
        return CliRunner().invoke(reestr, list(args), env=env)
    finally:
        # The command pointed the logs at the runner's stderr, closed now: back to the defaults.
        structlog.reset_defaults()

