"""The registry of appliers (one small SQL function per pinned topic) and their helpers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any
from uuid import UUID

from projections.store import Tx

Applier = Callable[[Tx, Any], None]
#: topic -> every applier of the topic, by stage: what the incremental projector runs.
APPLIERS: dict[str, Applier] = {}
#: topic -> its stage-0 appliers only: what a rebuild runs (it derives the DERIVED tables once, at
#: the end, from the views stage 0 built; topics with derived appliers only are not even decoded).
BASE_APPLIERS: dict[str, Applier] = {}

#: topic -> [(stage, registration order, applier)]: every applier registered for a topic
_STAGED: dict[str, list[tuple[int, int, Applier]]] = {}

#: Stage of the views derived from other views (e.g. the public mentors): they run after the
#: appliers of stage 0 have changed the rows they are derived from, in the same transaction.
#: A DERIVED applier must keep its tables (`schema.DERIVED_TABLES`) a function of the stage-0
#: views at every position: a rebuild skips it and fills those tables once from the final views
#: (`projections.appliers.public.backfill`), which must then give the same rows.
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
            APPLIERS[key] = _chain([a for _, _, a in staged])
            base = [a for s, _, a in staged if s == 0]
            if base:
                BASE_APPLIERS[key] = _chain(base)
        return applier

    return register


def _chain(appliers: list[Applier]) -> Applier:
    if len(appliers) == 1:
        return appliers[0]

    def apply(tx: Tx, event: Any) -> None:
        for applier in appliers:
            applier(tx, event)

    return apply


#: Text of the ids seen lately: the same organizations, mentors and pairs recur in thousands of
#: events, and `str(UUID)` is Python code (a rebuild spent a few % of its time in it).
#: Keyed by the id's integer: hashing and comparing a UUID are Python code too.
_ID_TEXT: dict[int, str] = {}


def _text(value: UUID) -> str:
    number = value.int
    found = _ID_TEXT.get(number)
    if found is None:
        if len(_ID_TEXT) >= 100_000:
            _ID_TEXT.clear()
        found = _ID_TEXT[number] = str(value)
    return found


def ident(value: Any) -> str | None:
    if value is None:
        return None
    return _text(value) if type(value) is UUID else str(value)


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def as_json(values: Iterable[Any]) -> str:
    return json.dumps([str(v) for v in values], ensure_ascii=False)


def origin(event: Any) -> str:
    value = event.originator_id
    return _text(value) if type(value) is UUID else str(value)
