"""XLSX (openpyxl): a cover sheet, one sheet per indicator, then the counts; Russian headers.

Numbers are written as numbers (shares with the format 0.00). The workbook is byte-for-byte
reproducible: fixed document properties (created/modified), and every zip entry re-packed with a
fixed timestamp, since openpyxl stamps both with the current time.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from projections.formats.feedback_format import feedback_sheet
from projections.report import UNIT_KIND_RU

FIXED_TIME = datetime(2020, 1, 1, 0, 0, 0)
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
PERCENT = "0.00"


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("да" if value else "нет")


def _ru_date(iso: str) -> str:
    return ".".join(reversed(iso.split("-")))


def _header(ws: Worksheet, row: int, titles: list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = ws.cell(row=row, column=column, value=title)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=row + 1, column=4)


def _widths(ws: Worksheet, widths: list[int]) -> None:
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width


def _cover(ws: Worksheet, report: dict[str, Any]) -> None:
    a, b = report["periods"]["a"], report["periods"]["b"]
    scope = report["scope"]
    lines: list[tuple[str, Any]] = [
        (report["title"], None),
        ("Позиция журнала событий", report["position"]),
        ("Период 1", a["label"]),
        ("Период 2", b["label"]),
        ("Дата расчёта, период 1", _ru_date(a["reference_date"])),
        ("Дата расчёта, период 2", _ru_date(b["reference_date"])),
        (
            "Охват справки",
            "все регионы реестра"
            if scope is None
            else f"{UNIT_KIND_RU[scope['kind']]}: {scope['name']}",
        ),
        ("Правила расчёта", report["reference_date_rule"]),
    ]
    for row, (label, value) in enumerate(lines, start=1):
        ws.cell(row=row, column=1, value=label).font = BOLD
        if value is not None:
            ws.cell(row=row, column=2, value=value).alignment = Alignment(wrap_text=True)
    _widths(ws, [34, 100])


def _indicator_sheet(ws: Worksheet, report: dict[str, Any], indicator: dict[str, Any]) -> None:
    a, b = report["periods"]["a"]["key"], report["periods"]["b"]["key"]
    ws.cell(row=1, column=1, value=indicator["title"]).font = Font(bold=True, size=12)
    ws.cell(row=2, column=1, value=f"Позиция журнала событий: {report['position']}")
    titles = ["Уровень", "Единица", "Муниципалитет", "Место"]
    for key in (a, b):
        titles += [
            f"{key}: охвачено",
            f"{key}: контингент",
            f"{key}: доля, %",
            f"{key}: цель, %",
            f"{key}: цель достигнута",
        ]
    titles += ["Изменение, п.п.", "Снижение", "Нет данных о контингенте", "Код единицы"]
    comparable = bool(report.get("change_basis"))
    if comparable:  # a report of changes over comparable organizations says over which
        titles += ["Сравнимых организаций", "Из применимых", "Основание сравнения"]
    _header(ws, 4, titles)
    municipalities = report["municipalities"]
    for offset, row in enumerate(indicator["rows"]):
        values: list[Any] = [
            UNIT_KIND_RU[row["unit_kind"]],
            row["unit_name"],
            municipalities.get(row["municipality_id"] or "", None),
            row["rank"],
        ]
        for side in ("a", "b"):
            part = row[side]
            values += [part["numerator"], part["denominator"], part["share"], part["target"]]
            values.append(_yes_no(part["achieved"]))
        values += [row["change_pp"], _yes_no(row["declined"]), _yes_no(row["missing_data"]), row["unit_id"]]
        if comparable:
            basis = row["comparable"]
            values += [basis["organizations"], basis["of"], basis["note"]]
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=5 + offset, column=column, value=value)
            if isinstance(value, (int, float)) and titles[column - 1].endswith((", %", "п.п.")):
                cell.number_format = PERCENT
    _widths(ws, [16, 44, 28, 8] + [12] * 10 + [14, 11, 14, 38] + ([14, 14, 44] if comparable else []))


def _counts_sheet(ws: Worksheet, report: dict[str, Any]) -> None:
    a, b = report["periods"]["a"]["key"], report["periods"]["b"]["key"]
    fields = [
        ("organizations", "организаций"),
        ("mentors_in_registry", "наставников в реестре"),
        ("mentors_trained", "из них обучено"),
        ("trained_share", "доля обученных, %"),
        ("mentees_involved", "охвачено наставляемых"),
        ("pairs_active", "пар (групп)"),
        ("programs", "программ"),
        ("outputs", "продуктов"),
        ("checklist_complete", "чек-лист выполнен полностью"),
    ]
    ws.cell(row=1, column=1, value="Показатели деятельности").font = Font(bold=True, size=12)
    ws.cell(row=2, column=1, value=f"Позиция журнала событий: {report['position']}")
    titles = ["Уровень", "Единица"] + [f"{key}: {title}" for key in (a, b) for _, title in fields]
    _header(ws, 4, titles)
    for offset, row in enumerate(report["counts"]):
        values: list[Any] = [UNIT_KIND_RU[row["unit_kind"]], row["unit_name"]]
        values += [row[side][name] for side in ("a", "b") for name, _ in fields]
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=5 + offset, column=column, value=value)
            if titles[column - 1].endswith(", %") and value is not None:
                cell.number_format = PERCENT
    _widths(ws, [16, 44] + [13] * (2 * len(fields)))


def _breakdown_sheet(ws: Worksheet, report: dict[str, Any], title: str, key: str, label: str) -> None:
    a, b = report["periods"]["a"]["key"], report["periods"]["b"]["key"]
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=12)
    ws.cell(row=2, column=1, value=f"Позиция журнала событий: {report['position']}")
    first = report["counts"][0]["a"][key] if report["counts"] else []
    titles = ["Уровень", "Единица"] + [f"{period}: {entry['title']}" for period in (a, b) for entry in first]
    _header(ws, 4, titles)
    for offset, row in enumerate(report["counts"]):
        values: list[Any] = [UNIT_KIND_RU[row["unit_kind"]], row["unit_name"]]
        values += [entry[label] for side in ("a", "b") for entry in row[side][key]]
        for column, value in enumerate(values, start=1):
            ws.cell(row=5 + offset, column=column, value=value)
    _widths(ws, [16, 44] + [14] * (len(titles) - 2))


def _sheet_title(text: str, taken: set[str]) -> str:
    clean = "".join("_" if ch in '[]:*?/\\' else ch for ch in text)[:31]
    title, n = clean, 2
    while title in taken:
        title = f"{clean[:28]} {n}"
        n += 1
    taken.add(title)
    return title


def build_workbook(report: dict[str, Any]) -> Workbook:
    wb = Workbook()
    taken: set[str] = set()
    cover = wb.active
    cover.title = _sheet_title("Справка", taken)
    _cover(cover, report)
    for indicator in report["indicators"]:
        _indicator_sheet(wb.create_sheet(_sheet_title(indicator["short_title"], taken)), report, indicator)
    _counts_sheet(wb.create_sheet(_sheet_title("Показатели деятельности", taken)), report)
    _breakdown_sheet(wb.create_sheet(_sheet_title("Пары по формам", taken)), report,
                     "Пары (группы) по формам наставничества", "pairs_by_form", "count")
    _breakdown_sheet(wb.create_sheet(_sheet_title("Чек-лист", taken)), report,
                     "Чек-лист внедрения: организаций, выполнивших пункт", "checklist", "done")
    if "feedback" in report:
        feedback_sheet(wb.create_sheet(_sheet_title("Обратная связь", taken)), report)
    props = wb.properties
    props.creator = "Реестр наставников"
    props.lastModifiedBy = "Реестр наставников"
    props.title = report["title"]
    props.description = f"Позиция журнала событий: {report['position']}"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    return wb


def render_xlsx(report: dict[str, Any]) -> bytes:
    wb = build_workbook(report)
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()  # not save_workbook(): it stamps `modified` with now
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
