"""The report builder's question and its answer: the dynamics report as the API and the CLI make it.

A question is two periods, a unit, calendar or school years, and optionally a day "as known"
(only the events recorded by the end of that day, UTC). The answer is the report dict of
`projections.manifest.dynamics_report_at` — the function `reestr report dynamics` and
`reestr report reproduce` use — so a file downloaded here comes with a manifest that reproduces
it byte for byte. The reader's scope decides which units may be asked for (`api.scope`), with
the API's own checks (`api.reports`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from api.problems import ApiProblem
from api.reports import _unit_in_scope, parse_period
from api.scope import ReadScope
from projections.as_known import known_at_position, moment_text, parse_moment
from projections.facts import MUNICIPALITY, ORGANIZATION, REGION, Facts
from projections.formats import render
from projections.manifest import build_manifest, dynamics_parameters, dynamics_report_at
from projections.periods import Period
from projections.projector import project_until
from projections.report_cache import facts_at_head, kept, rendered
from projections.store import ViewStore

FORMATS = ("html", "xlsx", "csv", "json")
FORMAT_RU = {"html": "веб-страница (HTML)", "xlsx": "Excel (XLSX)", "csv": "таблица CSV", "json": "данные JSON"}

_DAY_RU = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_day(text: str) -> date:
    """A day written dd.mm.yyyy (or ISO yyyy-mm-dd, as a date field sends it); ValueError if not."""
    text = text.strip()
    found = _DAY_RU.match(text)
    if found:
        day, month, year = (int(part) for part in found.groups())
        return date(year, month, day)
    return date.fromisoformat(text)


@dataclass(frozen=True)
class ReportQuestion:
    """What the builder asks; `errors` maps a form field to a Russian message beside it."""

    from_period: str = "2020"
    to_period: str = "2021"
    school_year: bool = False
    unit: str | None = None
    known_on: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_form(cls, values: dict[str, str], today: date) -> ReportQuestion:
        """The question of the builder's form fields (`from`, `to`, `school_year`, `unit`, `known_on`)."""
        errors: dict[str, str] = {}
        school_year = values.get("school_year") in ("1", "on", "true")
        periods = {}
        for name, default in (("from", "2020"), ("to", "2021")):
            text = (values.get(name) or default).strip()
            try:
                period = parse_period(text, school_year, name)
                periods[name] = period.key if "/" in text else text
            except ApiProblem as problem:
                errors[name] = problem.detail
                periods[name] = text
        known_on = None
        if values.get("known_on", "").strip():
            try:
                known_on = parse_day(values["known_on"])
            except ValueError:
                errors["known_on"] = "Дата не распознана: нужно дд.мм.гггг, например 15.01.2021"
            else:
                if known_on > today:  # `today`: the real date (the log records real moments)
                    errors["known_on"] = "Дата «как было известно» не может быть в будущем"
        unit = (values.get("unit") or "").strip() or None
        return cls(periods["from"], periods["to"], school_year, unit, known_on, errors)

    def periods(self) -> tuple[Period, Period]:
        return (
            Period.parse(self.from_period, school_year=self.school_year),
            Period.parse(self.to_period, school_year=self.school_year),
        )

    def query(self, **more: str) -> dict[str, str]:
        """The question as the query string of the builder's links."""
        values = {"from": self.from_period, "to": self.to_period}
        if self.school_year:
            values["school_year"] = "1"
        if self.unit:
            values["unit"] = self.unit
        if self.known_on:
            values["known_on"] = self.known_on.strftime("%d.%m.%Y")
        return {**values, **more}


@dataclass
class ReportAnswer:
    """A computed report: its parameters (as a manifest states them), position and dict."""

    parameters: dict[str, Any]
    position: int
    report: dict[str, Any]
    facts: Facts


def answer(registry: Any, views: ViewStore, scope: ReadScope, question: ReportQuestion, fmt: str) -> ReportAnswer:
    """The report for the question, in the reader's scope (403 / 404 ApiProblem otherwise)."""
    period_a, period_b = question.periods()
    known_moment = None
    if question.known_on is not None:
        known_moment = parse_moment(question.known_on.isoformat())  # the end of that day, UTC
        position = known_at_position(registry, known_moment)
        store = project_until(registry, position)
        try:
            from projections.facts import load_facts

            facts = load_facts(store, [period_a, period_b])
        finally:
            store.close()
    else:
        facts = facts_at_head(views, [period_a, period_b])
    unit = question.unit or scope.default_unit()
    found = _unit_in_scope(facts, scope, unit)  # the API's check: 403 outside the scope
    parameters = dynamics_parameters(
        from_period=question.from_period,
        to_period=question.to_period,
        school_year=question.school_year,
        unit=None if found is None else f"{found.kind}:{found.id}",
        fmt=fmt,
        known_at=moment_text(known_moment) if known_moment is not None else None,
    )
    if known_moment is None:  # a report of the head: made once per log position (start pages ask often)
        report = kept(views, facts.position, ("staff-dynamics-report", tuple(sorted(parameters.items()))),
                      lambda: dynamics_report_at(registry, parameters, facts.position, facts=facts))
    else:
        report = dynamics_report_at(registry, parameters, facts.position, facts=facts)
    return ReportAnswer(parameters, facts.position, report, facts)


def report_bytes(views: ViewStore, result: ReportAnswer) -> bytes:
    """The report rendered in its parameters' format (kept per position, as the API keeps it)."""
    key = ("staff-dynamics", tuple(sorted((k, str(v)) for k, v in result.parameters.items())))
    return rendered(views, result.facts, key, lambda: render(result.report, result.parameters["format"]))


def file_name(result: ReportAnswer) -> str:
    period_a, period_b = (re.sub(r"[^0-9A-Za-z-]", "-", str(result.parameters[k])) for k in ("from", "to"))
    known = "_known" if result.parameters.get("known_at") else ""
    return f"dynamics_{period_a}_{period_b}_p{result.position}{known}.{result.parameters['format']}"


def manifest_of(registry: Any, result: ReportAnswer, data: bytes) -> dict[str, Any]:
    """The reproducibility manifest of the file `file_name(result)` with these bytes."""
    return build_manifest(
        registry,
        kind="dynamics",
        parameters=result.parameters,
        position=result.position,
        output=Path(file_name(result)),
        data=data,
    )


def unit_choices(facts: Facts, scope: ReadScope) -> list[tuple[str, list[tuple[str, str]]]]:
    """(group label, [(value, name)]) of the units the reader may ask a report about."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    regions = [r for r in facts.regions() if scope.covers_unit(r)]
    if regions:
        groups.append(("Регион", [(f"{REGION}:{r.id}", r.name) for r in regions]))
    municipalities = [m for m in facts.municipalities_of() if scope.covers_unit(m)]
    if municipalities:
        groups.append(("Муниципалитеты", [(f"{MUNICIPALITY}:{m.id}", m.name) for m in municipalities]))
    organizations = sorted(
        (facts.unit_of(o) for o in facts.organizations.values()),
        key=lambda u: (
            facts.municipalities[u.municipality_id].name if u.municipality_id in facts.municipalities else "",
            u.name,
            u.id,
        ),
    )
    allowed = [(f"{ORGANIZATION}:{u.id}", u.name) for u in organizations if scope.covers_unit(u)]
    if allowed:
        groups.append(("Организации", allowed))
    return groups
