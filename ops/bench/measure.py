"""The benchmark itself: load a tier through the registry, rebuild the views, run a report.

Every figure is measured beside a raw baseline in the same run (see `baselines.py`). No figure
is asserted anywhere: this records what a machine does, it does not judge it.

Tiers are generators of demo-planner steps. `tiny` is a prefix of the demo plan (every reference
in a prefix is created before it is used, so it loads as is); `demo` is the whole demo region
(~11k events). A `region` tier (~1,000,000 events) is declared but not built yet: it needs a
planner that draws many regions' worth of units (for example `plan_region` run with ~90 seeds,
each into its own municipality names) and a loader that keeps its id map bounded.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from ops.bench import baselines
from ops.demo.loader import ADMIN
from ops.demo.plan import plan_region
from ops.demo.steps import Ref, Step
from ops.storage import (
    ensure_schema,
    open_registry,
    parse_database_url,
    postgres_connect_kwargs,
)
from registry.values import Actor, Role

TODAY = date(2023, 6, 1)  # after the demo's last day, as the loader requires
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
SEED = 2021


@dataclass(frozen=True)
class Tier:
    """A named workload: the ordered steps to send through the registry."""

    name: str
    description: str
    steps: Callable[[], list[Step]]


def demo_steps(limit: int | None = None, seed: int = SEED) -> list[Step]:
    ordered = sorted(plan_region(random.Random(seed)), key=lambda s: (s.on, s.phase, s.seq))
    return ordered if limit is None else ordered[:limit]


def _region_steps() -> list[Step]:
    raise NotImplementedError("the region tier (~1,000,000 events) is not built yet")


TIERS: dict[str, Tier] = {
    "tiny": Tier("tiny", "first 300 steps of the demo plan (a few hundred events)", lambda: demo_steps(300)),
    "demo": Tier("demo", "the whole demo region (seed 2021)", demo_steps),
    "region": Tier("region", "~1,000,000 events (not built yet)", _region_steps),
}


# -- helpers ----------------------------------------------------------------------------------


def _maxrss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(rss / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


@contextmanager
def _memory(figures: dict[str, Any]) -> Iterator[None]:
    """Peak RSS of the process after the step, and how much the step raised it."""
    before = _maxrss_mib()
    yield
    after = _maxrss_mib()
    figures["peak_rss_mib"] = after
    figures["peak_rss_growth_mib"] = round(after - before, 1)


@contextmanager
def _maybe_profile(enabled: bool, label: str) -> Iterator[None]:
    if not enabled:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(f"--- cProfile: {label} ---\n{out.getvalue()}", file=sys.stderr)


def _ratio(app: float, raw: float) -> float | None:
    return round(app / raw, 4) if raw else None


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# -- the steps --------------------------------------------------------------------------------


def _run_commands(registry: Any, steps: list[Step]) -> tuple[list[float], int]:
    """Send each step through `Registry.execute`; the latency of each, and events recorded."""
    ids: dict[Ref, UUID] = {}
    curators: dict[int, Actor] = {}

    def resolve(value: Any) -> Any:
        if isinstance(value, Ref):
            return ids[value]
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return value

    def actor(org: int | None) -> Actor:
        if org is None:
            return ADMIN
        if org not in curators:
            curators[org] = Actor(
                f"demo-curator-{org + 1}", Role.CURATOR, organization_id=str(ids[Ref("org", org)])
            )
        return curators[org]

    first = registry.position()
    latencies: list[float] = []
    for step in steps:
        command = step.command(**resolve(step.fields))
        who = actor(step.org)
        started = time.perf_counter()
        result = registry.execute(command, who)
        latencies.append(time.perf_counter() - started)
        if step.creates is not None:
            ids[step.creates] = result.aggregate_id
    return latencies, registry.position() - first


def bench_store(kind: str, tier: Tier, *, postgres_url: str = DEFAULT_POSTGRES_URL,
                workdir: Path | None = None, profile: str | None = None) -> dict[str, Any]:
    """Every figure of one store kind, on a fresh store dropped afterwards."""
    from ops.logs import configure_logging

    configure_logging("warning")
    steps = tier.steps()
    tmp = tempfile.TemporaryDirectory(prefix="reestr-bench-") if workdir is None else None
    root = Path(tmp.name) if tmp else workdir
    assert root is not None
    schema = f"reestr_bench_{uuid.uuid4().hex[:12]}"
    if kind == "sqlite":
        db_path = str(root / f"bench-{uuid.uuid4().hex[:8]}.sqlite3")
        url, schema_arg = f"sqlite:///{db_path}", None
    else:
        url, schema_arg = postgres_url, schema
    location = parse_database_url(url, schema_arg)
    pg: Any = None
    registry = store = None
    try:
        if kind == "postgres":
            import psycopg

            ensure_schema(location)
            connect: Any = postgres_connect_kwargs(location)
            pg = psycopg.connect(**connect, options=f"-c search_path={schema}")
        registry = open_registry(url, schema_arg, clock=lambda: TODAY)
        result: dict[str, Any] = {"store": kind, "steps": len(steps)}
        if kind == "postgres":
            result["server_version"] = pg.execute("SHOW server_version").fetchone()[0]
        table = "stored_events" if kind == "sqlite" else f"{registry.name.lower()}_events"

        # 1. commands through the application, beside a raw batched insert of the same rows
        commands: dict[str, Any] = {}
        with _memory(commands), _maybe_profile(profile == "commands", "commands"):
            started = time.perf_counter()
            latencies, events = _run_commands(registry, steps)
            seconds = time.perf_counter() - started
        first_id = registry.position() - events
        rows = [r for r in _rows(kind, db_path if kind == "sqlite" else pg, table)][-events:] if events else []
        raw_seconds = (
            baselines.raw_insert_sqlite(str(root / "raw.sqlite3"), rows)
            if kind == "sqlite"
            else baselines.raw_insert_postgres(pg, rows)
        )
        app_rate = events / seconds if seconds else 0.0
        raw_rate = len(rows) / raw_seconds if raw_seconds else 0.0
        commands.update(
            commands=len(steps),
            events=events,
            first_position=first_id,
            seconds=round(seconds, 3),
            events_per_s=round(app_rate, 1),
            commands_per_s=round(len(steps) / seconds, 1) if seconds else 0.0,
            latency_p50_ms=round(_pct(latencies, 0.50) * 1000, 3),
            latency_p99_ms=round(_pct(latencies, 0.99) * 1000, 3),
            latency_mean_ms=round(statistics.fmean(latencies) * 1000, 3) if latencies else 0.0,
            mean_state_bytes=round(statistics.fmean(len(r[3]) for r in rows), 1) if rows else 0.0,
            raw_rows=len(rows),
            raw_batch=baselines.RAW_BATCH,
            raw_seconds=round(raw_seconds, 4),
            raw_events_per_s=round(raw_rate, 1),
            ratio_app_to_raw=_ratio(app_rate, raw_rate),
        )
        result["commands"] = commands

        # 2. projection rebuild from position 0, beside a raw read-and-decode scan
        from projections.projector import rebuild
        from projections.store import open_view_store

        rebuild_fig: dict[str, Any] = {}
        store = open_view_store(registry)
        with _memory(rebuild_fig), _maybe_profile(profile == "rebuild", "rebuild"):
            started = time.perf_counter()
            position = rebuild(registry, store)
            seconds = time.perf_counter() - started
        records = len(_rows(kind, db_path if kind == "sqlite" else pg, table))
        if kind == "sqlite":
            raw_seconds, scanned = baselines.raw_scan_sqlite(db_path, table)
        else:
            raw_seconds, scanned = baselines.raw_scan_postgres(pg, table)
        app_rate = records / seconds if seconds else 0.0
        raw_rate = scanned / raw_seconds if raw_seconds else 0.0
        rebuild_fig.update(
            position=position,
            records=records,
            seconds=round(seconds, 3),
            events_per_s=round(app_rate, 1),
            raw_records=scanned,
            raw_seconds=round(raw_seconds, 4),
            raw_events_per_s=round(raw_rate, 1),
            ratio_app_to_raw=_ratio(app_rate, raw_rate),
        )
        result["rebuild"] = rebuild_fig

        # 3. the dynamics report (JSON) at the loaded tier
        from projections.facts import load_facts
        from projections.periods import Period
        from projections.report import dynamics_report

        report_fig: dict[str, Any] = {}
        with _memory(report_fig), _maybe_profile(profile == "report", "report"):
            started = time.perf_counter()
            facts = load_facts(store)
            loaded = time.perf_counter()
            report = dynamics_report(facts, Period.school_year(2021), Period.school_year(2022))
            text = json.dumps(report, ensure_ascii=False, default=str)
            done = time.perf_counter()
        report_fig.update(
            seconds=round(done - started, 4),
            load_facts_seconds=round(loaded - started, 4),
            report_and_json_seconds=round(done - loaded, 4),
            json_bytes=len(text.encode()),
            position=report["position"],
        )
        result["report"] = report_fig
        return result
    finally:
        if store is not None:
            store.close()
        if registry is not None:
            registry.close()
        if pg is not None:
            pg.close()
        if kind == "postgres":
            import psycopg
            from psycopg import sql

            admin: Any = postgres_connect_kwargs(location)
            with psycopg.connect(**admin, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        if tmp is not None:
            tmp.cleanup()


def _rows(kind: str, target: Any, table: str) -> list[baselines.Row]:
    rows = baselines.stored_rows(kind, target, table)
    if kind == "postgres":
        target.commit()
    return rows


def run_bench(stores: list[str], tier_name: str, *, postgres_url: str = DEFAULT_POSTGRES_URL,
              workdir: Path | None = None, profile: str | None = None) -> dict[str, Any]:
    """The whole result document: machine, tier, and the figures of each store."""
    import importlib.metadata
    import platform

    tier = TIERS[tier_name]
    return {
        "tier": tier.name,
        "tier_description": tier.description,
        "seed": SEED,
        "machine": {
            "cpus": __import__("os").cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "eventsourcing": importlib.metadata.version("eventsourcing"),
        },
        "stores": {
            kind: bench_store(kind, tier, postgres_url=postgres_url, workdir=workdir, profile=profile)
            for kind in stores
        },
    }
