"""The public search under concurrent clients: a real uvicorn server on loopback, N clients.

Each client is a coroutine holding one keep-alive HTTP/1.1 connection and sending requests of a
fixed mix in turn (name prefix; prefix and municipality; organization; form; prefix and form;
the first page). The run is bounded by a request count and a time limit, whichever comes first,
after a warm-up. Clients speak raw HTTP over asyncio streams: a full HTTP client library would
spend more CPU per request than the server does, on the same two cores.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from typing import Any
from urllib.parse import quote

from ops.bench.memory import pct, rate

PREFIXES = ("Ива", "Пет", "Сми", "Кузн", "Попо", "Вас", "Нов", "Мор", "Вол", "Сок", "Ле", "Ко")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> tuple[int, bytes]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    return status, await reader.readexactly(length)


def _paths(filters: dict[str, Any]) -> list[str]:
    munis = [m["value"] for m in filters["municipalities"]] or [None]
    orgs = [o["value"] for o in filters["organizations"]] or [None]
    forms = [f["value"] for f in filters["forms"]] or [None]
    base = "/api/v1/public/mentors?limit=20"
    paths = []
    for i, prefix in enumerate(PREFIXES * 4):
        q = quote(prefix)
        paths += [
            f"{base}&q={q}",
            f"{base}&q={q}&municipality_id={munis[i % len(munis)]}",
            f"{base}&organization_id={orgs[(i * 37) % len(orgs)]}",
            f"{base}&form={forms[i % len(forms)]}",
            f"{base}&q={q}&form={forms[i % len(forms)]}",
            f"{base}&offset={20 * i}",
        ]
    return paths


async def _load(port: int, paths: list[str], clients: int, requests: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        nonlocal errors, sent
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = n
        try:
            while sent < requests and time.perf_counter() < deadline:
                sent += 1
                started = time.perf_counter()
                try:
                    status, _ = await _get(reader, writer, paths[i % len(paths)])
                except (ConnectionError, asyncio.IncompleteReadError):
                    errors += 1  # counted, not timed; the client reconnects and goes on
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                latencies.append(time.perf_counter() - started)
                errors += status != 200
                i += clients
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies), "errors": errors, "seconds": round(wall, 3),
        "requests_per_s": rate(len(latencies), wall),
        "p50_ms": round(pct(latencies, 0.5) * 1000, 2), "p99_ms": round(pct(latencies, 0.99) * 1000, 2),
        "max_ms": round(max(latencies, default=0) * 1000, 2),
    }


def bench_search(url: str, schema: str | None, mentors: int, *, clients: int = 50, requests: int = 5000,
                 seconds: float = 60.0, warmup: int = 300, profile: bool = False) -> dict[str, Any]:
    """Start the server on the store, warm it up, then run the bounded load; figures."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ops.bench.serve", url, schema or "", str(port)],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        filters = _wait_ready(port, server)
        paths = _paths(filters)
        asyncio.run(_load(port, paths, clients, warmup, 60.0))
        spy = _start_spy(server.pid) if profile else None
        figures = asyncio.run(_load(port, paths, clients, requests, seconds))
        if spy is not None:
            _report_spy(*spy)
        figures.update(mentors_loaded=mentors, published=filters["total"], clients=clients,
                       request_limit=requests, time_limit_s=seconds, server_processes=1,
                       server_peak_rss_mib=_peak_rss(server.pid))
        return figures
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


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
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _start_spy(pid: int) -> tuple[subprocess.Popen[bytes], str] | None:
    """py-spy (if installed) samples the server while the clients run: where a request's time goes."""
    import shutil
    import tempfile

    exe = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    if not os.path.exists(exe):
        print("--profile search needs py-spy (pip install py-spy)", file=sys.stderr)
        return None
    out = tempfile.mktemp(prefix="reestr-bench-spy-", suffix=".txt")
    proc = subprocess.Popen([exe, "record", "-p", str(pid), "-f", "raw", "-o", out, "-r", "250", "--nonblocking"],
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
