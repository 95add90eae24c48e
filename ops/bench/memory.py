"""Per-step figures that are not timings: peak memory, profiles, percentiles."""

from __future__ import annotations

import cProfile
import io
import pstats
import resource
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_mib(field: str) -> float | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Linux resets the process's RSS high-water mark when "5" is written to clear_refs."""
    try:
        _CLEAR_REFS.write_text("5")
        return True
    except OSError:
        return False


def maxrss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(rss / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


@contextmanager
def step_memory(figures: dict[str, Any]) -> Iterator[None]:
    """The step's own peak RSS (high-water mark reset at its start) and how far above the start."""
    before = _status_mib("VmRSS") or maxrss_mib()
    own = _reset_peak()
    yield
    peak = _status_mib("VmHWM") if own else None
    figures["peak_rss_mib"] = peak if peak is not None else maxrss_mib()
    figures["peak_rss_growth_mib"] = round(figures["peak_rss_mib"] - before, 1)
    figures["peak_rss_per_step"] = own  # False: process high-water mark (not reset per step)


@contextmanager
def maybe_profile(enabled: bool, label: str) -> Iterator[None]:
    if not enabled:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        out.write("\n--- by own time ---\n")
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
        print(f"--- cProfile: {label} ---\n{out.getvalue()}", file=sys.stderr)


def ratio(app: float, raw: float) -> float | None:
    return round(app / raw, 4) if raw else None


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rate(count: float, seconds: float) -> float:
    return round(count / seconds, 1) if seconds else 0.0
