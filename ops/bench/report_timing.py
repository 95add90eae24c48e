"""Time the region's dynamics report (JSON, 2020 vs 2021) on a store that is kept, cold and warm.

`python -m ops.bench.report_timing --url postgresql://postgres@127.0.0.1:5432/test --schema S
[--runs 5]` on a store built by `ops.bench.region_store`. Cold: facts read, report built, JSON
rendered, with nothing cached by the process (the database's own buffers are warm, as in a
running server), in three states of the kept year figures (`projections.kept_figures`): none
kept (the first report after a rebuild), kept and untouched, and kept right after a write to
the largest organization (marked stale, as a change to one of its pairs marks it).
Warm: the same request at the same log position through the per-process cache.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any


def time_report(store: Any, runs: int) -> dict[str, Any]:
    from projections.facts import load_facts
    from projections.formats import render
    from projections.periods import Period
    from projections.report import dynamics_report
    from projections.report_cache import facts_at_head, rendered

    a, b = Period.calendar_year(2020), Period.calendar_year(2021)

    def request() -> dict[str, float]:
        started = time.perf_counter()
        facts = load_facts(store, [a, b])
        loaded = time.perf_counter()
        report = dynamics_report(facts, a, b)
        built = time.perf_counter()
        render(report, "json")
        done = time.perf_counter()
        return {"facts": loaded - started, "report": built - loaded, "json": done - built, "total": done - started}

    states = {"nothing_kept": lambda: _forget_kept(store), "kept": lambda: None,
              "after_write": lambda: _touch_largest_organization(store)}
    cold: dict[str, list[dict[str, float]]] = {state: [] for state in states}
    for state, prepare in states.items():
        for _ in range(runs):
            prepare()
            cold[state].append(request())
    facts = load_facts(store, [a, b])
    body = render(dynamics_report(facts, a, b), "json")
    warm = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        facts = facts_at_head(store, [a, b])
        rendered(store, facts, ("timing", a, b, None, "json"),
                 lambda facts=facts: render(dynamics_report(facts, a, b), "json"))
        warm.append(time.perf_counter() - started)

    def summary(values: list[float]) -> dict[str, float]:
        return {"min": round(min(values), 4), "median": round(statistics.median(values), 4)}

    return {
        "position": facts.position,
        "organizations": len(facts.organizations),
        "mentees_involved": {p.key: sum(facts.period(p).mentees_involved.values()) for p in (a, b)},
        "involved_groups": {p.key: len(facts.period(p).involved) for p in (a, b)},
        "json_bytes": len(body),
        "cold": {state: {name: summary([run[name] for run in runs_of]) for name in ("facts", "report", "json", "total")}
                 for state, runs_of in cold.items()},
        "warm_first_seconds": round(warm[0], 4),  # fills the cache: a cold request
        "warm": summary(warm[1:]),
    }


def _forget_kept(store: Any) -> None:
    with store.transaction(write=True) as tx:
        tx.execute("DELETE FROM {p}figures_kept")
        tx.execute("DELETE FROM {p}figures_periods")


def _touch_largest_organization(store: Any) -> None:
    """Rewrite one pair of the organization with most pairs as it is, marking it stale as the
    projector marks a pair it writes (`projections.figure_marks`)."""
    from projections.figure_marks import of_pair

    with store.transaction(write=True) as tx:
        (org_id,), = tx.rows("SELECT organization_id FROM {p}pairs GROUP BY organization_id "
                             "ORDER BY COUNT(*) DESC LIMIT 1")
        (pair_id,), = tx.rows("SELECT MIN(id) FROM {p}pairs WHERE organization_id = %s", (org_id,))
        tx.execute("UPDATE {p}pairs SET ended_on = ended_on WHERE id = %s", (pair_id,))
        of_pair(tx, pair_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench.report_timing", description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--schema", default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    from ops.bench.region_store import kept_store

    with kept_store(args.url, args.schema) as (_, store):
        print(json.dumps(time_report(store, args.runs), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
