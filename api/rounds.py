"""Reads of monitoring rounds, their reminders and the frozen report of a closed round.

Opening and closing are writes of the table in `api.writes`. Who sees a round: admin and auditor
all; a municipal coordinator the rounds of its municipality and those asking its organizations;
a curator the rounds asking its organization — and everyone only the organizations in their
scope (`api.scope`). Statuses of an open round are judged now; of a closed one, as frozen at the
close. Reminders go by e-mail only when the server is set up for it (`REESTR_REMINDER_MAIL`).
"""

from __future__ import annotations

import smtplib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from uuid import UUID

import structlog
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from api.auth import current_actor, registry_of
from api.problems import ApiProblem, problem_responses, with_position
from api.reads.common import ITEM_PROBLEMS, READ_PROBLEMS, not_found, read
from api.scope import ReadScope, Scope, scope_of
from projections import rounds as r
from projections.manifest import build_manifest
from projections.store import Tx
from registry.values import Actor, Role

log = structlog.get_logger("reestr.api")

router = APIRouter(prefix="/monitoring-rounds", tags=["Мониторинг"])

class RoundOut(BaseModel):
    id: str
    title: str
    year: int
    asked: list[str] = Field(description="Что запрашивается: contingent, checklist, outputs, pairs")
    checklist_items: list[str]
    organization_kinds: list[str]
    municipality_id: str | None = Field(description="Муниципалитет (пусто — мониторинг региона)")
    opened_on: date
    due_on: date
    time_zone: str
    closed_on: date | None
    status: Literal["open", "closed"]


class Summary(BaseModel):
    submitted: int = Field(description="Представили в срок")
    late: int = Field(description="Представили с опозданием")
    missing: int = Field(description="Не представили")
    overdue: int = Field(description="Не представили, срок истёк")


class RoundItem(BaseModel):
    position: int
    item: RoundOut
    summary: Summary = Field(description="По организациям в вашей области")


class RoundList(BaseModel):
    position: int
    items: list[RoundOut]


class OrganizationStatus(BaseModel):
    organization_id: str
    organization: str
    municipality_id: str
    municipality: str
    status: Literal["submitted", "late", "missing"]
    status_ru: str
    overdue: bool = Field(description="Не представлено, а срок истёк")
    last_recorded_at: str | None = Field(description="Когда записан последний из запрошенных фактов (UTC)")
    missing: list[str] = Field(description="Коды незаписанных фактов (contingent:2021, checklist:…)")
    missing_ru: list[str]


class StatusList(BaseModel):
    position: int
    frozen: bool = Field(description="Мониторинг закрыт: статусы на момент закрытия")
    items: list[OrganizationStatus]


class Reminder(BaseModel):
    organization_id: str
    organization: str
    municipality: str
    overdue: bool
    text: str


class ReminderList(BaseModel):
    position: int
    recipients: list[str] = Field(description="Кому уходят напоминания по почте")
    items: list[Reminder]


class ReminderSent(BaseModel):
    position: int
    recipients: list[str]
    reminded: int = Field(description="Сколько организаций в письме")


class RoundReport(BaseModel):
    manifest: dict[str, Any] = Field(description="Манифест: `reestr report reproduce` пересчитывает отчёт")
    report: dict[str, Any]


# -- helpers ------------------------------------------------------------------------------------


def _now() -> str:
    return r.stamp(datetime.now(UTC))


def _round(tx: Tx, scope: ReadScope, round_id: UUID) -> dict[str, Any]:
    found = r.visible_rounds(tx, scope.area, str(round_id))
    if not found:
        raise not_found("Мониторинга", "round_id", round_id)
    return found[0]


def _out(rnd: dict[str, Any]) -> RoundOut:
    return RoundOut(**{k: rnd[k] for k in RoundOut.model_fields if k != "status"},
                    status="closed" if rnd["closed_at"] else "open")


def _statuses(tx: Tx, scope: ReadScope, rnd: dict[str, Any]) -> list[dict[str, Any]]:
    if rnd["closed_at"]:
        return r.frozen_report(tx, rnd["id"], area=scope.area)
    return r.statuses(tx, rnd, _now(), area=scope.area)


def _with_russian(item: dict[str, Any], titles: dict[str, str]) -> OrganizationStatus:
    return OrganizationStatus(
        **item,
        status_ru=r.STATUS_RU[item["status"]],
        missing_ru=[r.requirement_ru(code, titles) for code in item["missing"]],
    )


def _require_coordinator(actor: Actor, rnd: dict[str, Any]) -> None:
    """The institute, or the municipal coordinator of the round's municipality."""
    if actor.role == Role.ADMIN:
        return
    if actor.role == Role.MUNICIPAL and rnd["municipality_id"] == actor.municipality_id:
        return
    raise ApiProblem(403, "forbidden", "Это может только тот, кто проводит мониторинг")


# -- routes ---------------------------------------------------------------------------------------


@router.get("", response_model=RoundList, summary="Мониторинги", operation_id="ListMonitoringRounds",
            responses=READ_PROBLEMS)
def list_rounds(request: Request, response: Response, scope: Scope) -> RoundList:
    position, rows = read(request, response, lambda tx: r.visible_rounds(tx, scope.area))
    return RoundList(position=position, items=[_out(row) for row in rows])


@router.get("/{round_id}", response_model=RoundItem, summary="Мониторинг и его итоги",
            operation_id="GetMonitoringRound", responses=ITEM_PROBLEMS)
def get_round(request: Request, response: Response, scope: Scope, round_id: UUID) -> RoundItem:
    def build(tx: Tx) -> tuple[dict[str, Any], dict[str, int]]:
        rnd = _round(tx, scope, round_id)
        return rnd, r.summary(_statuses(tx, scope, rnd))

    position, (rnd, counts) = read(request, response, build)
    return RoundItem(position=position, item=_out(rnd), summary=Summary(**counts))


@router.get("/{round_id}/organizations", response_model=StatusList,
            summary="Статус организаций: представили в срок, с опозданием, не представили",
            operation_id="MonitoringRoundStatuses", responses=ITEM_PROBLEMS)
def round_statuses(
    request: Request,
    response: Response,
    scope: Scope,
    round_id: UUID,
    status: Annotated[Literal["submitted", "late", "missing"] | None, Query(description="Только этот статус")] = None,
    overdue: Annotated[bool | None, Query(description="true — только просроченные")] = None,
) -> StatusList:
    def build(tx: Tx) -> tuple[bool, list[OrganizationStatus]]:
        rnd = _round(tx, scope, round_id)
        titles = r.checklist_titles(tx)
        items = [
            _with_russian(item, titles)
            for item in _statuses(tx, scope, rnd)
            if (status is None or item["status"] == status) and (overdue is None or item["overdue"] == overdue)
        ]
        return bool(rnd["closed_at"]), items

    position, (frozen, items) = read(request, response, build)
    return StatusList(position=position, frozen=frozen, items=items)


def _reminders(tx: Tx, scope: ReadScope, round_id: UUID) -> tuple[dict[str, Any], list[Reminder]]:
    rnd = _round(tx, scope, round_id)
    titles = r.checklist_titles(tx)
    items = [
        Reminder(organization_id=item["organization_id"], organization=item["organization"],
                 municipality=item["municipality"], overdue=item["overdue"],
                 text=r.reminder_text(rnd, item, titles))
        for item in _statuses(tx, scope, rnd)
        if item["status"] == r.MISSING
    ]
    return rnd, items


@router.get("/{round_id}/reminders", response_model=ReminderList,
            summary="Напоминания организациям, которые ещё не представили сведения",
            operation_id="MonitoringRoundReminders", responses=ITEM_PROBLEMS)
def reminders(request: Request, response: Response, scope: Scope, round_id: UUID) -> ReminderList:
    position, (rnd, items) = read(request, response, lambda tx: _reminders(tx, scope, round_id))
    return ReminderList(position=position, recipients=rnd["reminders_to"], items=items)


@router.post("/{round_id}/reminders/send", response_model=ReminderSent,
             summary="Отправить напоминания по электронной почте",
             description="Одно письмо адресатам мониторинга со списком организаций, не представивших "
             "сведения. Работает, только если на сервере включена почта (REESTR_REMINDER_MAIL).",
             operation_id="SendMonitoringRoundReminders",
             responses=with_position(200, problem_responses(401, 403, 404, 409, 422, 502)))
def send_reminders(
    request: Request, response: Response, actor: Annotated[Actor, Depends(current_actor)], round_id: UUID
) -> ReminderSent:
    scope = scope_of(actor)
    position, (rnd, items) = read(request, response, lambda tx: _reminders(tx, scope, round_id))
    _require_coordinator(actor, rnd)
    mail = getattr(request.app.state, "reminder_mail", None)
    if mail is None:
        raise ApiProblem(409, "mail_disabled", "Отправка писем на сервере выключена (REESTR_REMINDER_MAIL)")
    if rnd["closed_at"]:
        raise ApiProblem(409, "round_closed", "Мониторинг закрыт: напоминать некому")
    if not rnd["reminders_to"]:
        raise ApiProblem(409, "no_recipients", "В мониторинге не указаны адреса для напоминаний (reminders_to)")
    if items:
        body = "\n".join(
            [f"Мониторинг «{rnd['title']}», срок — {date.fromisoformat(rnd['due_on']):%d.%m.%Y}.",
             f"Не представили сведения: {len(items)}.", ""] + [item.text for item in items]
        )
        try:
            mail.send(list(rnd["reminders_to"]), f"Напоминание: мониторинг «{rnd['title']}»", body)
        except (OSError, smtplib.SMTPException) as error:
            log.error("round_reminders_failed", round_id=str(round_id), error=repr(error))
            raise ApiProblem(502, "mail_failed", f"Почтовый сервер не принял письмо: {error}") from None
        log.info("round_reminders_sent", round_id=str(round_id), organizations=len(items), user_id=actor.user_id)
    return ReminderSent(position=position, recipients=rnd["reminders_to"], reminded=len(items))


@router.get("/{round_id}/report", response_model=RoundReport,
            summary="Отчёт закрытого мониторинга с манифестом (воспроизводим на позиции закрытия)",
            operation_id="MonitoringRoundReport",
            responses=with_position(200, problem_responses(401, 403, 404, 409, 422)))
def round_report(
    request: Request, response: Response, actor: Annotated[Actor, Depends(current_actor)], round_id: UUID
) -> RoundReport:
    scope = scope_of(actor)
    registry = registry_of(request)
    _, rnd = read(request, response, lambda tx: _round(tx, scope, round_id))
    if actor.role != Role.AUDITOR:
        _require_coordinator(actor, rnd)
    if not rnd["closed_at"]:
        raise ApiProblem(409, "round_open", "Мониторинг ещё не закрыт: отчёт фиксируется при закрытии")
    position = r.closing_position(registry, rnd["id"])
    assert position is not None, "a closed round's close is in the log"
    _, document = read(request, response, lambda tx: r.report_document(tx, rnd, position))
    data = r.render_report_document(document)
    manifest = build_manifest(
        registry,
        kind="monitoring_round",
        parameters={"round_id": rnd["id"], "format": "json"},
        position=position,
        output=Path(f"monitoring-round-{rnd['id']}.json"),
        data=data,
    )
    return RoundReport(manifest=manifest, report=document)
