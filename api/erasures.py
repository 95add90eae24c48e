"""Every request first asks the key table whether anyone was erased since this process last looked.

`reestr erase`, another API worker or an import may erase a person; this process may hold that
person's key, aggregates decoded with it, and answers built from them. So before any request is
answered — the public fast path included — the registry compares the key table's erasure counter
with the one it saw (`Registry.refresh_keys`: on SQLite read only once something was committed
to the file since the last look, which it tells without calling SQLite; on PostgreSQL one small
read on the key table's own connection); if it moved, the keys are forgotten, the public
answers' cache is emptied and the views are looked at at once, not after `freshness.INTERVAL`.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class ErasureWatch:
    """Pure ASGI: one look at the erasure counter per request, on the way in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            state = scope["app"].state
            registry = getattr(state, "registry", None)
            if registry is not None and registry.refresh_keys():
                forget_answers(state)
        await self.app(scope, receive, send)


def forget_answers(state: object) -> None:
    """Someone was erased elsewhere: no answer kept from before may be sent again."""
    cache = getattr(state, "public_cache", None)
    if cache is not None:
        cache.clear()
    freshness = getattr(state, "freshness", None)
    if freshness is not None:
        freshness.look_now()
