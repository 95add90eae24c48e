"""The public lookup of registered mentors: no login, read-only, publishable data only.

- `GET /` — the search page (Russian, server-rendered, works without JavaScript): a name and
  four filters (municipality, organization, form of mentoring, subject), 20 mentors a page;
- `GET /mentors/{id}` — a mentor's card; an unknown id, a hidden mentor and a malformed id all
  get the same 404 page, so the page never tells that a hidden mentor exists;
- `GET /api/v1/public/mentors` — the same search as JSON for regional portals to embed (CORS
  open), and `GET /api/v1/public/filters` — the filter lists with counts.

Everything is read from the public tables (`projections.public.Directory`), which hold only
mentors in the registry who consented, and only their consented fields. The views are caught up
by the write path before it answers, so a suspension, removal or consent withdrawal hides the
mentor from the next request on.

Every answer carries `ETag: "<log position>-<hash of the question>"` and
`Cache-Control: public, no-cache`: caches keep answers but ask each time; while the registry is
unchanged (same position) the answer to `If-None-Match` is 304 without a body.

The search (JSON and page) and the filter lists are `async def`: an answer already given at the
views' position comes from the process's cache (`api.public_fast.public_answers`, `X-Cache: hit`) without a
thread hop or a query; only a miss goes to the thread pool and the database.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import anyio
import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.concurrency import run_in_threadpool

from api.freshness import Freshness, refresh_views
from api.problems import problem_responses
from api.public_fast import PublicAnswer, raw_key
from api.public_models import PublicFilters, PublicMentorPage, PublicOption
from projections.position_cache import PositionCache
from projections.public import Directory, Facets, PublicFilter, PublicPage
from projections.store import ViewStore

router = APIRouter()

PAGE_SIZE = 20
CACHE_CONTROL = "public, no-cache"
_TAG = "Открытый реестр (без входа)"
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def directory_of(request: Request, *, refresh: bool = True) -> Directory:
    """The app's public directory over its views (made on first use, kept for the filter lists)."""
    if refresh:
        refresh_views(request.app)
    views: ViewStore = request.app.state.views
    directory: Directory | None = getattr(request.app.state, "public_directory", None)
    if directory is None or directory.store is not views:
        directory = Directory(views)
        request.app.state.public_directory = directory
    return directory


# -- caching -------------------------------------------------------------------------------------


def etag(position: int, *question: object) -> str:
    """`"<log position>-<hash of the question>"`: the same question at the same position gets
    the same answer (views are a function of the log)."""
    digest = hashlib.sha256("\x1f".join(map(str, question)).encode()).hexdigest()[:16]
    return f'"{position}-{digest}"'


def _not_modified(request: Request, tag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    offered = {part.strip().removeprefix("W/") for part in header.split(",")}
    return tag in offered or "*" in offered


def _cache_headers(tag: str, position: int) -> dict[str, str]:
    return {"ETag": tag, "Cache-Control": CACHE_CONTROL, "X-Log-Position": str(position)}


def _unchanged(request: Request, tag: str, position: int, extra: dict[str, str] | None = None) -> Response | None:
    if _not_modified(request, tag):
        return Response(status_code=304, headers={**_cache_headers(tag, position), **(extra or {})})
    return None


#: Misses computed at once per process: a few more than the cores PostgreSQL has here. More
#: threads only wait for a pooled connection, waking one another (measured: more CPU per
#: answer, no more answers per second).
MISSES_AT_ONCE = 8


def _misses(request: Request) -> anyio.CapacityLimiter:
    """The app's limiter of misses (made on first use, inside the app's event loop)."""
    limiter: anyio.CapacityLimiter | None = getattr(request.app.state, "public_misses", None)
    if limiter is None:
        limiter = request.app.state.public_misses = anyio.CapacityLimiter(MISSES_AT_ONCE)
    return limiter


Render = Callable[[Directory], tuple[int, bytes, str]]
"""Computes an answer from the views: the log position it is of, its body and media type."""


async def _answer(request: Request, key: tuple[object, ...], render: Render, extra: dict[str, str]) -> Response:
    """The answer to `key` at the views' position: from the cache, else computed and kept.

    On the event loop for a hit; the database (and a due look at the log) in the thread pool.
    """
    freshness: Freshness | None = getattr(request.app.state, "freshness", None)
    if freshness is not None and freshness.due():
        await run_in_threadpool(freshness.refresh)
    cache: PositionCache[PublicAnswer] = request.app.state.public_cache
    found = cache.latest(key) if cache.position >= 0 else None
    state = "hit"
    if found is None:
        state = "miss"
        found = await anyio.to_thread.run_sync(_compute, request, key, render, extra, limiter=_misses(request))
    position, answer = found
    if answer.raw_headers:  # the same address again is answered before routing (api.public_fast)
        cache.put(position, raw_key(request.scope), answer)
    headers = {**_cache_headers(answer.tag, position), **extra, "X-Cache": state}
    if _not_modified(request, answer.tag):
        return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type=answer.media_type, headers=headers)


def _compute(
    request: Request, key: tuple[object, ...], render: Render, extra: dict[str, str]
) -> tuple[int, PublicAnswer]:
    position, body, media_type = render(directory_of(request, refresh=False))
    tag = etag(position, *key)
    headers = {"content-type": media_type, "content-length": str(len(body)),
               **_cache_headers(tag, position), **extra, "X-Cache": "hit"}
    raw = tuple((k.lower().encode(), v.encode()) for k, v in headers.items())
    answer = PublicAnswer(body, tag, media_type, raw)
    request.app.state.public_cache.put(position, key, answer)
    return position, answer


# -- JSON for portals ------------------------------------------------------------------------------


_CACHED = {
    "headers": {
        "ETag": {"description": "«позиция журнала-хеш запроса»", "schema": {"type": "string"}},
        "Cache-Control": {"description": "public, no-cache", "schema": {"type": "string"}},
        "X-Log-Position": {"description": "Позиция журнала событий", "schema": {"type": "integer"}},
        "X-Cache": {
            "description": "hit — ответ из кеша процесса для этой позиции журнала, miss — из базы",
            "schema": {"type": "string", "enum": ["hit", "miss"]},
        },
    }
}
_JSON_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Опубликованные наставники", **_CACHED},
    304: {"description": "Реестр не изменился с ответа с этим ETag (If-None-Match)", **_CACHED},
    **problem_responses(422),
}
_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, X-Log-Position"}

Text = Annotated[str, Query(max_length=200, description="Часть ФИО: начала слов, «ё» = «е»")]
Id = Annotated[str | None, Query(min_length=1, max_length=64)]
Value = Annotated[str | None, Query(min_length=1, max_length=500)]


@router.get(
    "/api/v1/public/mentors",
    response_model=PublicMentorPage,
    response_model_exclude_none=True,
    summary="Опубликованные наставники: поиск и фильтры (без входа)",
    operation_id="PublicMentors",
    tags=[_TAG],
    responses=_JSON_RESPONSES,
)
async def public_mentors_json(
    request: Request,
    q: Text = "",
    municipality_id: Id = None,
    organization_id: Id = None,
    form: Value = None,
    subject: Value = None,
    limit: Annotated[int, Query(ge=1, le=100)] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    wanted = PublicFilter(q, municipality_id, organization_id, form, subject)

    def render(directory: Directory) -> tuple[int, bytes, str]:
        page, _ = directory.ask(wanted, limit=limit, offset=offset)
        return page.position, page_json(page, limit, offset), "application/json"

    return await _answer(request, ("json", wanted.key(), limit, offset), render, _CORS)


@router.get(
    "/api/v1/public/filters",
    response_model=PublicFilters,
    summary="Списки для фильтров открытого реестра, с числом наставников",
    operation_id="PublicFilters",
    tags=[_TAG],
    responses=_JSON_RESPONSES,
)
async def public_filters_json(request: Request) -> Response:
    def render(directory: Directory) -> tuple[int, bytes, str]:
        with directory.reading() as (tx, position):
            facets = directory.facets(tx, position)
        body = PublicFilters(
            position=position,
            total=facets.total,
            **{
                kind: [PublicOption(value=o.value, title=o.title, count=o.count) for o in getattr(facets, kind)]
                for kind in ("municipalities", "organizations", "forms", "subjects")
            },
        )
        return position, body.model_dump_json().encode(), "application/json"

    return await _answer(request, ("filters",), render, _CORS)


def page_json(page: PublicPage, limit: int, offset: int) -> bytes:
    """`PublicMentorPage` as JSON, byte for byte what pydantic writes for it (compact, UTF-8,
    fields in the model's order, absent fields left out; tests/integration/test_public_search.py
    compares), from the page's items as they are: validating and dumping 20 models cost more
    than the question's statement."""
    return json.dumps(
        {"position": page.position, "total": page.total, "total_is_lower_bound": page.total_is_lower_bound,
         "limit": limit, "offset": offset, "items": page.items},
        ensure_ascii=False, separators=(",", ":"),
    ).encode()


# -- pages -----------------------------------------------------------------------------------------


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1


def _chosen(raw: str | None) -> str | None:
    value = (raw or "").strip()
    return value[:500] or None


def mentors_word(n: int) -> str:
    """«наставник» agreeing with the number (1 наставник, 3 наставника, 5 наставников)."""
    if n % 10 == 1 and n % 100 != 11:
        return "наставник"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return "наставника"
    return "наставников"


def more_than_word(n: int) -> str:
    """«наставник» after «более N» (более 21 наставника, более 1000 наставников)."""
    return "наставника" if n % 10 == 1 and n % 100 != 11 else "наставников"


def _html(template: str, status: int, headers: dict[str, str], **context: Any) -> HTMLResponse:
    body = _TEMPLATES.get_template(template).render(**context)
    return HTMLResponse(body, status_code=status, headers={**headers, "Content-Language": "ru"})


@router.get("/", include_in_schema=False)
async def search_page(
    request: Request,
    q: str | None = None,
    municipality: str | None = None,
    organization: str | None = None,
    form: str | None = None,
    subject: str | None = None,
    page: str | None = None,
) -> Response:
    """Lenient by design: a hand-edited address gets a page, never an error."""
    wanted = PublicFilter(
        (q or "")[:200], _chosen(municipality), _chosen(organization), _chosen(form), _chosen(subject)
    )
    asked = _page_number(page)
    params = {
        "q": (q or "").strip()[:200],  # echoed as typed: part of the key, the page shows it
        "municipality": wanted.municipality_id or "",
        "organization": wanted.organization_id or "",
        "form": wanted.form or "",
        "subject": wanted.subject or "",
    }

    def page_url(n: int) -> str:
        kept = {k: v for k, v in params.items() if v}
        if n > 1:
            kept["page"] = str(n)
        return "/" + ("?" + urlencode(kept) if kept else "") + "#results"

    def render(directory: Directory) -> tuple[int, bytes, str]:
        number = asked
        result, facets = directory.ask(wanted, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        pages = max(1, math.ceil(result.total / PAGE_SIZE))
        if number > pages:  # past the end (the registry shrank, or a typed address): the last page
            number = pages
            result, facets = directory.ask(wanted, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        body = _TEMPLATES.get_template("public_search.html.j2").render(
            params=params,
            facets=facets,
            options=_options(facets, wanted),
            result=result,
            searched=not wanted.empty,
            page=number,
            pages=pages,
            page_url=page_url,
            page_numbers=_page_window(number, pages),
            first_shown=(number - 1) * PAGE_SIZE + 1,
            mentors_word=more_than_word if result.total_is_lower_bound else mentors_word,
            position=result.position,
        )
        return result.position, body.encode(), "text/html; charset=utf-8"

    key = ("html", wanted.key(), asked, params["q"])
    return await _answer(request, key, render, {"Content-Language": "ru"})


def _options(facets: Facets, wanted: PublicFilter) -> dict[str, list[dict[str, Any]]]:
    """The filter lists, each with the chosen value selected (kept even if no longer listed)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, chosen in (
        ("municipalities", wanted.municipality_id),
        ("organizations", wanted.organization_id),
        ("forms", wanted.form),
        ("subjects", wanted.subject),
    ):
        options = [
            {"value": o.value, "title": o.title, "count": o.count, "selected": o.value == chosen}
            for o in getattr(facets, kind)
        ]
        if chosen is not None and not any(o["selected"] for o in options):
            options.append({"value": chosen, "title": "(нет в списке)", "count": 0, "selected": True})
        out[kind] = options
    return out


def _page_window(page: int, pages: int) -> list[int | None]:
    """Page numbers to link: the first, the last, two around the current; None for a gap."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


@router.get("/mentors/{mentor_id}", include_in_schema=False)
def mentor_page(request: Request, mentor_id: str) -> Response:
    """A published mentor's card; anything else the same «not found» page (no hint of a hidden
    mentor: same status, same body, whatever the reason)."""
    directory = directory_of(request)
    with directory.reading() as (tx, position):
        tag = etag(position, "card", mentor_id[:64])
        if (unchanged := _unchanged(request, tag, position)) is not None:
            return unchanged
        mentor = directory.mentor(tx, position, mentor_id[:64])
    if mentor is None:  # no ETag: nothing to revalidate, and no way to tell hidden from unknown
        headers = {"Cache-Control": CACHE_CONTROL, "X-Log-Position": str(position)}
        return _html("public_not_found.html.j2", 404, headers, position=position)
    return _html("public_mentor.html.j2", 200, _cache_headers(tag, position), mentor=mentor, position=position)


__all__ = ["router"]
