"""The indicator engine: numerator, denominator, share, target, achieved, for any unit and period.

Definitions are data: `DEFAULT_INDICATORS` is the table of DOMAIN.md; targets come from the
log (TargetPlan events). Every organization contributes a numerator (its involved mentees that
fit the definition) and a denominator (one figure of its contingent for the reporting year); a
municipality or region sums both over its organizations and only then divides — it never
averages shares. An organization without that figure is reported as missing, never as 0 %: its
involved mentees are counted apart (`numerator_without_contingent`), the share is taken over the
organizations that reported, and the status says `partial` (some missing) or `missing` (all).
Learners are mentees of category pupil or college_student (both are «обучающиеся» in the
contingent's student figures); see `projections.periods` for reference dates and ages.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from projections.facts import Facts, Org, Unit
from projections.periods import Period

HUNDREDTH = Decimal("0.01")

OK = "ok"
PARTIAL = "partial"
MISSING = "missing"
EMPTY = "empty_contingent"
NOT_APPLICABLE = "not_applicable"

STATUS_RU = {
    OK: "данные полные",
    PARTIAL: "нет контингента части организаций",
    MISSING: "нет данных о контингенте",
    EMPTY: "контингент равен нулю",
    NOT_APPLICABLE: "нет организаций, к которым применим показатель",
}

LEARNERS = ("pupil", "college_student")


@dataclass(frozen=True)
class IndicatorDefinition:
    id: str
    title: str
    short_title: str
    numerator: str
    denominator: str
    denominator_field: str
    categories: tuple[str, ...]
    org_kinds: tuple[str, ...] | None = None
    age_band: tuple[int, int] | None = None
    young_teachers: bool = False
    target_2024: Decimal | None = None

    def counts(self, mentee: Any, period: Period) -> bool:
        """Whether an involved mentee belongs to the numerator in this period."""
        if mentee.category not in self.categories:
            return False
        if self.age_band is not None:
            age = period.age(mentee.birth_year)
            if age is None or not self.age_band[0] <= age <= self.age_band[1]:
                return False
        return not self.young_teachers or period.is_young_teacher(mentee.work_started_on)

    def applies_to(self, org: Org) -> bool:
        return self.org_kinds is None or org.kind in self.org_kinds


DEFAULT_INDICATORS: tuple[IndicatorDefinition, ...] = (
    IndicatorDefinition(
        id="pupils_10_19",
        title="Доля обучающихся в возрасте 10–19 лет, вовлечённых в наставничество",
        short_title="Обучающиеся 10–19 лет",
        numerator="охваченные наставничеством обучающиеся 10–19 лет",
        denominator="обучающиеся 10–19 лет (контингент)",
        denominator_field="students_10_19",
        categories=LEARNERS,
        org_kinds=("school", "college"),
        age_band=(10, 19),
        target_2024=Decimal(70),
    ),
    IndicatorDefinition(
        id="pupils_15_19",
        title="Доля обучающихся в возрасте 15–19 лет, вовлечённых в наставничество",
        short_title="Обучающиеся 15–19 лет",
        numerator="охваченные наставничеством обучающиеся 15–19 лет",
        denominator="обучающиеся 15–19 лет (контингент)",
        denominator_field="students_15_19",
        categories=LEARNERS,
        org_kinds=("school", "college"),
        age_band=(15, 19),
        target_2024=Decimal(10),
    ),
    IndicatorDefinition(
        id="young_teachers",
        title="Доля молодых педагогов (до 35 лет, стаж до 3 лет), вовлечённых в наставничество",
        short_title="Молодые педагоги",
        numerator="охваченные наставничеством молодые специалисты со стажем менее 3 лет",
        denominator="молодые педагоги (контингент)",
        denominator_field="young_teachers",
        categories=("young_teacher",),
        young_teachers=True,
        target_2024=Decimal(70),
    ),
    IndicatorDefinition(
        id="extra_ed",
        title="Доля обучающихся по программам дополнительного образования, вовлечённых в наставничество",
        short_title="Доп. образование",
        numerator="охваченные наставничеством обучающиеся организаций дополнительного образования",
        denominator="обучающиеся по программам дополнительного образования (контингент)",
        denominator_field="students_extra",
        categories=LEARNERS,
        org_kinds=("extra",),
        target_2024=Decimal(70),
    ),
)

INDICATORS: dict[str, IndicatorDefinition] = {d.id: d for d in DEFAULT_INDICATORS}


def percent(numerator: int, denominator: int | None) -> Decimal | None:
    """The share in percent, rounded half up to hundredths; None when it cannot be computed."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(HUNDREDTH, ROUND_HALF_UP)


@dataclass(frozen=True)
class IndicatorValue:
    indicator: str
    unit: Unit
    period: Period
    position: int
    numerator: int
    denominator: int | None
    share: Decimal | None
    target: Decimal | None
    target_source: str | None
    achieved: bool | None
    status: str
    organizations: int
    organizations_missing: tuple[str, ...]
    numerator_without_contingent: int

    @property
    def missing_data(self) -> bool:
        return self.status in (PARTIAL, MISSING)

    def to_dict(self) -> dict[str, Any]:
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "share": _num(self.share),
            "target": _num(self.target),
            "target_source": self.target_source,
            "achieved": self.achieved,
            "status": self.status,
            "missing_data": self.missing_data,
            "organizations": self.organizations,
            "organizations_missing": list(self.organizations_missing),
            "numerator_without_contingent": self.numerator_without_contingent,
        }


def _num(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class IndicatorEngine:
    """Computes indicators over one `Facts` snapshot.

    Per period, every indicator's numerator per organization is computed once from the period's
    groups of involved mentees (each distinct set of attributes tested once per definition); a
    unit's value then sums its organizations' parts."""

    def __init__(self, facts: Facts, definitions: dict[str, IndicatorDefinition] | None = None):
        self.facts = facts
        self.definitions = definitions or INDICATORS
        self._numerators: dict[Period, dict[str, dict[str, int]]] = {}
        self._parts: dict[tuple[str, Period], dict[str, tuple[int, int | None]]] = {}

    def numerators(self, period: Period) -> dict[str, dict[str, int]]:
        """Indicator id -> organization id -> involved mentees that fit the definition."""
        if period not in self._numerators:
            out: dict[str, dict[str, int]] = {indicator: {} for indicator in self.definitions}
            fits: dict[Any, tuple[str, ...]] = {}
            for org_id, attributes, mentees in self.facts.period(period).involved:
                indicators = fits.get(attributes)
                if indicators is None:
                    indicators = fits[attributes] = tuple(
                        d.id for d in self.definitions.values() if d.counts(attributes, period)
                    )
                for indicator in indicators:
                    by_org = out[indicator]
                    by_org[org_id] = by_org.get(org_id, 0) + mentees
            self._numerators[period] = out
        return self._numerators[period]

    def parts(self, indicator: str, period: Period) -> dict[str, tuple[int, int | None]]:
        """Organization id -> (numerator, denominator or None) for applicable open organizations."""
        key = (indicator, period)
        if key not in self._parts:
            definition = self.definitions[indicator]
            numerators = self.numerators(period)[indicator]
            parts: dict[str, tuple[int, int | None]] = {}
            for org in self.facts.organizations.values():
                if not definition.applies_to(org) or not org.open_during(period.start, period.end):
                    continue
                figures = self.facts.contingents.get((org.id, period.reporting_year)) or {}
                parts[org.id] = (numerators.get(org.id, 0), figures.get(definition.denominator_field))
            self._parts[key] = parts
        return self._parts[key]

    def target(self, indicator: str, unit: Unit, year: int) -> tuple[Decimal | None, str | None]:
        """The unit's own target for the year, else its municipality's, else its region's."""
        for holder in self.facts.ancestors(unit):
            plan = self.facts.targets.get((indicator, holder.kind, holder.id))
            if plan and year in plan:
                return plan[year], holder.kind
        return None, None

    def value(self, indicator: str, unit: Unit, period: Period) -> IndicatorValue:
        parts = self.parts(indicator, period)
        numerator = 0
        denominator: int | None = None
        without = 0
        missing: list[str] = []
        organizations = 0
        for org in self.facts.organizations_of(unit):
            if org.id not in parts:
                continue
            organizations += 1
            part_numerator, part_denominator = parts[org.id]
            if part_denominator is None:
                missing.append(org.id)
                without += part_numerator
                continue
            numerator += part_numerator
            denominator = (denominator or 0) + part_denominator
        if organizations == 0:
            status = NOT_APPLICABLE
        elif denominator is None:
            status = MISSING
        elif missing:
            status = PARTIAL
        elif denominator == 0:
            status = EMPTY
        else:
            status = OK
        share = percent(numerator, denominator)
        target, source = self.target(indicator, unit, period.reporting_year)
        achieved = None if share is None or target is None else share >= target
        return IndicatorValue(
            indicator=indicator,
            unit=unit,
            period=period,
            position=self.facts.position,
            numerator=numerator,
            denominator=denominator,
            share=share,
            target=target,
            target_source=source,
            achieved=achieved,
            status=status,
            organizations=organizations,
            organizations_missing=tuple(missing),
            numerator_without_contingent=without,
        )
