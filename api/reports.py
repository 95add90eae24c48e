"""Indicators and the dynamics report (аналитическая справка) over HTTP.

Both are computed from one snapshot of the views (`load_facts`: per-organization aggregates of
the periods asked for) and state its log position (`X-Log-Position`, `position` in JSON; the CSV
carries it in every row, the HTML and XLSX on the page). The report is rendered by
`projections.formats`, so the bytes are those `reestr report dynamics` writes at the same
position (JSON compact). Facts and rendered reports are kept per log position
(`projections.report_cache`): a report is a function of the position and its parameters. Its format comes from `?format=`, else from the Accept
header (JSON by default). A municipal coordinator reads its municipality (the default unit) or its
organizations, a curator its organization; admin and auditor any unit (by default the region).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, Field

from api.problems import PROBLEM_JSON, ApiProblem, problem_responses
from api.reads import views_of
from api.scope import ReadScope, Scope
from projections.counts import Counts
from projections.facts import MUNICIPALITY, ORGANIZATION, REGION, Facts, Unit
from projections.indicators import INDICATORS, IndicatorEngine
from projections.periods import Period
from projections.report_cache import facts_at_head
from registry.errors import FieldProblem

router = APIRouter(tags=["Показатели и отчёты"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": XLSX,
    "html": "text/html; charset=utf-8",
}
_ACCEPTED = {
    "application/json": "json",
    "application/*": "json",
    "*/*": "json",
    "text/csv": "csv",
    XLSX: "xlsx",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/*": "html",
}

UNIT_PATTERN = r"^(region(:.+)?|(municipality|organization):.+)$"
PERIOD_PATTERN = r"^(\d{4}(/\d{2})?|\d{4}-\d{2}-\d{2})$"

UnitQuery = Annotated[
    str | None,
    Query(
        max_length=300,
        pattern=UNIT_PATTERN,
        description="region, region:<название>, municipality:<id> или organization:<id>; по умолчанию "
        "регион (администратор, аудитор), свой муниципалитет (координатор), своя организация (куратор)",
    ),
]
SchoolYear = Annotated[
    bool, Query(description="Годы — учебные (1 сентября – 31 августа): 2021 значит 2021/22 учебный год")
]


def _problem(status: int, field: str, message: str, code: str = "invalid_command") -> ApiProblem:
    rule = "exists" if status == 404 else "value"
    return ApiProblem(status, code, message, [FieldProblem(field=field, rule=rule, message=message)])


def parse_period(text: str, school_year: bool, field: str) -> Period:
    """`2021`, `2021/22` or `2021-12-31` (422 for a date that does not exist or a bad school year)."""
    try:
        period = Period.parse(text, school_year=school_year)
    except (ValueError, OverflowError):
        raise _problem(422, field, f"Период «{text}» не распознан: нужно 2021, 2021/22 или 2021-12-31") from None
    if "/" in text and period.key != text:
        raise _problem(422, field, f"Учебный год «{text}» записан неверно: например, {period.key}")
    return period


def resolve_unit(facts: Facts, text: str, field: str = "query.unit") -> Unit:
    """A unit of the views: 404 if there is none such, 422 if the region is ambiguous."""
    kind, _, key = text.partition(":")
    if kind == REGION:
        regions = facts.regions()
        if not key:
            if len(regions) == 1:
                return regions[0]
            if not regions:
                raise _problem(404, field, "В реестре ещё нет ни одного муниципалитета (и региона)", "not_found")
            raise _problem(422, field, "В реестре несколько регионов: укажите region:<название>")
        for region in regions:
            if region.id == key:
                return region
    elif kind == MUNICIPALITY and key in facts.municipalities:
        return facts.municipalities[key]
    elif kind == ORGANIZATION and key in facts.organizations:
        return facts.unit_of(facts.organizations[key])
    raise _problem(404, field, f"Единица «{text}» не найдена в реестре", "not_found")


def _unit_in_scope(facts: Facts, scope: ReadScope, unit: str | None) -> Unit | None:
    """The unit asked for (or the reader's default; None: every region), if the reader may see it."""
    text = unit or scope.default_unit()
    if text is None:
        return None  # as `reestr report dynamics` without --unit: every region
    found = resolve_unit(facts, text)
    if not scope.covers_unit(found):
        raise scope.refuse_unit(found)
    return found


# -- indicators ----------------------------------------------------------------------------------


class UnitOut(BaseModel):
    kind: Literal["region", "municipality", "organization"]
    id: str
    name: str
    municipality_id: str | None = None
    region: str | None = None


class PeriodOut(BaseModel):
    kind: Literal["calendar_year", "school_year", "day"]
    key: str
    label: str
    start: str
    end: str
    reference_date: str
    reporting_year: int


class IndicatorFigures(BaseModel):
    numerator: int
    denominator: int | None
    share: float | None = Field(description="Доля, %, до сотых (null — нет знаменателя)")
    target: float | None
    target_source: str | None = Field(description="Чьё целевое значение: organization, municipality, region")
    achieved: bool | None
    status: str = Field(description="ok, partial, missing, empty_contingent, not_applicable")
    missing_data: bool
    organizations: int
    organizations_missing: list[str]
    numerator_without_contingent: int


class IndicatorOut(IndicatorFigures):
    id: str
    title: str
    numerator_definition: str
    denominator_definition: str


class FormCount(BaseModel):
    form: str
    title: str
    count: int


class ChecklistCount(BaseModel):
    item: str
    title: str
    done: int


class CountsOut(BaseModel):
    organizations: int
    mentors_in_registry: int
    mentors_trained: int
    trained_share: float | None
    mentees_involved: int
    pairs_active: int
    pairs_by_form: list[FormCount]
    programs: int
    outputs: int
    checklist: list[ChecklistCount]
    checklist_complete: int


class IndicatorsOut(BaseModel):
    position: int = Field(description="Позиция журнала событий, на которой рассчитаны показатели")
    unit: UnitOut
    period: PeriodOut
    indicators: list[IndicatorOut]
    counts: CountsOut


IndicatorId = Literal["pupils_10_19", "pupils_15_19", "young_teachers", "extra_ed"]
assert set(IndicatorId.__args__) == set(INDICATORS), "IndicatorId must list every indicator"  # type: ignore[attr-defined]


def _unit_out(unit: Unit) -> UnitOut:
    return UnitOut(
        kind=unit.kind,  # type: ignore[arg-type]
        id=unit.id,
        name=unit.name,
        municipality_id=unit.municipality_id,
        region=unit.region,
    )


@router.get(
    "/indicators",
    response_model=IndicatorsOut,
    summary="Показатели единицы за период: числитель, знаменатель, доля, цель; и счётчики",
    operation_id="Indicators",
    responses={
        **problem_responses(401, 403, 404, 422),
        200: {
            "description": "Выполнено",
            "headers": {
                "X-Log-Position": {
                    "description": "Позиция журнала событий, которую отражает ответ",
                    "schema": {"type": "integer", "minimum": 0},
                }
            },
        },
    },
)
def indicators(
    request: Request,
    response: Response,
    scope: Scope,
    unit: UnitQuery = None,
    period: Annotated[
        str, Query(max_length=10, pattern=PERIOD_PATTERN, description="2021, 2021/22 или 2021-12-31")
    ] = "2021",
    school_year: SchoolYear = False,
    indicator: Annotated[list[IndicatorId] | None, Query(description="Только эти показатели")] = None,
) -> IndicatorsOut:
    chosen_period = parse_period(period, school_year, "query.period")
    facts = facts_at_head(views_of(request), [chosen_period])
    found = _unit_in_scope(facts, scope, unit or scope.default_unit() or REGION)
    assert found is not None
    engine = IndicatorEngine(facts)
    wanted = [i for i in INDICATORS if not indicator or i in indicator]
    values = []
    for indicator_id in wanted:
        definition = INDICATORS[indicator_id]
        value = engine.value(indicator_id, found, chosen_period)
        values.append(
            IndicatorOut(
                id=indicator_id,
                title=definition.title,
                numerator_definition=definition.numerator,
                denominator_definition=definition.denominator,
                **value.to_dict(),
            )
        )
    response.headers["X-Log-Position"] = str(facts.position)
    return IndicatorsOut(
        position=facts.position,
        unit=_unit_out(found),
        period=PeriodOut(**chosen_period.to_dict()),  # type: ignore[arg-type]
        indicators=values,
        counts=CountsOut(**Counts(facts, engine).of(found, chosen_period)),
    )


# -- the dynamics report -------------------------------------------------------------------------


class ReportScope(BaseModel):
    kind: Literal["region", "municipality", "organization"]
    id: str
    name: str


class ReportPeriods(BaseModel):
    a: PeriodOut
    b: PeriodOut


class ReportRow(BaseModel):
    unit_kind: Literal["region", "municipality", "organization"]
    unit_id: str
    unit_name: str
    municipality_id: str | None
    rank: int | None
    a: IndicatorFigures
    b: IndicatorFigures
    change_pp: float | None = Field(description="Изменение доли, процентных пунктов")
    declined: bool
    missing_data: bool


class RankingRow(BaseModel):
    rank: int
    unit_id: str
    unit_name: str
    share: float
    change_pp: float | None
    target: float | None


class ReportIndicator(BaseModel):
    id: str
    title: str
    short_title: str
    numerator: str
    denominator: str
    target_2024: float | None
    rows: list[ReportRow]
    ranking: list[RankingRow]


class ReportCounts(BaseModel):
    unit_kind: Literal["region", "municipality", "organization"]
    unit_id: str
    unit_name: str
    a: CountsOut
    b: CountsOut


class DynamicsReport(BaseModel):
    """The report as JSON (the same dict the CSV, XLSX and HTML are rendered from)."""

    report: Literal["dynamics"]
    title: str
    position: int = Field(description="Позиция журнала событий, на которой рассчитана справка")
    scope: ReportScope | None
    periods: ReportPeriods
    reference_date_rule: str
    ranked_unit_kind: Literal["municipality", "organization"]
    statuses: dict[str, str]
    municipalities: dict[str, str]
    indicators: list[ReportIndicator]
    counts: list[ReportCounts]
    feedback: dict[str, Any] | None = Field(
        default=None, description="Анкеты участников завершённых пар: число и средние оценки по единицам "
        "(нет раздела — нет анкет)"
    )


ReportFormat = Literal["json", "csv", "xlsx", "html"]


def negotiate(fmt: str | None, accept: str | None) -> str:
    """`?format=` first; else the most preferred type of the Accept header we can make (JSON by
    default); 406 if the header accepts none of them."""
    if fmt:
        return fmt
    if not accept or not accept.strip():
        return "json"
    offers: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        chosen = _ACCEPTED.get(media.lower())
        if chosen is not None and quality > 0:
            offers.append((-quality, index, chosen))
    if not offers:
        raise ApiProblem(
            406,
            "not_acceptable",
            "Справка бывает только в форматах JSON, CSV, XLSX и HTML (заголовок Accept или ?format=)",
        )
    return min(offers)[2]


def _filename(position: int, period_a: Period, period_b: Period, fmt: str) -> str:
    a, b = (re.sub(r"[^0-9A-Za-z-]", "-", period.key) for period in (period_a, period_b))
    return f"dynamics_{a}_{b}_p{position}.{fmt}"


_POSITION_HEADER = {
    "X-Log-Position": {
        "description": "Позиция журнала событий, на которой рассчитана справка",
        "schema": {"type": "integer", "minimum": 0},
    },
}
REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **problem_responses(401, 403, 404, 422),
    406: {
        "description": "Заголовок Accept не допускает ни одного из форматов справки",
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    },
    200: {
        "description": "Справка в выбранном формате",
        "headers": _POSITION_HEADER,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
            "text/html": {"schema": {"type": "string"}},
        },
    },
}


@router.get(
    "/reports/dynamics",
    response_model=DynamicsReport,
    summary="Аналитическая справка: два периода рядом (JSON, CSV, XLSX, HTML)",
    description=(
        "Формат — параметр `format` или заголовок Accept (`application/json`, `text/csv`, "
        f"`{XLSX}`, `text/html`). Для CSV и XLSX — заголовок Content-Disposition с именем файла. "
        "`known_at` или `position` — справка, как она была известна тогда (как `reestr report dynamics`)."
    ),
    operation_id="DynamicsReport",
    responses=REPORT_RESPONSES,
)
def dynamics(
    request: Request,
    scope: Scope,
    from_period: Annotated[
        str, Query(alias="from", max_length=10, pattern=PERIOD_PATTERN, description="Первый период")
    ] = "2020",
    to_period: Annotated[
        str, Query(alias="to", max_length=10, pattern=PERIOD_PATTERN, description="Второй период")
    ] = "2021",
    unit: UnitQuery = None,
    school_year: SchoolYear = False,
    format: Annotated[ReportFormat | None, Query(description="Формат; иначе по заголовку Accept")] = None,
    known_at: Annotated[
        str | None,
        Query(max_length=40, description="Как было известно на момент (ISO: 2021-01-15 или "
              "2021-01-15T12:00:00+10:00): только события, записанные к этому моменту"),
    ] = None,
    position: Annotated[int | None, Query(ge=0, description="Позиция журнала, на которой считать справку")] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    from api.reports_known import dynamics_bytes

    chosen = negotiate(format, accept)
    data, at, (period_a, period_b), _ = dynamics_bytes(
        request, scope, (from_period, to_period), unit, school_year, chosen, known_at, position)
    headers = {"X-Log-Position": str(at), "Vary": "Accept"}
    if chosen in ("csv", "xlsx"):
        headers["Content-Disposition"] = f'attachment; filename="{_filename(at, period_a, period_b, chosen)}"'
    return Response(data, media_type=MEDIA_TYPES[chosen], headers=headers)
