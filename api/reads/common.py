"""What every read route shares: one read transaction of the views with its log position, the
404 problem, SQL WHERE clauses and row helpers, paging parameters and the paging envelope."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field

from api.freshness import refresh_views
from api.problems import ApiProblem, problem_responses, with_position
from api.scope import ReadScope
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


class Where:
    """An SQL WHERE clause built from conditions, in the view store's dialect."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, params: Iterable[Any] = ()) -> Where:
        self.parts.append(condition)
        self.params.extend(params)
        return self

    def scope(self, scope: ReadScope, organization_column: str, municipality_column: str | None = None) -> Where:
        condition, params = scope.condition(organization_column, municipality_column)
        return self.add(condition, params)

    def eq(self, column: str, value: object) -> Where:
        if value is not None:
            self.add(f"{column} = %s", [str(value)])
        return self

    def __str__(self) -> str:
        return " WHERE " + " AND ".join(self.parts) if self.parts else ""


def _in(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def dicts(tx: Tx, sql: str, params: Sequence[Any], names: Sequence[str]) -> list[dict[str, Any]]:
    return [dict(zip(names, row, strict=True)) for row in tx.rows(sql, params)]


def grouped(
    tx: Tx, sql: str, ids: Sequence[str], names: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Rows of a child table by their parent id (the first column), for these parents only."""
    out: dict[str, list[dict[str, Any]]] = {}
    if not ids:
        return out
    for row in tx.rows(sql.format(ids=_in(ids), p="{p}"), list(ids)):
        out.setdefault(row[0], []).append(dict(zip(names, row[1:], strict=True)))
    return out


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
