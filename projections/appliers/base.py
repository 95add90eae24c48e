"""The registry of appliers (one small SQL function per pinned topic) and their helpers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from projections.store import Tx

Applier = Callable[[Tx, Any], None]
APPLIERS: dict[str, Applier] = {}


def on(*topics: str) -> Callable[[Applier], Applier]:
    """Register an applier for the events `reestr:<Aggregate>.<Event>` named."""

    def register(applier: Applier) -> Applier:
        for topic in topics:
            APPLIERS[f"reestr:{topic}"] = applier
        return applier

    return register


def ident(value: Any) -> str | None:
    return None if value is None else str(value)


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def as_json(values: Iterable[Any]) -> str:
    return json.dumps([str(v) for v in values], ensure_ascii=False)


def origin(event: Any) -> str:
    return str(event.originator_id)
