"""Errors as `application/problem+json` (RFC 9457): a machine code, a Russian detail, field errors.

| status | code                                   | when                                            |
|--------|----------------------------------------|-------------------------------------------------|
| 401    | unauthorized                           | no bearer token, or an unknown / revoked one    |
| 403    | forbidden                              | the role or the scope does not allow it         |
| 404    | not_found                              | an id the registry does not hold, unknown route |
| 409    | conflict, idempotency_key_reused       | another writer was first; a reused key          |
| 422    | invalid_command, rule_violation        | input does not validate; a domain rule refuses  |
| 500    | internal_error                         | a bug: logged, nothing half-recorded            |
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from registry.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    InvalidCommand,
    NotFound,
    RegistryError,
    RuleViolation,
)
from registry.validation import russian_problems

log = structlog.get_logger("reestr.api")

PROBLEM_JSON = "application/problem+json"

_TITLES_RU = {
    400: "Некорректный запрос",
    401: "Нужна авторизация",
    403: "Доступ запрещён",
    404: "Не найдено",
    405: "Метод не поддерживается",
    409: "Конфликт",
    422: "Данные не приняты",
    500: "Внутренняя ошибка",
}


class FieldError(BaseModel):
    """One thing wrong with one field (a dotted path into the body, or a path parameter)."""

    field: str
    rule: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem; `code` is for programs, `detail` and `errors[].message` for people."""

    type: str = Field(description="URI of the problem type: urn:reestr:problem:<code>")
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


class ApiProblem(Exception):
    """A refusal raised by the API layer itself (authentication, audit reads)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        problems: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.problems = problems or []
        self.headers = headers or {}


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: str,
    problems: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=f"urn:reestr:problem:{code}",
        title=_TITLES_RU.get(status, "Ошибка"),
        status=status,
        detail=detail,
        code=code,
        instance=request.url.path,
        errors=[FieldError(field=p.field, rule=p.rule, message=p.message) for p in problems or []],
    )
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def status_of(error: RegistryError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, (RuleViolation, InvalidCommand)):
        return 422
    return 422


class _Errors:
    """Request validation errors, shaped as `russian_problems` reads a pydantic ValidationError."""

    def __init__(self, errors: list[dict[str, Any]]):
        self._errors = errors

    def errors(self, include_url: bool = False) -> list[dict[str, Any]]:
        return self._errors


def request_problems(error: RequestValidationError) -> list[FieldProblem]:
    """Field problems named as the command names them: `person.full_name`, not `body.person...`."""
    items = []
    for item in error.errors():
        loc = list(item.get("loc") or ())
        if loc and loc[0] in ("body", "path"):
            loc = loc[1:]
        items.append({**item, "loc": tuple(loc)})
    problems = russian_problems(_Errors(items))  # type: ignore[arg-type]
    return [
        FieldProblem(field=p.field, rule=p.rule, message="Некорректный JSON в теле запроса")
        if p.rule == "json_invalid"
        else p
        for p in problems
    ]


def install_problem_handlers(app: FastAPI) -> None:
    """Every error the API can end in becomes a problem+json response."""

    @app.exception_handler(RegistryError)
    def registry_error(request: Request, error: RegistryError) -> JSONResponse:
        return problem_response(request, status_of(error), error.code, error.message, error.problems)

    @app.exception_handler(ApiProblem)
    def api_problem(request: Request, error: ApiProblem) -> JSONResponse:
        return problem_response(
            request, error.status, error.code, error.detail, error.problems, error.headers
        )

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        return problem_response(
            request, 422, "invalid_command", "Запрос не прошёл проверку", request_problems(error)
        )

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400:  # a body that is not even text: as invalid as bad JSON
            message = "Тело запроса не удалось разобрать: нужен JSON в UTF-8"
            problem = FieldProblem(field="body", rule="json_invalid", message=message)
            return problem_response(request, 422, "invalid_command", message, [problem])
        if error.status_code == 404:
            code, detail = "not_found", "Такого адреса в API нет"
        elif error.status_code == 405:
            code, detail = "method_not_allowed", "Этот метод для адреса не поддерживается"
        else:
            code, detail = "http_error", _TITLES_RU.get(error.status_code, "Ошибка запроса")
        headers = dict(error.headers) if error.headers else None
        return problem_response(request, error.status_code, code, detail, headers=headers)

    @app.exception_handler(Exception)
    def internal_error(request: Request, error: Exception) -> JSONResponse:
        log.error("request_failed", path=request.url.path, error=repr(error), exc_info=error)
        return problem_response(
            request, 500, "internal_error", "Внутренняя ошибка сервера; ничего не записано"
        )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problems a route can end in.

    The `Problem` schema is added to the components by `add_problem_schema` (a `model` here
    would also advertise `application/json`, which these responses never are).
    """
    descriptions = {
        401: "Нет токена, или он неизвестен или отозван",
        403: "Роль или область пользователя не позволяет это действие; ничего не записано",
        404: "Такого идентификатора в реестре нет",
        409: "Конфликт одновременной записи или повторно использованный Idempotency-Key",
        422: "Данные не прошли проверку или нарушают правило предметной области",
    }
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {
            "description": descriptions.get(status, _TITLES_RU.get(status, "Ошибка")),
            "content": {PROBLEM_JSON: {"schema": schema}},
        }
        for status in statuses
    }


def with_position(status: int, responses: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """`responses` plus the success response, documented with its `X-Log-Position` header."""
    header = {
        "X-Log-Position": {
            "description": "Позиция журнала событий, которую отражает ответ",
            "schema": {"type": "integer", "minimum": 0},
        }
    }
    return {**responses, status: {"description": "Выполнено", "headers": header}}


def add_problem_schema(openapi: dict[str, Any]) -> dict[str, Any]:
    """Put `Problem` (and `FieldError`) into the OpenAPI components the responses refer to."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(schema.pop("$defs", {}))
    schemas["Problem"] = schema
    return openapi
