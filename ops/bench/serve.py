"""`python -m ops.bench.serve URL SCHEMA PORT [WORKERS]`: the app on a bench store, uvicorn.

Run apart from the clients so that they do not share its interpreter (its GIL); the views are
caught up by the bench before it starts, so each app's startup catch-up finds nothing to do.
With WORKERS > 1, uvicorn starts that many processes, each building its own app (and cache)
through `bench_app`, which finds the store in the environment.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from typing import Any

_URL, _SCHEMA = "REESTR_BENCH_URL", "REESTR_BENCH_SCHEMA"


def bench_app() -> Any:
    """The app of one server process (uvicorn's factory: called in each worker)."""
    from api.app import create_app
    from ops.logs import configure_logging
    from ops.storage import parse_database_url, registry_on

    configure_logging("warning")
    location = parse_database_url(os.environ[_URL], os.environ.get(_SCHEMA) or None)
    return create_app(registry_on(location, lambda: date(2023, 6, 1)))


def main(argv: list[str]) -> None:
    import uvicorn

    url, schema, port = argv[0], argv[1], int(argv[2])
    workers = int(argv[3]) if len(argv) > 3 else 1
    os.environ[_URL], os.environ[_SCHEMA] = url, schema
    options: dict[str, Any] = {"host": "127.0.0.1", "port": port, "log_level": "warning",
                               "access_log": False, "timeout_keep_alive": 120}
    if workers > 1:
        from ops.serve_app import NoDelayHTTP

        uvicorn.run("ops.bench.serve:bench_app", factory=True, workers=workers, http=NoDelayHTTP, **options)
    else:
        uvicorn.run(bench_app(), **options)


if __name__ == "__main__":
    main(sys.argv[1:])
