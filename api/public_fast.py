"""The same public address asked again at the same log position: answered before routing.

FastAPI spends most of a cached answer's time turning the query string into typed, validated
parameters. An address (path and query string, byte for byte) that was already answered at
the views' current position has the same answer again (`public_answers`), so this thin
ASGI layer sends it straight from memory. Anything else — another path, a first asking, a
conditional request, a due look at the log — goes on to the app as usual, which validates,
answers and remembers the address for next time (`api.public._answer`).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from projections.position_cache import PositionCache

#: The addresses answered from memory: the search (JSON and page) and the filter lists.
FAST_PATHS = frozenset({"/", "/api/v1/public/mentors", "/api/v1/public/filters"})
#: Bounds of the public answers one process keeps (at the newest position only).
PUBLIC_ANSWERS = 4096
PUBLIC_ANSWER_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class PublicAnswer:
    """One finished public answer: its body and what its headers need (`raw_headers`: the whole
    header list of a 200 from memory, as ASGI sends it)."""

    body: bytes
    tag: str
    media_type: str
    raw_headers: tuple[tuple[bytes, bytes], ...] = ()


def _answer_bytes(answer: PublicAnswer) -> int:
    return len(answer.body) + 200  # the body and, roughly, the headers and the entry


def public_answers() -> PositionCache[PublicAnswer]:
    """The process's cache of public answers: the newest position's only (`app.state.public_cache`)."""
    return PositionCache(PUBLIC_ANSWERS, max_bytes=PUBLIC_ANSWER_BYTES, size=_answer_bytes, newest_only=True)


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


def _from_memory(scope: Scope) -> PublicAnswer | None:
    state = scope["app"].state
    cache: PositionCache[PublicAnswer] | None = getattr(state, "public_cache", None)
    freshness = getattr(state, "freshness", None)
    if cache is None or cache.position < 0 or (freshness is not None and freshness.due()):
        return None  # nothing kept yet, or a look at the log is due: the app does it
    if any(name == b"if-none-match" for name, _ in scope["headers"]):
        return None  # conditional: the app compares the tags
    found = cache.latest(raw_key(scope))
    return None if found is None else found[1]
