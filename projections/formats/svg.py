"""Bar charts drawn on the server as inline SVG: no script, no CDN, they work offline and print.

One chart per indicator: a row per unit (municipality, or organization within a municipality),
two bars (the earlier and the later period), the later period's target as a red tick, and
«нет данных» where the share cannot be computed.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

WIDTH = 820
LABEL_WIDTH = 250
BAR_AREA = 470
ROW_HEIGHT = 36
BAR_HEIGHT = 12
TOP = 44
COLOR_A = "#9db7d5"
COLOR_B = "#2f5d8c"
COLOR_TARGET = "#c0392b"


def ru_number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}".replace(".", ",")


def _x(share: float) -> float:
    return LABEL_WIDTH + BAR_AREA * max(0.0, min(share, 100.0)) / 100.0


def _label(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _change_text(row: dict[str, Any]) -> str:
    """The row's change over comparable organizations, as the chart prints it under the name."""
    basis = row["comparable"]
    if row["change_pp"] is None:
        return basis["note"] or "изменение не рассчитано"
    value = row["change_pp"]
    text = f"{'+' if value > 0 else ''}{ru_number(value, 2)} п.п."
    return f"{text}, {basis['note']}" if basis["note"] else text


def bar_chart(
    rows: list[dict[str, Any]], label_a: str, label_b: str, title: str, *, changes: bool = False
) -> str:
    """SVG markup (a string) for the rows of one indicator (`changes`: print each row's change
    over comparable organizations under its name)."""
    height = TOP + ROW_HEIGHT * max(len(rows), 1) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'font-family="Arial, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{LABEL_WIDTH}" y="8" width="12" height="10" fill="{COLOR_A}"/>',
        f'<text x="{LABEL_WIDTH + 16}" y="17">{escape(label_a)}</text>',
        f'<rect x="{LABEL_WIDTH + 150}" y="8" width="12" height="10" fill="{COLOR_B}"/>',
        f'<text x="{LABEL_WIDTH + 166}" y="17">{escape(label_b)}</text>',
        f'<line x1="{LABEL_WIDTH + 300}" y1="7" x2="{LABEL_WIDTH + 300}" y2="19" '
        f'stroke="{COLOR_TARGET}" stroke-width="3"/>',
        f'<text x="{LABEL_WIDTH + 306}" y="17">цель ({escape(label_b)})</text>',
    ]
    bottom = TOP + ROW_HEIGHT * max(len(rows), 1)
    for tick in (0, 25, 50, 75, 100):
        x = _x(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{bottom}" stroke="#dddddd"/>'
        )
        parts.append(f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle">{tick} %</text>')
    if not rows:
        parts.append(f'<text x="{LABEL_WIDTH}" y="{TOP + 20}">нет единиц для сравнения</text>')
    for index, row in enumerate(rows):
        y = TOP + ROW_HEIGHT * index
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 18}" text-anchor="end">'
            f"{escape(_label(row['unit_name']))}</text>"
        )
        if changes:
            parts.append(
                f'<text x="{LABEL_WIDTH - 8}" y="{y + 31}" text-anchor="end" font-size="10" '
                f'fill="#555555">{escape(_label(_change_text(row), 48))}</text>'
            )
        for offset, side, color in ((2, "a", COLOR_A), (4 + BAR_HEIGHT, "b", COLOR_B)):
            share = row[side]["share"]
            bar_y = y + offset
            if share is None:
                parts.append(
                    f'<text x="{LABEL_WIDTH + 4}" y="{bar_y + 10}" fill="#888888">нет данных</text>'
                )
                continue
            width = _x(share) - LABEL_WIDTH
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{color}"><title>{escape(row["unit_name"])}: {ru_number(share, 2)} %</title></rect>'
            )
            parts.append(
                f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{bar_y + 10}">{ru_number(share, 2)} %</text>'
            )
        target = row["b"]["target"]
        if target is not None:
            x = _x(target)
            parts.append(
                f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 4 + 2 * BAR_HEIGHT + 2}" '
                f'stroke="{COLOR_TARGET}" stroke-width="3"/>'
            )
    parts.append("</svg>")
    return "\n".join(parts)
