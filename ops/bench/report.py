"""The region's dynamics report (2020 vs 2021, every municipality and organization) in each format.

Cold: the facts read from the views (per-organization aggregates of the two periods), the report
built and rendered, nothing kept from before. Warm: the same request again at the same log
position, through the per-process cache the API uses (`projections.report_cache`).
"""

from __future__ import annotations

import time
from typing import Any

from ops.bench.memory import step_memory


def bench_report(store: Any) -> dict[str, Any]:
    """Facts loaded once (timed apart), then report + rendering per format, each timed end to end."""
    from projections.facts import load_facts
    from projections.formats import FORMATS, render
    from projections.formats.json_format import INDENT2
    from projections.periods import Period
    from projections.report import dynamics_report

    figures: dict[str, Any] = {}
    a, b = Period.calendar_year(2020), Period.calendar_year(2021)
    with step_memory(figures):
        started = time.perf_counter()
        facts = load_facts(store, [a, b])
        figures["load_facts_seconds"] = round(time.perf_counter() - started, 4)
        per_format: dict[str, Any] = {}
        for fmt in FORMATS:
            started = time.perf_counter()
            report = dynamics_report(facts, a, b)
            built = time.perf_counter()
            body = render(report, fmt)
            done = time.perf_counter()
            per_format[fmt] = {
                "seconds": round(done - started + figures["load_facts_seconds"], 4),
                "report_seconds": round(built - started, 4),
                "render_seconds": round(done - built, 4),
                "bytes": len(body),
            }
        # The layout JSON reports had before (two-space indent: json's pure-Python encoder).
        started = time.perf_counter()
        indented = render(report, "json", json_layout=INDENT2)
        figures["json_indented_render_seconds"] = round(time.perf_counter() - started, 4)
        figures["json_indented_bytes"] = len(indented)
        figures["position"] = report["position"]
        figures["organizations"] = len(facts.organizations)
        figures["involved_groups"] = sum(len(facts.period(p).involved) for p in (a, b))
        figures["mentees_involved"] = {p.key: sum(facts.period(p).mentees_involved.values()) for p in (a, b)}
        figures["warm"] = _warm(store, a, b)
    figures["formats"] = per_format
    # The headline: what a client asking for the JSON report waits for, cold (facts + report + JSON).
    figures["seconds"] = per_format["json"]["seconds"]
    figures["json_bytes"] = per_format["json"]["bytes"]
    return figures


def _warm(store: Any, a: Any, b: Any) -> dict[str, Any]:
    """The API's path twice: the first fills the per-position cache, the second is served from it."""
    from projections.formats import render
    from projections.report import dynamics_report
    from projections.report_cache import facts_at_head, rendered

    out = {}
    for name in ("first_seconds", "warm_seconds"):
        started = time.perf_counter()
        facts = facts_at_head(store, [a, b])
        rendered(store, facts, ("bench", a, b, None, "json"),
                 lambda facts=facts: render(dynamics_report(facts, a, b), "json"))
        out[name] = round(time.perf_counter() - started, 4)
    return out
