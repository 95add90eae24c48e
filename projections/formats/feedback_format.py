"""The feedback section of the dynamics report in CSV rows and an XLSX sheet (present only when
the report has questionnaires: `projections/feedback.py`)."""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

UNIT_KIND_RU = {"region": "регион", "municipality": "муниципалитет", "organization": "организация"}


def feedback_csv_rows(report: dict[str, Any], width: int) -> list[list[Any]]:
    """CSV rows in the indicator columns: indicator `feedback_<respondent>_<scale>`, the number of
    questionnaires as the numerator, the scale's mean as the share; the other cells empty."""
    section = report.get("feedback")
    if not section:
        return []
    out = []
    for row in section["rows"]:
        for respondent in section["respondents"]:
            for question in section["questions"]:
                line: list[Any] = [report["position"], f"feedback_{respondent}_{question}", row["unit_kind"],
                                   row["unit_id"], row["unit_name"], "", ""]
                for side in ("a", "b"):
                    summary = row[side][respondent]
                    mean = summary["means"][question]
                    line += [report["periods"][side]["key"], summary["questionnaires"], "",
                             "" if mean is None else mean, "", "", ""]
                line += ["", "", ""]
                out.append(line[:width])
    return out


def feedback_sheet(ws: Worksheet, report: dict[str, Any]) -> None:
    """One row per unit and respondent: questionnaires and every scale's mean, both periods."""
    section = report["feedback"]
    a, b = report["periods"]["a"]["label"], report["periods"]["b"]["label"]
    ws.cell(row=1, column=1, value="Удовлетворённость участников программ наставничества (шкала 1–10)").font = Font(bold=True)
    titles = ["Единица", "Вид", "Участники", f"Анкет, {a}", f"Анкет, {b}"]
    for question in section["questions"].values():
        titles += [f"{question}, {a}", f"{question}, {b}"]
    for column, title in enumerate(titles, start=1):
        ws.cell(row=2, column=column, value=title).font = Font(bold=True)
    line = 3
    for row in section["rows"]:
        for respondent, respondent_ru in section["respondents"].items():
            values = [row["unit_name"], UNIT_KIND_RU.get(row["unit_kind"], row["unit_kind"]), respondent_ru,
                      row["a"][respondent]["questionnaires"], row["b"][respondent]["questionnaires"]]
            for question in section["questions"]:
                values += [row["a"][respondent]["means"][question], row["b"][respondent]["means"][question]]
            for column, value in enumerate(values, start=1):
                ws.cell(row=line, column=column, value=value)
            line += 1
