"""`python -m ops.bench.serve URL SCHEMA PORT`: the app on a bench store, one uvicorn process.

Run apart from the clients so that they do not share its interpreter (its GIL); the views are
caught up by the bench before it starts, so the app's startup catch-up finds nothing to do.
"""

from __future__ import annotations

import sys
from datetime import date


def main(argv: list[str]) -> None:
    import uvicorn

    from api.app import create_app
    from ops.logs import configure_logging
    from ops.storage import parse_database_url, registry_on

    url, schema, port = argv[0], argv[1] or None, int(argv[2])
    configure_logging("warning")
    registry = registry_on(parse_database_url(url, schema), lambda: date(2023, 6, 1))
    uvicorn.run(create_app(registry), host="127.0.0.1", port=port, log_level="warning",
                access_log=False, timeout_keep_alive=120)


if __name__ == "__main__":
    main(sys.argv[1:])
