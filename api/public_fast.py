"""The same public address asked again at the same log position: answered before routing.

FastAPI spends most of a cached answer's time turning the query string into typed, validated
parameters. An address (path and query string, byte for byte) that was already answered at
the views' current position has the same answer again (`api.response_cache`), so this thin
ASGI layer sends it straight from memory. Anything else — another path, a first asking, a
conditional request, a due look at the log — goes on to the app as usual, which validates,
answers and remembers the address for next time (`api.public._answer`).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from api.response_cache import Cached, ResponseCache

#: The addresses answered from memory: the search (JSON and page) and the filter lists.
FAST_PATHS = frozenset({"/", "/api/v1/public/mentors", "/api/v1/public/filters"})


def raw_key(scope: Scope) -> tuple[object, ...]:
    """The cache key of an address as asked, before any parsing."""
    return ("address", scope["path"], scope.get("query_string", b""))


class PublicFastPath:
    """Pure ASGI (no request objects): a path check and a dictionary look-up on the way in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] in FAST_PATHS:
            answer = _from_memory(scope)
            if answer is not None:
                await send({"type": "http.response.start", "status": 200, "headers": list(answer.raw_headers)})
                await send({"type": "http.response.body", "body": answer.body})
                return
        await self.app(scope, receive, send)


def _from_memory(scope: Scope) -> Cached | None:
    state = scope["app"].state
    cache: ResponseCache | None = getattr(state, "public_cache", None)
    freshness = getattr(state, "freshness", None)
    if cache is None or cache.position < 0 or (freshness is not None and freshness.due()):
        return None  # nothing kept yet, or a look at the log is due: the app does it
    if any(name == b"if-none-match" for name, _ in scope["headers"]):
        return None  # conditional: the app compares the tags
    found = cache.get(raw_key(scope), count=False)
    return None if found is None else found[1]
