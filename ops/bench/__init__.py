"""Benchmarks: the registry's figures on SQLite and PostgreSQL, each beside a raw baseline.

Run `python -m ops.bench --store both --tier demo -o results.json`; see docs/BENCHMARKS.md.
"""

from ops.bench.measure import TIERS, Tier, run_bench

__all__ = ["TIERS", "Tier", "run_bench"]
