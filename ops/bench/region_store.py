"""Build the region tier once into a store that is kept (not dropped), for timing the report.

`python -m ops.bench.region_store --scale 1.0 --url postgresql://postgres@127.0.0.1:5432/test
--schema reestr_region_full`: the tier's steps through `Registry.execute_batch` (no single-command
sample, nothing timed but the whole), then the views rebuilt from position 0. The store stays, so
`ops.bench.report_timing` can time the report on it cold and warm as often as needed.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ops.bench.load import Loader, summary
from ops.bench.measure import TODAY
from ops.bench.tiers import region_steps
from ops.storage import ensure_schema, open_registry, parse_database_url


def build_kept_store(url: str, schema: str | None, steps: list[Any]) -> dict[str, Any]:
    """Load `steps` through `execute_batch` into a new store that stays, then rebuild its views."""
    from projections.projector import rebuild
    from projections.store import open_view_store

    location = parse_database_url(url, schema)
    if schema:
        ensure_schema(location)
    registry = open_registry(url, schema, clock=lambda: TODAY, views=False)  # views rebuilt below
    try:
        if registry.position() > 1000:  # more than the seeded reference lists: already loaded
            raise SystemExit(f"the store already holds {registry.position()} events")
        loaded = summary(Loader(registry, single_share=0.0).load(steps))
        views = open_view_store(registry)
        started = time.perf_counter()
        position = rebuild(registry, views)
        views.close()
        return {"events": loaded["events"], "load_seconds": loaded["seconds"], "position": position,
                "rebuild_seconds": round(time.perf_counter() - started, 1)}
    finally:
        registry.close()


@contextmanager
def kept_store(url: str, schema: str | None) -> Iterator[tuple[Any, Any]]:
    """(registry, its view store) of a store built here, quiet logs; both closed after."""
    from ops.logs import configure_logging
    from projections.store import open_view_store

    configure_logging("warning")
    registry = open_registry(url, schema, clock=lambda: TODAY, views=False)
    try:
        views = open_view_store(registry)
        try:
            yield registry, views
        finally:
            views.close()
    finally:
        registry.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench.region_store", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--url", required=True, help="sqlite:////abs/path or postgresql://…")
    parser.add_argument("--schema", default=None, help="PostgreSQL schema (created; must be empty)")
    args = parser.parse_args(argv)
    from ops.logs import configure_logging

    configure_logging("warning")
    steps = region_steps(args.scale)
    print(f"{len(steps):,} steps", flush=True)
    print(json.dumps(build_kept_store(args.url, args.schema, steps)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
