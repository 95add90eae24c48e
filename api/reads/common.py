"""What every read route shares: one read transaction of the views with its log position, the
404 problem, paging parameters and the paging envelope. The SQL itself is in the `projections`
query modules (`projections.read_sql` and those it lists)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field

from api.freshness import refresh_views
from api.problems import ApiProblem, problem_responses, with_position
from projections.store import Tx, ViewStore
from registry.errors import FieldProblem

REGISTRY = "Реестр: чтение"
READ_PROBLEMS = with_position(200, problem_responses(401, 403, 422))
ITEM_PROBLEMS = with_position(200, problem_responses(401, 403, 404, 422))

T = TypeVar("T")


def views_of(request: Request) -> ViewStore:
    refresh_views(request.app)
    views: ViewStore = request.app.state.views
    return views


def read(request: Request, response: Response, build: Callable[[Tx], T]) -> tuple[int, T]:
    """Run `build` in one read transaction of the views; (position, result), header set."""
    views = views_of(request)
    with views.transaction(write=False) as tx:
        position = views.read_position(tx)
        result = build(tx)
    response.headers["X-Log-Position"] = str(position)
    stating_lag(request, response, position)
    return position, result


def stating_lag(request: Request, response: Response, position: int) -> None:
    """While the views are stalled (`/healthz` degraded), say how many events they lag behind."""
    projector = getattr(request.app.state, "projector", None)
    if projector is not None and projector.stalled is not None:
        response.headers["X-Views-Behind"] = str(max(projector.target() - position, 0))


def not_found(what: str, field: str, value: object) -> ApiProblem:
    message = f"{what} {value} нет в реестре (или он вне вашей области)"
    return ApiProblem(404, "not_found", message, [FieldProblem(field=field, rule="exists", message=message)])


def as_text(value: object) -> str | None:
    """A parsed parameter (UUID, enum) as the text the views hold; None stays None."""
    return None if value is None else str(value)


# -- paging ------------------------------------------------------------------------------------

Limit = Annotated[int, Query(ge=1, le=1000, description="Сколько записей вернуть (до 1000)")]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000, description="Сколько записей пропустить")]


class Paged(BaseModel):
    position: int = Field(description="Позиция журнала событий, которую отражает ответ")
    total: int = Field(description="Сколько записей всего подходит под условия")
    limit: int
    offset: int


FormCode = Annotated[
    str | None, Query(min_length=1, max_length=64, description="Форма наставничества (код справочника)")
]
