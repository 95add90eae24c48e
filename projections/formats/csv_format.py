"""CSV: one row per indicator and unit, both periods side by side (UTF-8 with BOM for Excel).

Column names are English (it is a data file); every row carries the log position. A report whose
changes are over comparable organizations adds how many of how many, and the note, at the end.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from projections.formats.feedback_format import feedback_csv_rows

PERIOD_FIELDS = ("numerator", "denominator", "share", "target", "achieved", "status")

HEADER = (
    ["position", "indicator", "unit_kind", "unit_id", "unit_name", "municipality_id", "rank"]
    + [f"a_{name}" for name in ("period", *PERIOD_FIELDS)]
    + [f"b_{name}" for name in ("period", *PERIOD_FIELDS)]
    + ["change_pp", "declined", "missing_data"]
)
COMPARABLE_HEADER = ["comparable_organizations", "applicable_organizations", "change_note"]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def rows(report: dict[str, Any]) -> list[list[Any]]:
    out = []
    for indicator in report["indicators"]:
        for row in indicator["rows"]:
            line: list[Any] = [
                report["position"],
                indicator["id"],
                row["unit_kind"],
                row["unit_id"],
                row["unit_name"],
                row["municipality_id"],
                row["rank"],
            ]
            for side in ("a", "b"):
                line.append(report["periods"][side]["key"])
                line.extend(row[side][name] for name in PERIOD_FIELDS)
            line.extend([row["change_pp"], row["declined"], row["missing_data"]])
            if "comparable" in row:
                basis = row["comparable"]
                line.extend([basis["organizations"], basis["of"], basis["note"]])
            out.append([_cell(v) for v in line])
    out.extend([_cell(v) for v in line] for line in feedback_csv_rows(report, len(HEADER)))
    return out


def render_csv(report: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER + (COMPARABLE_HEADER if report.get("change_basis") else []))
    writer.writerows(rows(report))
    return buffer.getvalue().encode("utf-8-sig")
