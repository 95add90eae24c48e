"""Time the live projection beside the rebuild, on a store that is kept, alternating the two.

`python -m ops.bench.live_timing --url sqlite:////abs/path [--runs 2] [--backlog N]` (or
`--url postgresql://… --schema S`) on a store built by `ops.bench.region_store`. Each round:

- **rebuild**: `projections.projector.rebuild` from position 0 (scratch, bulk load, swap);
- **live from 0**: the live views emptied (tables dropped and created again with their indexes,
  position 0), then `Projector.catch_up()` over the whole log,
  as `reestr project` would after `reestr init` on a loaded log;
- **live backlog** (`--backlog N`): the views rebuilt, moved back to N events before the head
  (emptied and caught up to there, not timed), then the last N events caught up (timed): a live
  store's own rows as the base;
- with `--no-marks` (once `--no-triggers`), the live runs again without the kept figures'
  marks (`projections.figure_marks`: what they cost per event).

Every figure of a round is measured in the same process on the same store, alternating, so the
machine's noise hits both alike. `--profile live` prints the live catch-up's cProfile to stderr.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any


def _empty_live_views(store: Any) -> None:
    """Live tables dropped and created again (indexes), the live position back to 0."""
    from projections.schema import LIVE_PREFIX, drop_table_statements
    from projections.store import LIVE_TRACKING

    with store.transaction(write=True) as tx:
        for statement in drop_table_statements(LIVE_PREFIX):
            tx.execute(statement)
        tx.execute(f"UPDATE {store.tracking_table} SET notification_id = 0 WHERE application_name = %s",
                   (LIVE_TRACKING,))
    store.setup()


def _catch_up(registry: Any, store: Any, profile: bool, *, marks: bool = True) -> tuple[int, float]:
    from ops.bench.memory import maybe_profile
    from projections import store as store_module
    from projections.projector import Projector

    kept = store_module.FigureMarks
    if not marks:  # the live transactions note no marks (and so write none)
        store_module.FigureMarks = lambda: None  # type: ignore[assignment,misc]
    try:
        started = time.perf_counter()
        with maybe_profile(profile, "live"):
            applied = Projector(registry, store).catch_up()
        return applied, time.perf_counter() - started
    finally:
        store_module.FigureMarks = kept  # type: ignore[misc]


def time_live(registry: Any, store: Any, *, runs: int, backlog: int, marks: bool,
              profile: bool) -> dict[str, Any]:
    from projections.projector import Projector, rebuild

    head = registry.recorder.max_notification_id() or 0
    figures: dict[str, list[float]] = {"rebuild": [], "live_from_0": []}
    if backlog:
        figures["live_backlog"] = []
    if not marks:
        figures["live_from_0_no_marks"] = []
    for round_ in range(runs):
        started = time.perf_counter()
        rebuild(registry, store)
        figures["rebuild"].append(head / (time.perf_counter() - started))

        _empty_live_views(store)
        applied, seconds = _catch_up(registry, store, profile and round_ == 0)
        figures["live_from_0"].append(applied / seconds)

        if not marks:
            _empty_live_views(store)
            applied, seconds = _catch_up(registry, store, False, marks=False)
            figures["live_from_0_no_marks"].append(applied / seconds)

        if backlog:
            _empty_live_views(store)
            Projector(registry, store, upto=head - backlog).catch_up()
            applied, seconds = _catch_up(registry, store, False)
            figures["live_backlog"].append(applied / seconds)
    rebuild(registry, store)  # the store as it was: rebuilt views

    rebuilt = statistics.median(figures["rebuild"])
    out: dict[str, Any] = {"events": head, "runs": runs, "backlog": backlog}
    for name, values in figures.items():
        out[name] = {"events_per_s": [round(v) for v in values], "median": round(statistics.median(values))}
        if name != "rebuild":
            out[name]["ratio_to_rebuild"] = round(statistics.median(values) / rebuilt, 3)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench.live_timing", description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--schema", default=None)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--backlog", type=int, default=0, help="also time a catch-up of the last N events")
    parser.add_argument("--no-marks", "--no-triggers", dest="no_marks", action="store_true",
                        help="also time live without the kept figures' marks")
    parser.add_argument("--profile", choices=["live"], default=None)
    args = parser.parse_args(argv)
    from ops.bench.region_store import kept_store

    with kept_store(args.url, args.schema) as (registry, store):
        print(json.dumps(time_live(registry, store, runs=args.runs, backlog=args.backlog,
                                   marks=not args.no_marks, profile=args.profile == "live")), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
