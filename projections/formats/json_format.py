"""JSON: the report dict itself, keys in their built order, UTF-8, two-space indent."""

from __future__ import annotations

import json
from typing import Any


def render_json(report: dict[str, Any]) -> bytes:
    return (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
