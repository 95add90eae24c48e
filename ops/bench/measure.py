"""The benchmark of one store kind: every step on a fresh store, each beside its raw baseline.

Steps: (1) the tier's commands through the application (single commands sampled, the rest in
batches) beside a raw batched insert of the same rows; bulk import through `import_file` beside
the same raw insert; (2) the projection rebuild from position 0 beside a raw scan-and-decode;
(3) the dynamics report in every format; (4) the public search under concurrent clients at the
tier's mentors and at five times as many; (5) the peak memory of each step. No figure is asserted
anywhere: this records what a machine does, it does not judge it.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ops.bench import baselines
from ops.bench.load import Loader, summary
from ops.bench.memory import maybe_profile, rate, ratio, step_memory
from ops.bench.tiers import SEED, TIERS, more_mentors, region_steps
from ops.storage import (
    ensure_schema,
    open_registry,
    parse_database_url,
    postgres_connect_kwargs,
)

TODAY = date(2023, 6, 1)  # after the data's last day: dates of the world are never in the future
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
SINGLE_SAMPLE = 3000
CATCH_UP_LIMIT = 20_000  # more new mentors than this: views rebuilt from 0 instead of caught up  # commands sent one by one when batches are available


@dataclass(frozen=True)
class Options:
    tier: str = "demo"
    scale: float = 1.0
    postgres_url: str = DEFAULT_POSTGRES_URL
    profile: str | None = None
    search: bool = True
    search_clients: int = 50
    search_requests: int = 5000
    search_seconds: float = 60.0
    import_rows: int = 2000
    staff_pages: bool = True
    staff_runs: int = 20


@dataclass
class Store:
    """One fresh store: the registry on it and plain connections for the baselines."""

    kind: str
    url: str
    schema: str | None
    registry: Any
    read_target: Any  # the SQLite path, or a psycopg connection reading the log
    raw_target: Any  # a SQLite path for the raw table, or another psycopg connection
    table: str


@contextmanager
def fresh_store(kind: str, root: Path, postgres_url: str) -> Iterator[Store]:
    """A new SQLite file or PostgreSQL schema, dropped afterwards."""
    schema = f"reestr_bench_{uuid.uuid4().hex[:12]}" if kind == "postgres" else None
    url = f"sqlite:///{root / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}" if kind == "sqlite" else postgres_url
    location = parse_database_url(url, schema)
    conns: list[Any] = []
    registry = None
    try:
        if kind == "postgres":
            import psycopg

            ensure_schema(location)
            connect: Any = postgres_connect_kwargs(location)
            conns = [psycopg.connect(**connect, options=f"-c search_path={schema}") for _ in range(2)]
        # Built by the composition root like every entrypoint; the views are timed on their own.
        registry = open_registry(url, schema, clock=lambda: TODAY, views=False)
        if kind == "sqlite":
            path = str(location.sqlite_path)
            yield Store(kind, url, None, registry, path, str(root / f"raw-{uuid.uuid4().hex[:8]}.sqlite3"),
                        "stored_events")
        else:
            yield Store(kind, url, schema, registry, conns[0], conns[1], f"{registry.name.lower()}_events")
    finally:
        if registry is not None:
            registry.close()
        for conn in conns:
            conn.close()
        if kind == "postgres":
            import psycopg
            from psycopg import sql

            admin: Any = postgres_connect_kwargs(location)
            with psycopg.connect(**admin, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def raw_insert(store: Store, first: int) -> tuple[float, int, int]:
    batches = baselines.stored_batches(store.kind, store.read_target, store.table, first)
    if store.kind == "sqlite":
        return baselines.raw_insert_sqlite(store.raw_target, batches)
    return baselines.raw_insert_postgres(store.raw_target, batches)


def store_size(store: Store) -> dict[str, Any]:
    """Bytes on disk of the events (with their indexes) and of everything in the store."""
    import os

    if store.kind == "sqlite":
        path = store.read_target
        total = sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
        return {"total_bytes": total}
    conn = store.read_target
    events = conn.execute("SELECT pg_total_relation_size(%s)", (store.table,)).fetchone()[0]
    total = conn.execute(
        "SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
        (store.schema,),
    ).fetchone()[0]
    conn.commit()
    return {"events_bytes": int(events), "total_bytes": int(total)}


def bench_store(kind: str, opts: Options) -> dict[str, Any]:
    from ops.logs import configure_logging

    configure_logging("warning")
    tier = TIERS[opts.tier]
    with tempfile.TemporaryDirectory(prefix="reestr-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        steps = tier.steps(opts.scale)
        result: dict[str, Any] = {"store": kind, "steps": len(steps),
                                  "generate_seconds": round(time.perf_counter() - started, 2)}
        with fresh_store(kind, root, opts.postgres_url) as store:
            if kind == "postgres":
                result["server_version"] = store.read_target.execute("SHOW server_version").fetchone()[0]
                store.read_target.commit()
            result.update(_main_steps(store, steps, opts))
            if opts.import_rows:  # into the loaded region: an import must not cost the log's size
                result["import"] = _import_step(store, root, steps, opts)
    return result


def _main_steps(store: Store, steps: list[Any], opts: Options) -> dict[str, Any]:
    out: dict[str, Any] = {}
    registry = store.registry

    # 1. commands through the application, beside a raw batched insert of the same rows
    single_share = min(1.0, SINGLE_SAMPLE / max(1, len(steps)))
    loader = Loader(registry, single_share=single_share)
    commands: dict[str, Any] = {}
    first = registry.position() + 1
    with step_memory(commands), maybe_profile(opts.profile == "commands", "commands"):
        commands.update(summary(loader.load(steps)))
    raw_seconds, raw_rows, raw_bytes = raw_insert(store, first)
    raw_rate = rate(raw_rows, raw_seconds)
    commands.update(
        mean_state_bytes=round(raw_bytes / raw_rows, 1) if raw_rows else 0.0,
        raw_rows=raw_rows, raw_batch=baselines.RAW_BATCH, raw_seconds=round(raw_seconds, 4),
        raw_events_per_s=raw_rate,
        ratio_app_to_raw=ratio(commands["events_per_s"], raw_rate),
        ratio_single_to_raw=ratio(commands["single_events_per_s"], raw_rate),
        ratio_batch_to_raw=ratio(commands["batch_events_per_s"], raw_rate) if commands["batch_events"] else None,
    )
    out["commands"] = commands

    # 2. projection rebuild from position 0, beside a raw read-and-decode scan
    from projections.projector import rebuild
    from projections.store import open_view_store

    views = open_view_store(registry)
    try:
        rebuilt: dict[str, Any] = {}
        with step_memory(rebuilt), maybe_profile(opts.profile == "rebuild", "rebuild"):
            started = time.perf_counter()
            position = rebuild(registry, views)
            seconds = time.perf_counter() - started
        records = baselines.count_rows(store.kind, store.read_target, store.table)
        if store.kind == "sqlite":
            raw_seconds, scanned = baselines.raw_scan_sqlite(store.read_target, store.table)
        else:
            raw_seconds, scanned = baselines.raw_scan_postgres(store.read_target, store.table)
        app_rate, raw_rate = rate(records, seconds), rate(scanned, raw_seconds)
        rebuilt.update(position=position, records=records, seconds=round(seconds, 3), events_per_s=app_rate,
                       raw_records=scanned, raw_seconds=round(raw_seconds, 4), raw_events_per_s=raw_rate,
                       ratio_app_to_raw=ratio(app_rate, raw_rate))
        out["rebuild"] = rebuilt
        out["store_size"] = store_size(store)  # events and views, before the search's extra mentors

        # 3. the dynamics report in every format
        from ops.bench.report import bench_report

        with maybe_profile(opts.profile == "report", "report"):
            out["report"] = bench_report(views)

        # 3b. the staff workspace's main pages, signed in per role, beside the API's reads
        if opts.staff_pages:
            from ops.bench.staff_pages import bench_staff_pages

            out["staff_pages"] = bench_staff_pages(store.registry, views, opts.staff_runs)

        # 4. the public search at the tier's mentors, then at five times as many
        if opts.search:
            out["search"] = _search_step(store, loader, views, steps, opts)
    finally:
        views.close()
    return out


def _search_step(store: Store, loader: Loader, views: Any, steps: list[Any], opts: Options) -> list[dict[str, Any]]:
    from ops.bench.search import bench_search
    from projections.projector import Projector
    from registry import commands as c

    mentors = sum(1 for s in steps if s.command is c.SubmitMentorApplication)
    organizations = sum(1 for s in steps if s.command is c.RegisterOrganization)
    runs = []
    for target in (mentors, 5 * mentors):
        if target > mentors:
            extra: dict[str, Any] = {}
            with step_memory(extra):
                topup = loader.load(more_mentors(mentors, target - mentors, organizations))
                started = time.perf_counter()
                if target - mentors > CATCH_UP_LIMIT:  # a rebuild from 0 outruns the live catch-up
                    from projections.projector import rebuild

                    rebuild(store.registry, views)
                    extra["views_by"] = "rebuild"
                else:
                    Projector(store.registry, views).catch_up()
                    extra["views_by"] = "catch_up"
                extra["catch_up_seconds"] = round(time.perf_counter() - started, 3)
            extra["load_seconds"] = round(topup.single_seconds + topup.batch_seconds, 3)
            extra["events"] = topup.single_events + topup.batch_events
            extra["catch_up_events_per_s"] = rate(extra["events"], extra["catch_up_seconds"])
            mentors = target
        else:
            extra = {}
        figures: dict[str, Any] = {}
        with step_memory(figures):
            figures.update(bench_search(store.url, store.schema, mentors, clients=opts.search_clients,
                                        requests=opts.search_requests, seconds=opts.search_seconds,
                                        profile=opts.profile == "search"))
        if extra:
            figures["grown_by"] = extra
        runs.append(figures)
    return runs


def _import_step(store: Store, root: Path, steps: list[Any], opts: Options) -> dict[str, Any]:
    from ops.bench.imports import bench_import
    from registry import commands as c

    if opts.tier != "region":  # the files name the region tier's organizations: register them
        steps = [s for s in region_steps(0.001) if s.command in (c.RegisterMunicipality, c.RegisterOrganization)]
        Loader(store.registry, single_share=0.0).load(steps)
    organizations = sum(1 for s in steps if s.command is c.RegisterOrganization)
    figures: dict[str, Any] = {"log_events_before": store.registry.position()}
    with step_memory(figures), maybe_profile(opts.profile == "import", "import"):
        figures.update(bench_import(store.registry, store.kind, store.raw_target, store.read_target,
                                    store.table, root, opts.import_rows, organizations, SEED))
    return figures


def run_bench(stores: list[str], opts: Options) -> dict[str, Any]:
    """The whole result document: machine, tier, and the figures of each store."""
    import importlib.metadata
    import os
    import platform

    tier = TIERS[opts.tier]
    started = time.perf_counter()
    result: dict[str, Any] = {
        "tier": tier.name,
        "tier_description": tier.description,
        "scale": opts.scale if tier.name == "region" else None,
        "seed": SEED,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "eventsourcing": importlib.metadata.version("eventsourcing"),
            "memory_gib": _memory_gib(),
        },
        "options": {k: v for k, v in opts.__dict__.items() if k != "postgres_url"},
        "stores": {kind: bench_store(kind, opts) for kind in stores},
    }
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    return result


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            return round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        return None
