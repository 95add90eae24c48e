"""Histories of the world entered in a chosen order, and the registry they leave, compared by label.

A history is a list of `Step`s, each dated in the world and naming what it acts on by label (the
ids differ from one registry to the next). `enter(registry, setup, steps)` sends the commands,
`picture(registry, labels)` reads back the views and the dynamics report with every id replaced
by its label, so two registries built from the same history in different orders compare equal.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from projections.facts import load_facts
from projections.periods import Period
from projections.projector import project_until
from projections.report import dynamics_report
from registry import commands as c
from registry.application import Registry
from support import view_reads
from support.world import ADMIN

Y2020, Y2021 = Period.calendar_year(2020), Period.calendar_year(2021)

Labels = dict[str, UUID]


@dataclass(frozen=True)
class Step:
    """One command of the history, dated in the world; `label` names what it creates."""

    on: date
    label: str | None
    command: Callable[[Labels], c.Command]
    after: str | None = None  # the label of the step it must follow (a pair's end after its formation)


def enter(registry: Registry, steps: list[Step], labels: Labels | None = None) -> Labels:
    """Send the steps in the order given; every one must be accepted."""
    labels = dict(labels or {})
    for step in steps:
        result = registry.execute(step.command(labels), ADMIN)
        if step.label:
            labels[step.label] = result.aggregate_id  # type: ignore[assignment]
    return labels


def date_order(steps: list[Step]) -> list[Step]:
    """The history as it happened: by world date, an end before a start on the same day."""
    return causal(sorted(steps, key=lambda s: (s.on, s.label is not None)))


def causal(order: list[Step]) -> list[Step]:
    """Any order, with each step moved after the step it needs (an end after its formation)."""
    done: set[str] = set()
    out: list[Step] = []
    waiting = list(order)
    while waiting:
        for index, step in enumerate(waiting):
            if step.after is None or step.after in done:
                out.append(waiting.pop(index))
                if step.label:
                    done.add(step.label)
                break
    return out


def _relabel(value: Any, names: dict[str, str]) -> Any:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    for raw, label in names.items():
        text = text.replace(raw, label)
    return json.loads(text)


def picture(registry: Registry, labels: Labels) -> dict[str, Any]:
    """The pairs and mentors views and the 2020–2021 dynamics report, ids replaced by labels."""
    store = project_until(registry, registry.position())
    try:
        facts = load_facts(store, [Y2020, Y2021])
        seen = {
            "pairs": sorted(view_reads.pairs(store), key=lambda p: json.dumps(p, sort_keys=True, default=str)),
            "mentors": view_reads.mentors(store),
            "report": dynamics_report(facts, Y2020, Y2021),
        }
    finally:
        store.close()
    names = {str(uuid): label for label, uuid in labels.items()}
    for pair in seen["pairs"]:  # pairs are named by their mentees and first day
        names[pair["id"]] = "pair:" + "+".join(
            sorted(names.get(m["mentee_id"], m["mentee_id"]) for m in pair["mentees"])
        ) + f"@{pair['started_on']}"
    relabelled = _relabel(seen, names)
    relabelled["mentors"].sort(key=lambda m: m["full_name"])
    relabelled["pairs"].sort(key=lambda p: p["id"])
    return relabelled
