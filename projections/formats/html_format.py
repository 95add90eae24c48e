"""A standalone HTML page (Jinja2, Russian, lang=ru): tables and server-drawn SVG charts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from projections.formats.svg import bar_chart, ru_number
from projections.indicators import STATUS_RU
from projections.report import UNIT_KIND_RU

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("да" if value else "нет")


def _pp(value: float | None) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{ru_number(value, 2)}"


def _ru_date(iso: str | None) -> str:
    return "—" if not iso else ".".join(reversed(iso.split("-")))


_env.filters["ru_date"] = _ru_date
_env.filters["num"] = lambda value, digits=2: ru_number(value, digits)
_env.filters["yes_no"] = _yes_no
_env.filters["pp"] = _pp
_env.filters["kind_ru"] = lambda kind: UNIT_KIND_RU.get(kind, kind)
_env.filters["status_ru"] = lambda status: STATUS_RU.get(status, status)


def render_html(report: dict[str, Any]) -> bytes:
    a, b = report["periods"]["a"], report["periods"]["b"]
    ranked_kind = report["ranked_unit_kind"]
    charts = {
        indicator["id"]: Markup(
            bar_chart(
                [row for row in indicator["rows"] if row["unit_kind"] == ranked_kind],
                a["label"],
                b["label"],
                indicator["title"],
                changes=bool(report.get("change_basis")),
            )
        )
        for indicator in report["indicators"]
    }
    template = _env.get_template("dynamics.html.j2")
    html = template.render(report=report, a=a, b=b, charts=charts, ranked_kind=ranked_kind)
    return html.encode("utf-8")
