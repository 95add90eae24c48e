"""`python -m ops.bench --store sqlite|postgres|both --tier demo -o results.json`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ops.bench.measure import DEFAULT_POSTGRES_URL, TIERS, run_bench


def render_table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Reestr benchmark — tier {result['tier']}")
    for name in ("store", "figure", "app", "raw baseline", "app/raw", "peak RSS MiB (+step)"):
        table.add_column(name, justify="right" if name not in ("store", "figure") else "left")
    for kind, s in result["stores"].items():
        c, r, d = s["commands"], s["rebuild"], s["report"]
        table.add_row(kind, f"commands ({c['commands']} cmd, {c['events']} ev)",
                      f"{c['events_per_s']:,.0f} ev/s", f"{c['raw_events_per_s']:,.0f} ev/s",
                      f"{c['ratio_app_to_raw']}", f"{c['peak_rss_mib']} (+{c['peak_rss_growth_mib']})")
        table.add_row("", "command latency p50 / p99",
                      f"{c['latency_p50_ms']} / {c['latency_p99_ms']} ms", "", "", "")
        table.add_row("", f"rebuild from 0 ({r['records']} ev)", f"{r['events_per_s']:,.0f} ev/s",
                      f"{r['raw_events_per_s']:,.0f} ev/s", f"{r['ratio_app_to_raw']}",
                      f"{r['peak_rss_mib']} (+{r['peak_rss_growth_mib']})")
        table.add_row("", f"dynamics report JSON ({d['json_bytes']:,} B)", f"{d['seconds']} s", "", "",
                      f"{d['peak_rss_mib']} (+{d['peak_rss_growth_mib']})")
    Console(width=max(Console().width, 120)).print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench", description=__doc__)
    parser.add_argument("--store", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--tier", choices=sorted(TIERS), default="demo")
    parser.add_argument("-o", "--output", type=Path, default=Path("bench-results.json"))
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--profile", choices=("commands", "rebuild", "report"),
                        help="run that step under cProfile and print the top functions to stderr")
    parser.add_argument("--no-table", action="store_true")
    args = parser.parse_args(argv)
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    result = run_bench(stores, args.tier, postgres_url=args.postgres_url, profile=args.profile)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not args.no_table:
        render_table(result)
    print(f"results: {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
