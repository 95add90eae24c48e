"""Loading a tier through the application: single commands (sampled) and batches.

The steps are cut into chunks: a chunk ends where the command kind changes, where a step refers
to something created in the same chunk (its id is not known before the chunk runs), or at `CHUNK`
steps (the batch's own limit is 1,000 commands and 5,000 events). The first commands of each chunk go one by one through `Registry.execute`
(timed one by one: the single-command rate and latency, sampled across every kind of command),
the rest of the chunk through `Registry.execute_batch` when the registry has it (one unit of
work), sent by the institute's admin as a bulk load or an import is; else one by one as well.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from ops.demo.loader import ADMIN
from ops.demo.steps import Ref, Step
from registry.values import Actor, Role

CHUNK = 1000


@dataclass
class LoadFigures:
    """What the load recorded: the single-command sample and the batched remainder."""

    single_latencies: list[float] = field(default_factory=list)
    single_events: int = 0
    single_seconds: float = 0.0
    batch_commands: int = 0
    batch_events: int = 0
    batch_seconds: float = 0.0
    batches: int = 0
    build_seconds: float = 0.0  # building pydantic commands from the plan, outside the timings
    batch_api: bool = False


def _refs(value: Any) -> Iterator[Ref]:
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _refs(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _refs(v)


def chunks(steps: list[Step], size: int = CHUNK) -> Iterator[list[Step]]:
    current: list[Step] = []
    created: set[Ref] = set()
    for step in steps:
        if current and (
            len(current) >= size
            or step.command is not current[-1].command
            or any(r in created for r in _refs(step.fields))
        ):
            yield current
            current, created = [], set()
        current.append(step)
        if step.creates is not None:
            created.add(step.creates)
    if current:
        yield current


class Loader:
    """Sends steps through one registry, keeping the map from planned refs to the registry's ids."""

    def __init__(self, registry: Any, *, single_share: float, use_batch: bool = True) -> None:
        self.registry = registry
        self.single_share = single_share
        self.use_batch = use_batch and hasattr(registry, "execute_batch")
        self.ids: dict[Ref, UUID] = {}
        self.curators: dict[int, Actor] = {}

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Ref):
            return self.ids[value]
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def actor(self, org: int | None) -> Actor:
        if org is None:
            return ADMIN
        if org not in self.curators:
            self.curators[org] = Actor(
                f"bench-curator-{org + 1}", Role.CURATOR, organization_id=str(self.ids[Ref("org", org)])
            )
        return self.curators[org]

    def load(self, steps: list[Step], figures: LoadFigures | None = None) -> LoadFigures:
        figures = figures or LoadFigures()
        figures.batch_api = self.use_batch
        owed = 0.0  # single commands still owed to the sample, so it spreads over every chunk
        for chunk in chunks(steps):
            owed += len(chunk) * self.single_share
            singles = len(chunk) if not self.use_batch else min(len(chunk), math.floor(owed))
            owed -= singles
            for step in chunk[:singles]:
                self._single(step, figures)
            if singles < len(chunk):
                self._batch(chunk[singles:], figures)
        return figures

    def _single(self, step: Step, figures: LoadFigures) -> None:
        built = time.perf_counter()
        command = step.command(**self.resolve(step.fields))
        who = self.actor(step.org)
        started = time.perf_counter()
        result = self.registry.execute(command, who)
        took = time.perf_counter() - started
        figures.build_seconds += started - built
        figures.single_latencies.append(took)
        figures.single_seconds += took
        figures.single_events += result.events
        if step.creates is not None:
            self.ids[step.creates] = result.aggregate_id

    def _batch(self, chunk: list[Step], figures: LoadFigures) -> None:
        built = time.perf_counter()
        commands = [step.command(**self.resolve(step.fields)) for step in chunk]
        started = time.perf_counter()
        results = self.registry.execute_batch(commands, ADMIN)
        figures.batch_seconds += time.perf_counter() - started
        figures.build_seconds += started - built
        figures.batch_commands += len(chunk)
        figures.batches += 1
        figures.batch_events += sum(r.events for r in results)
        for step, result in zip(chunk, results, strict=True):
            if step.creates is not None:
                self.ids[step.creates] = result.aggregate_id


def summary(figures: LoadFigures) -> dict[str, Any]:
    from ops.bench.memory import pct, rate

    lat = figures.single_latencies
    events = figures.single_events + figures.batch_events
    seconds = figures.single_seconds + figures.batch_seconds
    return {
        "commands": len(lat) + figures.batch_commands,
        "events": events,
        "seconds": round(seconds, 3),
        "events_per_s": rate(events, seconds),
        "build_seconds": round(figures.build_seconds, 3),
        "single_commands": len(lat),
        "single_events": figures.single_events,
        "single_seconds": round(figures.single_seconds, 3),
        "single_events_per_s": rate(figures.single_events, figures.single_seconds),
        "single_commands_per_s": rate(len(lat), figures.single_seconds),
        "latency_p50_ms": round(pct(lat, 0.50) * 1000, 3),
        "latency_p99_ms": round(pct(lat, 0.99) * 1000, 3),
        "latency_mean_ms": round(sum(lat) / len(lat) * 1000, 3) if lat else 0.0,
        "batch_api": figures.batch_api,
        "batches": figures.batches,
        "batch_commands": figures.batch_commands,
        "batch_events": figures.batch_events,
        "batch_seconds": round(figures.batch_seconds, 3),
        "batch_events_per_s": rate(figures.batch_events, figures.batch_seconds),
    }
