"""The region's dynamics report (2020 vs 2021, every municipality and organization) in each format."""

from __future__ import annotations

import time
from typing import Any

from ops.bench.memory import step_memory


def bench_report(store: Any) -> dict[str, Any]:
    """Facts loaded once (timed apart), then report + rendering per format, each timed end to end."""
    from projections.facts import load_facts
    from projections.formats import FORMATS, render
    from projections.periods import Period
    from projections.report import dynamics_report

    figures: dict[str, Any] = {}
    with step_memory(figures):
        started = time.perf_counter()
        facts = load_facts(store)
        figures["load_facts_seconds"] = round(time.perf_counter() - started, 4)
        a, b = Period.calendar_year(2020), Period.calendar_year(2021)
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
        # The same report as compact JSON: the C encoder (json skips it whenever `indent` is set).
        import json

        started = time.perf_counter()
        compact = json.dumps(report, ensure_ascii=False, separators=(",", ":")).encode()
        figures["json_compact_render_seconds"] = round(time.perf_counter() - started, 4)
        figures["json_compact_bytes"] = len(compact)
        figures["position"] = report["position"]
        figures["organizations"] = len(facts.organizations)
        figures["mentees"] = len(facts.mentees)
        figures["pairs"] = len(facts.pairs)
    figures["formats"] = per_format
    # The headline: what a client asking for the JSON report waits for (facts + report + JSON).
    figures["seconds"] = per_format["json"]["seconds"]
    figures["json_bytes"] = per_format["json"]["bytes"]
    return figures
