"""JSON: the report dict itself, keys in their built order, UTF-8.

Compact (the default) goes through json's C encoder — `indent` makes json fall back to its
pure-Python encoder, several times slower on a 4 MB report. Indented (two spaces) is the layout
reports had before; `reestr report reproduce` renders it for manifests that do not state a layout,
so their bytes still match.
"""

from __future__ import annotations

import json
from typing import Any

COMPACT = "compact"
INDENT2 = "indent2"
JSON_LAYOUTS = (COMPACT, INDENT2)


def render_json(report: dict[str, Any], layout: str = COMPACT) -> bytes:
    if layout == INDENT2:
        return (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if layout != COMPACT:
        raise ValueError(f"Неизвестная раскладка JSON «{layout}»: нужна одна из {', '.join(JSON_LAYOUTS)}")
    return (json.dumps(report, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
