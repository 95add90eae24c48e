"""The HTTP application: `/healthz`, the API under `/api/v1`, OpenAPI at `/docs`.

`/docs` (Swagger UI) and `/redoc` load their scripts, styles and favicon from this server (the
`fastapi-offline` package's files), never from a CDN: they work on a closed network.

Endpoints are plain `def` functions: the event store is synchronous, so FastAPI runs them in its
thread pool. The public search is the exception: `async def`, it answers from the per-process
cache of public answers (`api.public_fast.public_answers`) on the event loop and goes to the thread pool
only for the database.

Several processes (`reestr serve --workers N`) each build their own app from the same store:
the views are shared and caught up by whichever process writes or looks first; each process's
cache follows the position it sees (`api.freshness`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.openapi.utils import get_openapi
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel
from starlette.routing import BaseRoute

from api import audit, public, reads, reports, reports_known, users
from api import roadmaps, suggestions
from api import rounds as monitoring_rounds
from api.erasures import ErasureWatch
from api.freshness import AppProjector, Freshness, refresh_views
from api.problems import add_problem_schema, install_problem_handlers, problem_response, with_position
from api.public_fast import PublicFastPath, public_answers
from api.staff import StaffConfig, install_staff
from api.writes import write_router
from projections.store import ViewStore, open_view_store
from projections.transparency.store import TreeDamaged
from registry.application import Registry

API_PREFIX = "/api/v1"


class Health(BaseModel):
    """`ok`, or `degraded` when the views stopped at an event they cannot apply (`reason`):
    reads then answer from views `behind` events short of the log (header `X-Views-Behind`)."""

    status: str
    position: int
    views_position: int | None = None
    behind: int = 0
    reason: str | None = None


def create_app(
    registry: Registry,
    *,
    views: ViewStore | None = None,
    staff: StaffConfig | None = None,
) -> FastAPI:
    """A FastAPI app over one registry object (one per process: it owns the connection pool).

    The app owns the read models: `views` (by default `open_view_store(registry)`, beside the
    events) are caught up here, at startup, and after every commit by the registry's "views"
    after-commit subscriber, before the response, so a client always reads its own writes (and on
    reads, when another process has written: `api.freshness`); `app.state.views` and
    `app.state.projector` serve every read router. (`registry` None: an app that only serves its
    OpenAPI document.)
    """
    app = FastAPIOffline(
        title="Реестр наставников",
        version="0.1.0",
        description=(
            "Региональный реестр наставников (целевая модель наставничества). Каждый факт — "
            "событие журнала; каждая запись приписана пользователю. Ошибки — "
            "`application/problem+json` (RFC 9457) с машинным кодом `code`, описанием `detail` "
            "на русском и ошибками по полям `errors`."
        ),
    )
    app.state.registry = registry
    app.state.views = None
    app.state.projector = None
    app.state.public_cache = cache = public_answers()
    if registry is not None:
        app.state.views = views if views is not None else open_view_store(registry)
        app.state.projector = AppProjector(registry, app.state.views)
        app.state.projector.listeners.append(cache.observe)
        app.state.projector.catch_up()
        # The app's projector is this process's views subscriber: after every commit (any route,
        # any batch) it catches up and tells the public answers' cache, before the response is sent.
        registry.after_commit.subscribe("views", lambda _recordings: app.state.projector.catch_up())
        app.state.freshness = Freshness(app.state.projector, on_position=cache.observe)
    install_problem_handlers(app)

    @app.exception_handler(TreeDamaged)
    def tree_damaged(request: Request, error: TreeDamaged) -> JSONResponse:
        # The write was refused whole (ops/unit_of_work.py): the diagnosis names the repair.
        return problem_response(request, 503, "tree_damaged", str(error), [])
    app.add_middleware(PublicFastPath)  # an address answered at this position: sent from memory
    app.add_middleware(ErasureWatch)  # outermost: before anything is answered, even from memory

    @app.get(
        "/healthz",
        response_model=Health,
        tags=["Служебное"],
        operation_id="Health",
        responses=with_position(200, {}),
    )
    def healthz(response: Response) -> Health:
        refresh_views(app)  # throttled: notices a stall another process's events caused
        position = registry.position()
        response.headers["X-Log-Position"] = str(position)
        projector = app.state.projector
        if projector is None:
            return Health(status="ok", position=position)
        views = projector.position
        stall = projector.stalled
        return Health(
            status="degraded" if stall is not None else "ok",
            position=position,
            views_position=views,
            behind=max(position - views, 0),
            reason=stall.russian() if stall is not None else None,
        )

    app.include_router(public.router)  # first: the public lookup is most of the traffic
    app.router.routes.extend(_api_routes())
    if registry is not None:
        install_staff(app, staff)  # the staff workspace at /staff/ (`staff`: its cookie and timeouts)
    _describe_problems(app)
    return app


@cache
def _api_routes() -> tuple[BaseRoute, ...]:
    """The /api/v1 routes, built once per process: they hold no state (the registry is the app's)."""
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(write_router())
    api.include_router(users.router)
    api.include_router(audit.router)
    api.include_router(reads.router)
    api.include_router(reports.router)
    api.include_router(monitoring_rounds.router)
    api.include_router(reports_known.router)
    api.include_router(roadmaps.router)
    api.include_router(suggestions.router)
    return tuple(api.routes)


def _describe_problems(app: FastAPI) -> None:
    """The generated OpenAPI, with the `Problem` schema every error response refers to."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = add_problem_schema(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = ["API_PREFIX", "create_app"]
