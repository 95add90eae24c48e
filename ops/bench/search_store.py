"""Kept stores for the public search bench, and the search step alone on such a store.

`python -m ops.bench.search_store build --mentors 20000 --schema reestr_search_20k` loads the
region tier's municipalities, organizations and mentors (application, consent, approval,
training: the tier's own commands, through `Registry.execute_batch`), grows them with
`tiers.more_mentors` past the tier's mentors (20,000 times `--scale`), then rebuilds the views.
`--scale 0.1 --mentors 2000` and `--scale 0.1 --mentors 10000` are the stores of the harness's
search step at `--tier region --scale 0.1` (the tier's 2,000 mentors, then 8,000 more). Mentees, pairs and outputs are left
out: the search reads only the public tables, which hold mentors alone. The store is kept.

`python -m ops.bench.search_store run --schema reestr_search_20k --workers 1 2` runs the search
bench (cached mix and uncached) on it with each number of server processes and prints the
figures as JSON.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ops.bench.measure import DEFAULT_POSTGRES_URL

#: The region tier's commands a published mentor needs (and the units they belong to).
_KINDS = ("RegisterMunicipality", "RegisterOrganization", "SubmitMentorApplication", "GiveConsent",
          "ApproveMentor", "RecordTraining")
REGION_MENTORS = 20_000


def build(url: str, schema: str | None, mentors: int, scale: float = 1.0) -> dict[str, Any]:
    from ops.bench.region_store import build_kept_store
    from ops.bench.tiers import more_mentors, region_steps

    steps = [s for s in region_steps(scale) if s.command.__name__ in _KINDS]
    organizations = sum(1 for s in steps if s.command.__name__ == "RegisterOrganization")
    tier = sum(1 for s in steps if s.command.__name__ == "SubmitMentorApplication")
    if mentors > tier:
        steps += more_mentors(tier, mentors - tier, organizations)
    return {"mentors": max(mentors, tier), **build_kept_store(url, schema, steps)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench.search_store", description=__doc__)
    parser.add_argument("action", choices=("build", "run"))
    parser.add_argument("--url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--schema", default=None)
    parser.add_argument("--mentors", type=int, default=REGION_MENTORS, help="build: mentors (at least the tier's)")
    parser.add_argument("--scale", type=float, default=1.0, help="build: the region tier's scale")
    parser.add_argument("--workers", type=int, nargs="+", default=[1], help="run: server processes, each run")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000, help="run: requests of the cached mix")
    parser.add_argument("--uncached-requests", type=int, default=None, help="run: of the uncached (default: --requests)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--profile", action="store_true", help="run: sample the server with py-spy (stderr)")
    args = parser.parse_args(argv)
    from ops.logs import configure_logging

    configure_logging("warning")
    if args.action == "build":
        print(json.dumps(build(args.url, args.schema, args.mentors, args.scale)), flush=True)
        return 0
    from ops.bench.search import bench_search

    for workers in args.workers:
        result = bench_search(args.url, args.schema, 0, clients=args.clients, requests=args.requests,
                              seconds=args.seconds, workers=workers, uncached_requests=args.uncached_requests,
                              profile=args.profile)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
