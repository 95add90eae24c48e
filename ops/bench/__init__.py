"""Benchmarks: the registry's figures on SQLite and PostgreSQL, each beside a raw baseline.

Run `python -m ops.bench --store both --tier region -o results.json`; see docs/BENCHMARKS.md.
"""

from ops.bench.measure import Options, run_bench
from ops.bench.tiers import TIERS, Tier

__all__ = ["TIERS", "Options", "Tier", "run_bench"]
