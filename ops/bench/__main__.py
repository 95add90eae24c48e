"""`python -m ops.bench --store both --tier region -o results.json`: every figure beside its baseline."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ops.bench import search
from ops.bench.measure import DEFAULT_POSTGRES_URL, Options, run_bench
from ops.bench.tiers import TIERS


def _n(value: Any) -> str:
    return f"{value:,.0f}" if isinstance(value, int | float) else "—"


def rows(result: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    """(store, figure, app, raw baseline, app/raw, peak RSS MiB (+step)) for every figure."""
    out = []
    for kind, s in result["stores"].items():
        def mem(fig: dict[str, Any]) -> str:
            return f"{fig.get('peak_rss_mib')} (+{fig.get('peak_rss_growth_mib')})"

        c = s["commands"]
        out.append((kind, f"commands, all ({c['commands']:,} cmd, {c['events']:,} ev, {c['seconds']} s)",
                    f"{_n(c['events_per_s'])} ev/s", f"{_n(c['raw_events_per_s'])} ev/s",
                    str(c["ratio_app_to_raw"]), mem(c)))
        out.append(("", f"  single execute ({c['single_commands']:,} cmd sample)",
                    f"{_n(c['single_events_per_s'])} ev/s", "", str(c["ratio_single_to_raw"]), ""))
        out.append(("", "  single latency p50 / p99", f"{c['latency_p50_ms']} / {c['latency_p99_ms']} ms",
                    "", "", ""))
        if c["batch_events"]:
            out.append(("", f"  execute_batch ({c['batches']:,} batches)",
                        f"{_n(c['batch_events_per_s'])} ev/s", "", str(c["ratio_batch_to_raw"]), ""))
        if "import" in s:
            i = s["import"]
            out.append(("", f"import CSV ({i['rows_per_file']:,} mentors + mentees, {i['events']:,} ev)",
                        f"{_n(i['events_per_s'])} ev/s", f"{_n(i['raw_events_per_s'])} ev/s",
                        str(i["ratio_app_to_raw"]), mem(i)))
        r = s["rebuild"]
        out.append(("", f"rebuild from 0 ({r['records']:,} ev, {r['seconds']} s)", f"{_n(r['events_per_s'])} ev/s",
                    f"{_n(r['raw_events_per_s'])} ev/s", str(r["ratio_app_to_raw"]), mem(r)))
        d = s["report"]
        for fmt, f in d["formats"].items():
            out.append(("", f"report {fmt} ({f['bytes']:,} B)", f"{f['seconds']} s",
                        f"facts {d['load_facts_seconds']} s", "", mem(d) if fmt == "json" else ""))
        if s.get("staff_pages", {}).get("roles"):
            from ops.bench.staff_pages import rows as staff_rows

            for role, page, staff, api, statuses in staff_rows(s["staff_pages"]):
                out.append(("", f"staff page: {role}, {page} ({statuses})", f"p50 / p99 {staff} ms",
                            f"API {api} ms", "", ""))
        for q in s.get("search", []):
            for mix in ("cached", "uncached"):
                m = q[mix]
                label = (f"search {mix} {q['mentors_loaded']:,} mentors, {q['server_processes']} proc, "
                         f"{q['clients']} clients ({m['requests']:,} req, {m['errors']} err, "
                         f"hits {m['hit_rate']:.0%})")
                out.append(("", label, f"p50 {m['p50_ms']} / p99 {m['p99_ms']} ms",
                            f"{_n(m['requests_per_s'])} req/s", "",
                            f"server {q['server_peak_rss_mib']}" if mix == "cached" else ""))
    return out


def render_table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    scale = f", scale {result['scale']}" if result.get("scale") not in (None, 1.0) else ""
    table = Table(title=f"Reestr benchmark — tier {result['tier']}{scale}")
    for name in ("store", "figure", "app", "raw baseline", "app/raw", "peak RSS MiB (+step)"):
        table.add_column(name, justify="right" if name not in ("store", "figure") else "left")
    for row in rows(result):
        table.add_row(*row)
    Console(width=max(Console().width, 140)).print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench", description=__doc__)
    parser.add_argument("--store", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--tier", choices=sorted(TIERS), default="demo")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="region tier only: multiply mentors, mentees and pairs (units stay 20/400)")
    parser.add_argument("-o", "--output", type=Path, default=Path("bench-results.json"))
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--profile", choices=("commands", "rebuild", "report", "import", "search"),
                        help="run that step under cProfile (search: the server under py-spy) and print "
                        "the top functions to stderr")
    parser.add_argument("--no-search", action="store_true", help="skip the concurrent public search")
    parser.add_argument("--clients", type=int, default=50, help="concurrent search clients")
    parser.add_argument("--requests", type=int, default=5000, help="search requests per run (bound)")
    parser.add_argument("--seconds", type=float, default=60.0, help="search time per run (bound)")
    parser.add_argument("--search-workers", type=int, default=search.SERVER_WORKERS,
                        help="search server processes (uvicorn workers)")
    parser.add_argument("--import-rows", type=int, default=2000,
                        help="mentors and mentees per generated import file (0: skip the import)")
    parser.add_argument("--no-staff-pages", action="store_true",
                        help="skip timing the staff workspace's pages (signed in per role)")
    parser.add_argument("--staff-runs", type=int, default=20, help="requests per staff page (and its API read)")
    parser.add_argument("--no-table", action="store_true")
    args = parser.parse_args(argv)
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    search.SERVER_WORKERS = args.search_workers  # read by the search step's server
    opts = Options(tier=args.tier, scale=args.scale, postgres_url=args.postgres_url, profile=args.profile,
                   search=not args.no_search, search_clients=args.clients, search_requests=args.requests,
                   search_seconds=args.seconds, import_rows=args.import_rows,
                   staff_pages=not args.no_staff_pages, staff_runs=args.staff_runs)
    result = run_bench(stores, opts)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not args.no_table:
        render_table(result)
    print(f"results: {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
