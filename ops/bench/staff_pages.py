"""Time the staff workspace's main pages, each beside the API read it is built on.

Staff of each role (the institute's admin, a municipal coordinator, a curator, an auditor) get a
login the way `reestr users add --login` gives one, sign in at `/staff/login` like a browser
(TestClient, in-process), and read the main pages `runs` times. The server side of each request
is timed around the ASGI app (routing, session, queries, templates; not the client), so a
figure is what a page costs the server. Beside each page: the API's equivalent list read
(`/api/v1/...`, bearer token, limit 50), the same person's scope, as its baseline.

`python -m ops.bench.staff_pages --url sqlite:////tmp/region.db [--schema S] [--runs 20]` on a
store built by `ops.bench.region_store`; `ops.bench.measure` runs `bench_staff_pages` as a step.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

PASSWORD = "пароль для замера 2023"
PAGE = 50  # a workspace list page


class ServerClock:
    """An ASGI wrapper that keeps how long the app took over the last HTTP request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.last = time.perf_counter() - started


@dataclass(frozen=True)
class Probe:
    """A page of the workspace and the API read it stands on (None: no API equivalent)."""

    name: str
    page: str
    api: str | None
    #: each request follows a write to the figures (a program output recorded through the API)
    after_write: bool = False


def _ids(views: Any) -> dict[str, str] | None:
    """An organization with the most mentors, its municipality, one of its mentors, a later offset
    (None: the tier has no mentor in an organization of a municipality)."""
    with views.transaction(write=False) as tx:
        if not tx.rows("SELECT m.id FROM {p}mentors m JOIN {p}organizations o ON o.id = m.organization_id "
                       "WHERE o.municipality_id IS NOT NULL LIMIT 1"):
            return None
        org, _ = tx.rows("SELECT organization_id, COUNT(*) FROM {p}mentors GROUP BY organization_id "
                         "ORDER BY COUNT(*) DESC, organization_id LIMIT 1")[0]
        municipality = tx.rows("SELECT municipality_id FROM {p}organizations WHERE id = %s", [org])[0][0]
        mentor = tx.rows("SELECT id FROM {p}mentors WHERE organization_id = %s ORDER BY full_name, id LIMIT 1",
                         [org])[0][0]
        mentors = int(tx.rows("SELECT COUNT(*) FROM {p}mentors")[0][0])
        programs = tx.rows("SELECT id FROM {p}programs ORDER BY id LIMIT 1")
    later = max(0, (mentors // 2) // PAGE * PAGE)  # a page in the middle of the region's list
    return {"organization": str(org), "municipality": str(municipality), "mentor": str(mentor),
            "later": str(later), "program": str(programs[0][0]) if programs else ""}


def probes(ids: dict[str, str]) -> list[Probe]:
    """The main pages: start page (also right after a write), lists (first and a later page), a
    record, status, audit log."""
    later = ids["later"]
    return [
        Probe("start page", "/staff/", "/api/v1/indicators?period=2021"),
        *([Probe("start page after a write", "/staff/", "/api/v1/indicators?period=2021", after_write=True)]
          if ids["program"] else []),
        Probe("mentors, first page", "/staff/mentors", f"/api/v1/mentors?limit={PAGE}"),
        Probe(f"mentors, offset {later}", f"/staff/mentors?offset={later}",
              f"/api/v1/mentors?limit={PAGE}&offset={later}"),
        Probe("mentees", "/staff/mentees", f"/api/v1/mentees?limit={PAGE}"),
        Probe("pairs", "/staff/pairs", f"/api/v1/pairs?limit={PAGE}"),
        Probe("approval queue", "/staff/approvals", f"/api/v1/mentors?status=pending&limit={PAGE}"),
        Probe("mentor's record", f"/staff/mentors/{ids['mentor']}", f"/api/v1/mentors/{ids['mentor']}"),
        Probe("organizations status", "/staff/organizations/status", f"/api/v1/organizations?limit={PAGE}"),
        Probe("audit log", "/staff/audit/log", f"/api/v1/audit/log?limit={PAGE}"),
    ]


def _add_staff(registry: Any, ids: dict[str, str]) -> dict[str, tuple[str, str]]:
    """A user per role with a login and an API token, as `reestr users add --login` makes them:
    role -> (login, token)."""
    from ops.users_cli import _set_credentials, cli_actor
    from registry import commands as c
    from registry.users import new_token, token_sha256

    scopes: dict[str, dict[str, Any]] = {
        "admin": {},
        "municipal": {"municipality_id": UUID(ids["municipality"])},
        "curator": {"organization_id": UUID(ids["organization"])},
        "auditor": {},
    }
    tokens = {}
    run = uuid4().hex[:8]  # a store may be measured again: logins are new each time
    for role, scope in scopes.items():
        token = new_token()
        result = registry.execute(
            c.AddUser(name=f"Замер: {role}", role=c.UserRole(role), token_sha256=token_sha256(token), **scope),
            cli_actor(),
        )
        _set_credentials(registry, UUID(str(result.aggregate_id)), PASSWORD, login=f"bench-{role}-{run}")
        tokens[role] = f"bench-{role}-{run}", token
    return tokens


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p99_ms": round(p99 * 1000, 1)}


def _timed(client: Any, clock: ServerClock, path: str, runs: int, headers: dict[str, str] | None = None,
           before: Callable[[], None] | None = None) -> dict[str, Any]:
    if before:
        before()
    first = client.get(path, headers=headers)  # the first read fills caches: timed apart
    first_ms = round(clock.last * 1000, 1)
    times = []
    for _ in range(runs):
        if before:
            before()
        response = client.get(path, headers=headers)
        times.append(clock.last)
        if response.status_code != first.status_code:
            raise RuntimeError(f"{path}: {first.status_code} then {response.status_code}")
    return {"status": first.status_code, "bytes": len(first.content), "first_ms": first_ms, **_summary(times)}


def bench_staff_pages(registry: Any, views: Any, runs: int = 20) -> dict[str, Any]:
    """Sign in staff of each role and time the main pages against their API reads (p50/p99 ms)."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    ids = _ids(views)
    if ids is None:
        return {"runs": runs, "skipped": "no mentors in the tier", "roles": {}}
    tokens = _add_staff(registry, ids)
    app = create_app(registry, views=views)  # catches the views up with the new users
    clock = ServerClock(app)
    out: dict[str, Any] = {"runs": runs, "ids": ids, "roles": {}}
    for role, (login, token) in tokens.items():
        with TestClient(clock, follow_redirects=False) as client:
            client.get("/staff/login")
            page = client.get("/staff/login").text
            csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            signed = client.post("/staff/login", data={"login": login, "password": PASSWORD,
                                                       "csrf_token": csrf})
            if signed.status_code != 303:
                raise RuntimeError(f"{role}: sign-in answered {signed.status_code}")
            figures = {}
            written = itertools.count()

            def write(client: Any = client) -> None:
                response = client.post(
                    f"/api/v1/programs/{ids['program']}/outputs",
                    json={"kind": "event", "title": f"Замер, запись {next(written)}", "produced_on": "2021-05-20"},
                    headers={"Authorization": f"Bearer {tokens['admin'][1]}"})
                if response.status_code not in (200, 201):
                    raise RuntimeError(f"a write before the page answered {response.status_code}: {response.text}")

            for probe in probes(ids):
                before = write if probe.after_write else None
                figure = {"page": probe.page, "staff": _timed(client, clock, probe.page, runs, before=before)}
                if probe.api is not None:
                    figure["api"] = {"path": probe.api, **_timed(client, clock, probe.api, runs,
                                                                 {"Authorization": f"Bearer {token}"}, before)}
                figures[probe.name] = figure
            out["roles"][role] = figures
    return out


def rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(role, page, staff p50/p99, API p50/p99, statuses) for a printed table."""
    out = []
    for role, pages in figures["roles"].items():
        for name, f in pages.items():
            s, a = f["staff"], f.get("api")
            api = f"{a['p50_ms']} / {a['p99_ms']}" if a else "—"
            statuses = f"{s['status']}" + (f" / {a['status']}" if a else "")
            out.append((role, name, f"{s['p50_ms']} / {s['p99_ms']} (first {s['first_ms']})", api, statuses))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench.staff_pages", description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--schema", default=None)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("-o", "--output", default=None, help="write the figures as JSON here too")
    args = parser.parse_args(argv)
    from ops.bench.region_store import kept_store

    with kept_store(args.url, args.schema) as (registry, views):
        figures = bench_staff_pages(registry, views, args.runs)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            json.dump(figures, f, ensure_ascii=False, indent=2)
    print(f"{'role':10} {'page':28} {'staff p50 / p99 ms':32} {'API p50 / p99 ms':18} status")
    for row in rows(figures):
        print(f"{row[0]:10} {row[1]:28} {row[2]:32} {row[3]:18} {row[4]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
