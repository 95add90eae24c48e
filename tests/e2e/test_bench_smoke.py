"""The benchmark harness runs end to end on a tiny tier (SQLite) and reports every figure.

Only the presence of figures and ratios is checked, never their values: no timed assertions.
"""

from __future__ import annotations

import json
from pathlib import Path

from ops.bench.__main__ import main, rows
from ops.bench.tiers import region_sizes, region_steps

FIGURES = {
    "commands": (
        "events", "seconds", "events_per_s", "single_events_per_s", "latency_p50_ms", "latency_p99_ms",
        "raw_events_per_s", "ratio_app_to_raw", "ratio_single_to_raw", "peak_rss_mib", "peak_rss_growth_mib",
    ),
    "import": ("events", "seconds", "events_per_s", "raw_events_per_s", "ratio_app_to_raw", "peak_rss_mib"),
    "rebuild": (
        "records", "seconds", "events_per_s", "raw_events_per_s", "ratio_app_to_raw",
        "peak_rss_mib", "peak_rss_growth_mib",
    ),
    "report": ("seconds", "load_facts_seconds", "json_bytes", "peak_rss_mib", "peak_rss_growth_mib"),
}
SEARCH = ("mentors_loaded", "published", "server_processes", "peak_rss_mib")
SEARCH_RUN = ("requests", "requests_per_s", "p50_ms", "p99_ms", "hit_rate", "client_cpu_s", "server_cpu_s")


def test_bench_tiny_sqlite_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    argv = ["--store", "sqlite", "--tier", "tiny", "-o", str(out), "--no-table",
            "--clients", "5", "--requests", "40", "--seconds", "5", "--import-rows", "10",
            "--search-workers", "2", "--staff-runs", "2"]
    assert main(argv) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["tier"] == "tiny"
    assert set(result["stores"]) == {"sqlite"}
    figures = result["stores"]["sqlite"]
    for step, keys in FIGURES.items():
        for key in keys:
            assert isinstance(figures[step].get(key), int | float), f"{step}.{key} missing"
    for fmt in ("json", "csv", "xlsx", "html"):
        assert figures["report"]["formats"][fmt]["bytes"] > 0
    assert len(figures["search"]) == 2
    for run in figures["search"]:
        for key in SEARCH:
            assert isinstance(run.get(key), int | float), f"search.{key} missing"
        assert run["server_processes"] == 2
        for mix in ("cached", "uncached"):
            for key in SEARCH_RUN:
                assert isinstance(run[mix].get(key), int | float), f"search.{mix}.{key} missing"
            assert run[mix]["errors"] == 0
        assert run["uncached"]["hit_rate"] == 0  # every question asked once: nothing to reuse
    assert figures["search"][1]["mentors_loaded"] == 5 * figures["search"][0]["mentors_loaded"]
    assert figures["commands"]["events"] > 0
    assert figures["rebuild"]["records"] == figures["rebuild"]["raw_records"]
    staff = figures["staff_pages"]  # every role signed in and read its pages beside the API's reads
    assert set(staff["roles"]) == {"admin", "municipal", "curator", "auditor"}
    for pages in staff["roles"].values():
        assert "start page" in pages and "mentors, first page" in pages
        for page in pages.values():
            for side in ("staff", "api"):
                if side in page:
                    assert isinstance(page[side].get("p50_ms"), int | float), f"{page[side]} p50 missing"
                    assert isinstance(page[side].get("p99_ms"), int | float), f"{page[side]} p99 missing"
    assert staff["roles"]["admin"]["mentors, first page"]["staff"]["status"] == 200
    assert rows(result)  # the printed table renders from the document


def test_region_tier_is_deterministic_and_sized() -> None:
    sizes = region_sizes(0.01)
    assert sizes["organizations"] == 400 and sizes["municipalities"] == 20
    first, again = region_steps(0.01), region_steps(0.01)
    assert [(s.command, s.fields) for s in first] == [(s.command, s.fields) for s in again]
    kinds = {s.command.__name__ for s in first}
    assert {"SubmitMentorApplication", "RegisterMentee", "FormPair", "CompletePair", "RecordTraining",
            "RecordProgramOutput"} <= kinds
