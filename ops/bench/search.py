"""The public search under concurrent clients: a real uvicorn server on loopback, N clients.

Two runs on one server, after a warm-up:
- `cached`: a fixed mix repeated, as a public page sees it (name prefix; prefix and
  municipality; organization; form; prefix and form; the first pages) — mostly cache hits;
- `uncached`: every request a question not asked before (other name prefixes and pairs of
  them, other pages and filter combinations), so each one goes to the database.

Each client is a coroutine holding one keep-alive HTTP/1.1 connection; the run is bounded by a
request count and a time limit, whichever comes first. Clients speak raw HTTP over asyncio
streams in one process: a full HTTP client library would spend more CPU per request than the
server does, on the same two cores. The client's and the server's CPU seconds are reported, so
the reader sees how much of the box the clients took.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
from typing import Any
from urllib.parse import quote

from ops.bench.memory import pct, rate

PREFIXES = ("Ива", "Пет", "Сми", "Кузн", "Попо", "Вас", "Нов", "Мор", "Вол", "Сок", "Ле", "Ко")
#: Server processes (uvicorn workers) unless told: half the cores — the clients and PostgreSQL
#: run on the same box and need the other half.
SERVER_WORKERS = max(1, (os.cpu_count() or 1) // 2)
BASE = "/api/v1/public/mentors?limit=20"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> tuple[int, bool]:
    """(status, was it a cache hit) of one GET on a kept-alive connection."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n".encode())
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).lower()
    status = int(head[9:12])
    at = head.index(b"content-length:") + 15
    length = int(head[at:head.index(b"\r\n", at)])
    await reader.readexactly(length)
    return status, b"x-cache: hit" in head


def _paths(filters: dict[str, Any]) -> list[str]:
    """The fixed mix: 288 questions asked over and over."""
    munis = [m["value"] for m in filters["municipalities"]] or [None]
    orgs = [o["value"] for o in filters["organizations"]] or [None]
    forms = [f["value"] for f in filters["forms"]] or [None]
    paths = []
    for i, prefix in enumerate(PREFIXES * 4):
        q = quote(prefix)
        paths += [
            f"{BASE}&q={q}",
            f"{BASE}&q={q}&municipality_id={munis[i % len(munis)]}",
            f"{BASE}&organization_id={orgs[(i * 37) % len(orgs)]}",
            f"{BASE}&form={forms[i % len(forms)]}",
            f"{BASE}&q={q}&form={forms[i % len(forms)]}",
            f"{BASE}&offset={20 * i}",
        ]
    return paths


def _distinct_paths(filters: dict[str, Any], count: int, asked: set[str], seed: int = 8) -> list[str]:
    """`count` questions of the same shapes as the mix, none asked before (nor in `asked`)."""
    from ops.demo.content import MALE_NAMES, SURNAMES, WOMEN_FIRST
    from projections.public import PublicFilter

    rng = random.Random(seed)
    words = [*SURNAMES, *WOMEN_FIRST, *(m[0] for m in MALE_NAMES)]
    prefixes = sorted({w[:n].lower() for w in words for n in range(2, 7) if len(w) > n})
    munis = [m["value"] for m in filters["municipalities"]] or [""]
    orgs = [o["value"] for o in filters["organizations"]] or [""]
    forms = [f["value"] for f in filters["forms"]] or [""]
    out: list[str] = []
    seen = {_question(path) for path in asked}
    for _ in range(count * 20):
        if len(out) >= count:
            break
        typed = rng.choice(prefixes) if rng.random() < 0.6 else f"{rng.choice(prefixes)} {rng.choice(prefixes)}"
        q = quote(" ".join(PublicFilter(typed).words()))  # as the server sees it: no two alike
        page = f"&offset={20 * rng.randrange(1, 10)}"  # offset 0 would be the mix's question
        path = rng.choice((
            f"{BASE}&q={q}",
            f"{BASE}&q={q}&municipality_id={rng.choice(munis)}",
            f"{BASE}&organization_id={rng.choice(orgs)}{page}",
            f"{BASE}&form={rng.choice(forms)}&municipality_id={rng.choice(munis)}{page}",
            f"{BASE}&q={q}&form={rng.choice(forms)}",
            f"{BASE}&offset={20 * rng.randrange(250)}",
        ))
        if _question(path) not in seen:
            seen.add(_question(path))
            out.append(path)
    return out


def _question(path: str) -> tuple[str, ...]:
    """What the server's cache keys a search on: the normalized question, limit and offset."""
    from urllib.parse import parse_qs, urlsplit

    from projections.public import PublicFilter

    got = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
    wanted = PublicFilter(got.get("q", ""), got.get("municipality_id"), got.get("organization_id"),
                          got.get("form"), got.get("subject"))
    return wanted.key(), got.get("limit", "20"), got.get("offset", "0")


async def _load(port: int, paths: list[str], clients: int, requests: int, seconds: float) -> dict[str, Any]:
    """Clients take the next question in turn (each asked once when there are enough of them)."""
    latencies: list[float] = []
    errors = hits = sent = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors, hits, sent
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while sent < requests and time.perf_counter() < deadline:
                path = paths[sent % len(paths)]
                sent += 1
                started = time.perf_counter()
                try:
                    status, hit = await _get(reader, writer, path)
                except (ConnectionError, asyncio.IncompleteReadError, ValueError):
                    errors += 1  # counted, not timed; the client reconnects and goes on
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                latencies.append(time.perf_counter() - started)
                errors += status != 200
                hits += hit
        finally:
            writer.close()

    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies), "errors": errors, "seconds": round(wall, 3),
        "requests_per_s": rate(len(latencies), wall),
        "p50_ms": round(pct(latencies, 0.5) * 1000, 2), "p99_ms": round(pct(latencies, 0.99) * 1000, 2),
        "max_ms": round(max(latencies, default=0) * 1000, 2),
        "hit_rate": round(hits / len(latencies), 4) if latencies else 0.0,
        "distinct_questions": min(len(paths), len(latencies)),
        "client_cpu_s": round(time.process_time() - cpu, 2),
    }


def bench_search(url: str, schema: str | None, mentors: int, *, clients: int = 50, requests: int = 5000,
                 seconds: float = 60.0, warmup: int = 300, profile: bool = False,
                 workers: int | None = None, uncached_requests: int | None = None) -> dict[str, Any]:
    """Start the server on the store, warm it up, then the cached mix and the uncached run
    (`uncached_requests`, by default `requests`: each a new question)."""
    workers = workers or SERVER_WORKERS
    uncached_requests = uncached_requests or requests
    if url.startswith("postgresql"):
        _analyze(url, schema)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ops.bench.serve", url, schema or "", str(port), str(workers)],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        filters = _wait_ready(port, server)
        paths = _paths(filters)
        asyncio.run(_load(port, paths, clients, max(warmup, len(paths) * workers * 2), 60.0))
        spy = _start_spy(server.pid) if profile else None
        figures: dict[str, Any] = {}
        runs = (("cached", paths, requests),
                ("uncached", _distinct_paths(filters, uncached_requests, set(paths)), uncached_requests))
        for mix, questions, bound in runs:
            cpu = _tree_cpu_seconds(server.pid)
            figures[mix] = asyncio.run(_load(port, questions, clients, bound, seconds))
            figures[mix]["server_cpu_s"] = round(_tree_cpu_seconds(server.pid) - cpu, 2)
        if spy is not None:
            _report_spy(*spy)
        figures.update(mentors_loaded=mentors or filters["total"], published=filters["total"],
                       clients=clients, request_limit=requests, uncached_request_limit=uncached_requests,
                       time_limit_s=seconds,
                       server_processes=workers, server_peak_rss_mib=_peak_rss(server.pid))
        return figures
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _analyze(url: str, schema: str | None) -> None:
    """The public tables vacuumed and analyzed, as autovacuum keeps them on a live server: a
    bench box may run with autovacuum off, and a freshly loaded table gets guessed plans (no
    statistics) and index-only scans that still read the heap (no visibility map)."""
    import psycopg

    from ops.storage import parse_database_url, postgres_connect_kwargs

    kwargs: Any = postgres_connect_kwargs(parse_database_url(url, schema))
    with psycopg.connect(**kwargs, autocommit=True) as conn:
        for table in ("rv_public_mentors", "rv_public_words", "rv_public_mentor_tags"):
            conn.execute(f"VACUUM (ANALYZE) {schema + '.' if schema else ''}{table}")


def _tree(pid: int) -> list[int]:
    """The process and its children (uvicorn's workers)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(c) for c in f.read().split()]
    except OSError:
        return [pid]
    return [pid, *(p for c in children for p in _tree(c))]


def _tree_cpu_seconds(pid: int) -> float:
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def _wait_ready(port: int, server: subprocess.Popen[bytes], timeout: float = 600.0) -> dict[str, Any]:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"bench server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/public/filters", timeout=30) as r:
                return dict(json.loads(r.read()))
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("bench server did not answer")


def _peak_rss(pid: int) -> float | None:
    """The peak resident memory of the server's processes, summed (MiB)."""
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
        except (OSError, StopIteration):
            pass
    return round(total / 1024, 1) if total else None


def _start_spy(pid: int) -> tuple[subprocess.Popen[bytes], str] | None:
    """py-spy (if installed) samples the server while the clients run: where a request's time goes."""
    import shutil
    import tempfile

    exe = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    if not os.path.exists(exe):
        print("--profile search needs py-spy (pip install py-spy)", file=sys.stderr)
        return None
    out = tempfile.mktemp(prefix="reestr-bench-spy-", suffix=".txt")
    proc = subprocess.Popen([exe, "record", "-p", str(pid), "-f", "raw", "-o", out, "-r", "250", "--nonblocking",
                             "--subprocesses"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return proc, out


def _report_spy(proc: subprocess.Popen[bytes], out: str) -> None:
    """The server's functions by share of samples they are on the stack of (inclusive), top 30."""
    from collections import Counter

    proc.send_signal(2)
    proc.wait(timeout=30)
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    with open(out) as f:
        for line in f:
            stack, _, count = line.rstrip().rpartition(" ")
            n = int(count)
            frames = stack.split(";")
            total += n
            own[frames[-1]] += n
            for frame in set(frames):
                inclusive[frame] += n
    os.unlink(out)
    lines = [f"--- py-spy: search server, {total} samples ---", "inclusive:"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(40)]
    lines += ["own:"] + [f"{100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(20)]
    print("\n".join(lines), file=sys.stderr)
