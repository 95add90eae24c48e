"""Renderings of a report dict: JSON, CSV, XLSX, HTML — each deterministic, byte for byte."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.formats.csv_format import render_csv
from projections.formats.html_format import render_html
from projections.formats.json_format import COMPACT, render_json
from projections.formats.xlsx_format import render_xlsx

RENDERERS: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "json": render_json,
    "csv": render_csv,
    "xlsx": render_xlsx,
    "html": render_html,
}

FORMATS = tuple(RENDERERS)


def render(report: dict[str, Any], fmt: str, *, json_layout: str = COMPACT) -> bytes:
    """The report's bytes in `fmt` (`json_layout`: compact or indent2, for JSON only)."""
    if fmt == "json":
        return render_json(report, json_layout)
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"Неизвестный формат «{fmt}»: нужен один из {', '.join(FORMATS)}") from None
    return renderer(report)
