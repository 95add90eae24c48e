"""Build the region tier once into a store that is kept (not dropped), for timing the report.

`python -m ops.bench.region_store --scale 1.0 --url postgresql://postgres@127.0.0.1:5432/test
--schema reestr_region_full`: the tier's steps through `Registry.execute_batch` (no single-command
sample, nothing timed but the whole), then the views rebuilt from position 0. The store stays, so
`ops.bench.report_timing` can time the report on it cold and warm as often as needed.
"""

from __future__ import annotations

import argparse
import time

from ops.bench.load import Loader, summary
from ops.bench.measure import TODAY
from ops.bench.tiers import region_steps
from ops.storage import ensure_schema, open_registry, parse_database_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench.region_store", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--url", required=True, help="sqlite:////abs/path or postgresql://…")
    parser.add_argument("--schema", default=None, help="PostgreSQL schema (created; must be empty)")
    args = parser.parse_args(argv)
    from ops.logs import configure_logging
    from projections.projector import rebuild
    from projections.store import open_view_store

    configure_logging("warning")
    location = parse_database_url(args.url, args.schema)
    if args.schema:
        ensure_schema(location)
    registry = open_registry(args.url, args.schema, clock=lambda: TODAY)
    try:
        if registry.position() > 1000:  # more than the seeded reference lists: already loaded
            raise SystemExit(f"the store already holds {registry.position()} events")
        steps = region_steps(args.scale)
        print(f"{len(steps):,} steps", flush=True)
        loaded = summary(Loader(registry, single_share=0.0).load(steps))
        print(f"loaded {loaded['events']:,} events in {loaded['seconds']} s", flush=True)
        views = open_view_store(registry)
        started = time.perf_counter()
        position = rebuild(registry, views)
        views.close()
        print(f"views rebuilt to {position} in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        registry.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
