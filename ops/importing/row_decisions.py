"""A row's decisions: its command ids (its content, hashed), its steps decided in order on a
batch, a refusal placed at its column; and the rows the check decided, cut into chunks of whole
rows for the write (`ops.importing.run`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ops.importing.columns import Kind
from ops.importing.rows import Prior, RowPlan, Step
from registry.application import CommandResult
from registry.batch import RegistryBatch
from registry.errors import RegistryError
from registry.validation import parse_command
from registry.values import Actor

# A batch is closed at a row's end once it holds this much: far below the batch's own limits
# (registry/batch.py), since one row adds only a handful of commands and events.
BATCH_COMMANDS = 300
BATCH_EVENTS = 2000
_PLACEHOLDER = UUID(int=0)


def command_ids(kind: Kind, plan: RowPlan) -> list[str]:
    """The command id of each step: the row's content, normalized, hashed."""
    def plain(value: Any) -> Any:
        if isinstance(value, Prior):
            return {"prior": value.step}
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)

    content = [kind.name, [[s.name, s.command.__name__, plain(s.data)] for s in plan.steps]]
    body = json.dumps(content, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(body.encode()).hexdigest()[:40]
    return [f"import:{kind.name}:{digest}:{s.name}" for s in plan.steps]


def fill(value: Any, results: dict[str, CommandResult] | None) -> Any:
    if isinstance(value, Prior):
        return results[value.step].aggregate_id if results is not None else _PLACEHOLDER
    if isinstance(value, dict):
        return {k: fill(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, results) for v in value]
    return value


def refusal(step: Step, error: RegistryError) -> list[tuple[str | None, str]]:
    if error.problems:
        return [(step.column_of(p.field), p.message) for p in error.problems]
    return [(step.anchor, error.message)]


def run_row(
    batch: RegistryBatch, plan: RowPlan, ids: list[str], actor: Actor, known_new: frozenset[str] = frozenset()
) -> tuple[list[CommandResult], list[tuple[str | None, str]]]:
    """Decide a row's steps in order; stop at the first refusal and say where it lands."""
    results: dict[str, CommandResult] = {}
    done: list[CommandResult] = []
    for step, command_id in zip(plan.steps, ids, strict=True):
        try:
            command = parse_command(step.command, {**fill(step.data, results), "command_id": command_id})
            result = batch.execute(command, actor, known_new=command_id in known_new)
        except RegistryError as error:
            return done, refusal(step, error)
        results[step.name] = result
        done.append(result)
    return done, []


@dataclass(frozen=True)
class DecidedRow:
    """A checked row's span of the check's kept events, and what its commands came to."""

    number: int
    start: int
    end: int
    commands: int
    replayed: bool  # every command answered from its record: nothing to record


def chunks(rows: list[DecidedRow]) -> list[list[DecidedRow]]:
    """The decided rows in order, cut at row ends into chunks a transaction takes."""
    chunks: list[list[DecidedRow]] = []
    current: list[DecidedRow] = []
    events = commands = 0
    for row in rows:
        if current and (events + row.end - row.start > BATCH_EVENTS or commands + row.commands > BATCH_COMMANDS):
            chunks.append(current)
            current, events, commands = [], 0, 0
        current.append(row)
        events += row.end - row.start
        commands += row.commands
    if current:
        chunks.append(current)
    return chunks
