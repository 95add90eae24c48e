"""The benchmark harness runs end to end on a tiny tier (SQLite) and reports every figure.

Only the presence of figures and ratios is checked, never their values: no timed assertions.
"""

from __future__ import annotations

import json
from pathlib import Path

from ops.bench.__main__ import main

FIGURES = {
    "commands": (
        "events", "seconds", "events_per_s", "latency_p50_ms", "latency_p99_ms", "raw_events_per_s",
        "ratio_app_to_raw", "peak_rss_mib", "peak_rss_growth_mib",
    ),
    "rebuild": (
        "records", "seconds", "events_per_s", "raw_events_per_s", "ratio_app_to_raw",
        "peak_rss_mib", "peak_rss_growth_mib",
    ),
    "report": ("seconds", "json_bytes", "peak_rss_mib", "peak_rss_growth_mib"),
}


def test_bench_tiny_sqlite_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    assert main(["--store", "sqlite", "--tier", "tiny", "-o", str(out), "--no-table"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["tier"] == "tiny"
    assert set(result["stores"]) == {"sqlite"}
    figures = result["stores"]["sqlite"]
    for step, keys in FIGURES.items():
        for key in keys:
            assert isinstance(figures[step].get(key), int | float), f"{step}.{key} missing"
    assert figures["commands"]["events"] > 0
    assert figures["rebuild"]["records"] == figures["rebuild"]["raw_records"]
