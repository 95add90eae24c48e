"""The registry of appliers (one small SQL function per pinned topic) and their helpers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from projections.store import Tx

Applier = Callable[[Tx, Any], None]
APPLIERS: dict[str, Applier] = {}

#: topic -> [(stage, registration order, applier)]: every applier registered for a topic
_STAGED: dict[str, list[tuple[int, int, Applier]]] = {}

#: Stage of the views derived from other views (e.g. the public mentors): they run after the
#: appliers of stage 0 have changed the rows they are derived from, in the same transaction.
DERIVED = 1


def on(*topics: str, stage: int = 0) -> Callable[[Applier], Applier]:
    """Register an applier for the events `reestr:<Aggregate>.<Event>` named.

    Several appliers may handle one topic: they run by stage, then in registration order.
    """

    def register(applier: Applier) -> Applier:
        for topic in topics:
            key = f"reestr:{topic}"
            staged = _STAGED.setdefault(key, [])
            staged.append((stage, len(staged), applier))
            staged.sort(key=lambda entry: entry[:2])
            APPLIERS[key] = staged[0][2] if len(staged) == 1 else _chain([a for _, _, a in staged])
        return applier

    return register


def _chain(appliers: list[Applier]) -> Applier:
    def apply(tx: Tx, event: Any) -> None:
        for applier in appliers:
            applier(tx, event)

    return apply


def ident(value: Any) -> str | None:
    return None if value is None else str(value)


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def as_json(values: Iterable[Any]) -> str:
    return json.dumps([str(v) for v in values], ensure_ascii=False)


def origin(event: Any) -> str:
    return str(event.originator_id)
