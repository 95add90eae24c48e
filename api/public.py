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
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel, Field

from api.freshness import refresh_views
from api.problems import problem_responses
from projections.public import Directory, Facets, PublicFilter
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


def directory_of(request: Request) -> Directory:
    """The app's public directory over its views (made on first use, kept for the filter lists)."""
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


# -- JSON for portals ------------------------------------------------------------------------------


class PublicUnit(BaseModel):
    id: str
    name: str


class PublicForm(BaseModel):
    code: str = Field(description="Код формы в справочнике региона")
    title: str


class PublicTraining(BaseModel):
    course: str
    provider: str
    year: int = Field(description="Год окончания обучения")


class PublicMentor(BaseModel):
    """A mentor as published: a field the mentor did not consent to publish is absent."""

    id: str
    full_name: str | None = None
    organization: PublicUnit | None = None
    municipality: PublicUnit | None = None
    forms: list[PublicForm] | None = None
    subjects: list[str] | None = None
    trainings: list[PublicTraining] | None = None


class PublicMentorPage(BaseModel):
    position: int = Field(description="Позиция журнала событий, которую отражает ответ")
    total: int
    limit: int
    offset: int
    items: list[PublicMentor]


class PublicOption(BaseModel):
    value: str
    title: str
    count: int = Field(description="Сколько опубликованных наставников подходит")


class PublicFilters(BaseModel):
    position: int
    total: int
    municipalities: list[PublicOption]
    organizations: list[PublicOption]
    forms: list[PublicOption]
    subjects: list[PublicOption]


_CACHED = {
    "headers": {
        "ETag": {"description": "«позиция журнала-хеш запроса»", "schema": {"type": "string"}},
        "Cache-Control": {"description": "public, no-cache", "schema": {"type": "string"}},
        "X-Log-Position": {"description": "Позиция журнала событий", "schema": {"type": "integer"}},
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
def public_mentors_json(
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
    directory = directory_of(request)
    with directory.reading() as (tx, position):
        tag = etag(position, "json", wanted.key(), limit, offset)
        if (unchanged := _unchanged(request, tag, position, _CORS)) is not None:
            return unchanged
        page = directory.search(tx, position, wanted, limit=limit, offset=offset)
    body = PublicMentorPage(
        position=position,
        total=page.total,
        limit=limit,
        offset=offset,
        items=[PublicMentor(**item) for item in page.items],
    )
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        headers={**_cache_headers(tag, position), **_CORS},
    )


@router.get(
    "/api/v1/public/filters",
    response_model=PublicFilters,
    summary="Списки для фильтров открытого реестра, с числом наставников",
    operation_id="PublicFilters",
    tags=[_TAG],
    responses=_JSON_RESPONSES,
)
def public_filters_json(request: Request) -> Response:
    directory = directory_of(request)
    with directory.reading() as (tx, position):
        tag = etag(position, "filters")
        if (unchanged := _unchanged(request, tag, position, _CORS)) is not None:
            return unchanged
        facets = directory.facets(tx, position)
    body = PublicFilters(
        position=position,
        total=facets.total,
        **{
            kind: [PublicOption(value=o.value, title=o.title, count=o.count) for o in getattr(facets, kind)]
            for kind in ("municipalities", "organizations", "forms", "subjects")
        },
    )
    return JSONResponse(body.model_dump(mode="json"), headers={**_cache_headers(tag, position), **_CORS})


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


def _html(template: str, status: int, headers: dict[str, str], **context: Any) -> HTMLResponse:
    body = _TEMPLATES.get_template(template).render(**context)
    return HTMLResponse(body, status_code=status, headers={**headers, "Content-Language": "ru"})


@router.get("/", include_in_schema=False)
def search_page(
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
    number = _page_number(page)
    directory = directory_of(request)
    with directory.reading() as (tx, position):
        tag = etag(position, "html", wanted.key(), number)
        if (unchanged := _unchanged(request, tag, position)) is not None:
            return unchanged
        facets = directory.facets(tx, position)
        result = directory.search(tx, position, wanted, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        pages = max(1, math.ceil(result.total / PAGE_SIZE))
        if number > pages:  # past the end (the registry shrank, or a typed address): the last page
            number = pages
            result = directory.search(tx, position, wanted, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    params = {
        "q": (q or "").strip()[:200],
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

    return _html(
        "public_search.html.j2",
        200,
        _cache_headers(tag, position),
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
        mentors_word=mentors_word,
        position=position,
    )


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
