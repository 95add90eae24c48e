"""The dynamics report as it was known, its manifest, and the reproduction of a manifest, over HTTP.

As `reestr report dynamics --known-at/--position --manifest` and `reestr report reproduce` do:
`known_at` (an ISO moment: only events recorded by then) or `position` (a log position) computes
the report on the log up to there; `/reports/dynamics/manifest` answers the manifest of the very
bytes `/reports/dynamics` gives for the same parameters (the file name is the one its
Content-Disposition names); `POST /reports/reproduce` recomputes a manifest's report and says
whether it is identical, and why not. Reproduction reads the whole log: admin and auditor only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, Field

from api.auth import Auditor, registry_of
from api.problems import ApiProblem, problem_responses
from api.reads import views_of
from api.reports import (
    PERIOD_PATTERN,
    ReportFormat,
    SchoolYear,
    UnitQuery,
    _filename,
    _unit_in_scope,
    parse_period,
)
from api.scope import ReadScope, Scope
from projections.as_known import known_at_position, moment_text, parse_moment
from projections.facts import Facts, Unit, load_facts
from projections.formats import render
from projections.manifest import (
    ManifestError,
    build_manifest,
    dynamics_parameters,
    dynamics_report_at,
    reproduce,
)
from projections.periods import Period
from projections.projector import project_until
from projections.report import dynamics_report
from projections.report_cache import facts_at_head, rendered
from registry.errors import FieldProblem

router = APIRouter(tags=["Показатели и отчёты"])


def _problem(status: int, field: str, message: str) -> ApiProblem:
    code = "not_found" if status == 404 else "invalid_command"
    return ApiProblem(status, code, message, [FieldProblem(field=field, rule="value", message=message)])


def past_position(registry: Any, known_at: str | None, position: int | None) -> int | None:
    """The log position a report is asked at (None: the head, as the views are)."""
    if known_at is not None and position is not None:
        raise _problem(422, "query.known_at", "Укажите что-то одно: known_at или position")
    if known_at is not None:
        try:
            return known_at_position(registry, parse_moment(known_at))
        except ValueError as error:
            raise _problem(422, "query.known_at", str(error)) from None
    if position is not None and position > registry.position():
        raise _problem(404, "query.position", f"Позиция {position} ещё не записана (журнал на позиции "
                                              f"{registry.position()})")
    return position


def facts_at(registry: Any, position: int, periods: list[Period]) -> Facts:
    """The facts of the log up to `position` (a projection of its own, closed after reading)."""
    store = project_until(registry, position)
    try:
        return load_facts(store, periods)
    finally:
        store.close()


def unit_text(unit: Unit | None) -> str | None:
    """The unit as a manifest names it (`Facts.find_unit` reads it back)."""
    return None if unit is None else f"{unit.kind}:{unit.id}"


def report_bytes(
    request: Request,
    facts: Facts,
    unit: Unit | None,
    texts: tuple[str, str],
    school_year: bool,
    fmt: str,
    known_at: str | None,
) -> tuple[bytes, dict[str, Any]]:
    """The report's bytes at the facts' position, and the manifest parameters that recompute them."""
    parameters = dynamics_parameters(
        from_period=texts[0], to_period=texts[1], school_year=school_year, unit=unit_text(unit), fmt=fmt,
        known_at=moment_text(parse_moment(known_at)) if known_at is not None else None,
    )
    report = dynamics_report_at(registry_of(request), parameters, facts.position, facts=facts)
    return render(report, fmt), parameters


def manifest_of(request: Request, parameters: dict[str, Any], position: int, data: bytes, name: str) -> dict[str, Any]:
    """The manifest of report bytes just computed (`name`: the file they are downloaded as)."""
    return build_manifest(registry_of(request), kind="dynamics", parameters=parameters, position=position,
                          output=Path(name), data=data)


KnownAt = Annotated[
    str | None,
    Query(max_length=40, description="Как было известно на момент (ISO: 2021-01-15 или 2021-01-15T12:00:00+10:00): "
          "только события, записанные к этому моменту"),
]
AtPosition = Annotated[int | None, Query(ge=0, description="Позиция журнала событий, на которой считать справку")]
FromPeriod = Annotated[str, Query(alias="from", max_length=10, pattern=PERIOD_PATTERN, description="Первый период")]
ToPeriod = Annotated[str, Query(alias="to", max_length=10, pattern=PERIOD_PATTERN, description="Второй период")]


def dynamics_bytes(
    request: Request, scope: ReadScope, texts: tuple[str, str], unit: str | None, school_year: bool, chosen: str,
    known_at: str | None, position: int | None,
) -> tuple[bytes, int, tuple[Period, Period], dict[str, Any]]:
    """The report's bytes, its position and periods, and the manifest parameters that recompute it."""
    period_a = parse_period(texts[0], school_year, "query.from")
    period_b = parse_period(texts[1], school_year, "query.to")
    at = past_position(registry_of(request), known_at, position)
    if at is not None:  # as known then: a projection of the log up to there
        facts = facts_at(registry_of(request), at, [period_a, period_b])
        found = _unit_in_scope(facts, scope, unit)
        data, parameters = report_bytes(request, facts, found, texts, school_year, chosen, known_at)
        return data, facts.position, (period_a, period_b), parameters
    views = views_of(request)
    facts = facts_at_head(views, [period_a, period_b])
    found = _unit_in_scope(facts, scope, unit)  # every request: the reader's scope is checked
    key = ("dynamics", period_a, period_b, found, chosen)
    data = rendered(views, facts, key,
                    lambda: render(dynamics_report(facts, period_a, period_b, scope=found), chosen))
    parameters = dynamics_parameters(from_period=texts[0], to_period=texts[1], school_year=school_year,
                                     unit=unit_text(found), fmt=chosen)
    return data, facts.position, (period_a, period_b), parameters


@router.get(
    "/reports/dynamics/manifest",
    summary="Манифест воспроизводимости справки",
    description="Манифест тех самых байтов, что отдаёт /reports/dynamics с теми же параметрами: позиция журнала, "
    "корень дерева журнала, параметры, sha256. По нему справку пересчитывают байт в байт (/reports/reproduce).",
    operation_id="DynamicsReportManifest",
    responses=problem_responses(401, 403, 404, 422),
)
def dynamics_manifest(
    request: Request,
    scope: Scope,
    from_period: FromPeriod = "2020",
    to_period: ToPeriod = "2021",
    unit: UnitQuery = None,
    school_year: SchoolYear = False,
    format: Annotated[ReportFormat, Query(description="Формат справки")] = "json",
    known_at: KnownAt = None,
    position: AtPosition = None,
) -> dict[str, Any]:
    data, at, (period_a, period_b), parameters = dynamics_bytes(
        request, scope, (from_period, to_period), unit, school_year, format, known_at, position)
    return manifest_of(request, parameters, at, data, _filename(at, period_a, period_b, format))


class ReproductionOut(BaseModel):
    identical: bool = Field(description="Пересчёт совпал с манифестом байт в байт, журнал тот же")
    sha256: str = Field(description="sha256 пересчитанного отчёта")
    bytes: int
    problems: list[str] = Field(description="Почему не совпало (по-русски)")
    notes: list[str]


@router.post(
    "/reports/reproduce",
    response_model=ReproductionOut,
    summary="Воспроизвести отчёт по манифесту",
    description="Пересчитывает отчёт на позиции журнала из манифеста с его параметрами и сравнивает: "
    "корень дерева журнала и sha256 отчёта. Только администратор и аудитор.",
    operation_id="ReproduceReport",
    responses=problem_responses(401, 403, 404, 422),
)
def reproduce_manifest(request: Request, actor: Auditor, manifest: dict[str, Any] = Body(...)) -> ReproductionOut:
    registry = registry_of(request)
    for key in ("report", "parameters", "position", "merkle_root", "output"):
        if key not in manifest:
            raise _problem(422, f"body.{key}", f"В манифесте нет поля «{key}»")
    try:
        outcome = reproduce(registry, manifest)
    except ManifestError as error:
        raise _problem(422, "body", str(error)) from None
    except (KeyError, TypeError, ValueError) as error:
        raise _problem(422, "body.parameters", f"Параметры манифеста не прочитаны: {error}") from None
    return ReproductionOut(identical=outcome.identical, sha256=outcome.sha256, bytes=len(outcome.data),
                           problems=outcome.problems, notes=outcome.notes)
