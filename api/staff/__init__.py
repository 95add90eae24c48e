"""The staff workspace at `/staff/`: the registry in the browser for curators, municipal
coordinators, the regional institute and auditors (server-rendered, Russian, plain form POSTs).

How to add a page
-----------------
1. A module in `api/staff/` with its own `router = APIRouter()`; include it in `staff_router()`
   below (one line). Paths are relative to `/staff`.
2. Who may open it: a parameter `staff: SignedIn = require_staff_roles(Role.ADMIN, ...)`
   (`api.staff.session`); `CurrentStaff` for any signed-in person, `StaffActor` for just the
   `Actor`. Without a session the person is sent to the sign-in form; a wrong role gets a 403 page.
3. A template `api/templates/staff/<name>.html.j2` that `{% extends "staff/base.html.j2" %}`
   and fills `title` and `content`; render it with `pages.render(request, "staff/<name>.html.j2",
   **context)`. Every `<form method="post">` includes `{{ csrf(csrf_token) }}` (macro in
   `staff/forms.html.j2`): the router refuses any POST without it (403).
4. Writes: `outcome = pages.execute(request, staff, commands.X, data, form)` runs the command
   through the same parse and `Registry.execute` as the API; on `outcome.ok` answer
   `pages.see_other(url, done="saved")` (303), otherwise render the form again with
   `errors=outcome.errors` (field -> Russian message, the command's field names) and
   `message=outcome.message`; `forms.html.j2` macros put each error beside its field.
5. Reads: call the API's read functions with `pages.api_read(reads.mentors.mentors, request,
   pages.scope(staff), ...)`: same SQL, same scope; a record outside it is a 404 page. What the
   API does not serve, read with the views' query modules (`projections.*_reads`,
   `projections.approval_queue`, …) in `views_of(request).transaction(write=False)`, passing
   `pages.scope(staff).area`; no SQL in the page module.
6. Navigation: `pages.add_nav("/staff/x", "Название", Role.ADMIN, ...)` at import of the module;
   a role's start page: `HOMES[Role.X] = function(request, staff) -> Response`.
7. Dates: shown with the `ru_date` filter, read with `FormInput.date` (dd.mm.yyyy); any list
   downloads with `pages.xlsx_download(filename, headers, rows)`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from fastapi.responses import HTMLResponse, Response

from api.staff import pages, sign_in
from api.staff.session import (
    CurrentStaff,
    SignedIn,
    SignInRequired,
    StaffConfig,
    StaffRefusal,
    csrf_guard,
)
from registry.values import Role

#: A role's start page at `/staff/` (a module adds its own); the others get the generic one.
HOMES: dict[Role, Callable[[Request, SignedIn], Response]] = {}

_home = APIRouter()


@_home.get("/", response_class=HTMLResponse)
def home(request: Request, staff: CurrentStaff) -> Response:
    page = HOMES.get(staff.actor.role)
    if page is not None:
        return page(request, staff)
    return pages.render(request, "staff/home.html.j2")


def staff_router() -> APIRouter:
    """Every workspace route under `/staff`, each POST checked for its CSRF token."""
    from api.staff import curator  # noqa: F401  (its pages and navigation)
    from api.staff import oversight  # the institute's, coordinator's and auditor's pages
    from api.staff import pair_feedback, roadmap_pages, round_pages  # issue #18: feedback, rounds, roadmaps

    router = APIRouter(prefix="/staff", dependencies=[Depends(csrf_guard)], include_in_schema=False)
    router.include_router(_home)
    router.include_router(sign_in.router)
    router.include_router(curator.router)
    router.include_router(oversight.router)
    router.include_router(round_pages.router)
    router.include_router(roadmap_pages.router)
    router.include_router(pair_feedback.router)
    return router


def install_staff(app: FastAPI, config: StaffConfig | None = None) -> None:
    """Mount the workspace on the app, with its pages for refusals and for signing in."""
    app.state.staff_config = config or StaffConfig()
    app.include_router(staff_router())

    @app.exception_handler(SignInRequired)
    def sign_in_first(request: Request, _: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return pages.see_other(f"/staff/login?next={quote(target)}")

    @app.exception_handler(StaffRefusal)
    def refused(request: Request, refusal: StaffRefusal) -> Response:
        return pages.refusal_page(request, refusal)

    api_http_error = app.exception_handlers.get(StarletteHTTPException)

    async def http_error(request: Request, error: Exception) -> Response:
        # An address under /staff/ that is no page: a page saying so, not a JSON problem.
        if request.url.path.startswith("/staff/") and getattr(error, "status_code", None) in (404, 405):
            return pages.refusal_page(request, StaffRefusal(404, "Не найдено", "Такой страницы нет."))
        assert api_http_error is not None
        result = api_http_error(request, error)
        return await result if inspect.isawaitable(result) else result

    app.add_exception_handler(StarletteHTTPException, http_error)

    api_invalid = app.exception_handlers.get(RequestValidationError)

    async def invalid(request: Request, error: Exception) -> Response:
        # A malformed id in a workspace address is a page that does not exist, not a JSON problem.
        if request.url.path.startswith("/staff/"):
            return pages.refusal_page(request, StaffRefusal(404, "Не найдено", "Такой страницы нет."))
        assert api_invalid is not None
        result = api_invalid(request, error)
        return await result if inspect.isawaitable(result) else result

    app.add_exception_handler(RequestValidationError, invalid)


__all__ = ["HOMES", "StaffConfig", "install_staff", "staff_router"]
