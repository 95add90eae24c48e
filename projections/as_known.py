"""As known vs as effective (DOMAIN.md, «Audit-grade»).

*As known* at a moment: only the events recorded by then ("what we would have reported on
15 January 2021"). *As effective*: every event recorded up to a later position, corrections
included. Both are log positions; the views at each come from `project_until`.

* `known_at_position(registry, moment)`: the last log position recorded at or before `moment`
  (binary search over notifications: the store's notification ids increase with recording
  time, so O(log n) single-notification reads);
* `changes_between(registry, known, effective, periods)`: the events recorded in between that
  change what a report says about the periods: corrections (ContingentCorrected,
  DetailsCorrected, TrainingCorrected, StartCorrected, OutputRetracted) and late entries (an
  event whose effective date lies in one of the periods, recorded after the known position);
* `compare_reports(known, effective)`: the as-known and as-effective values of every indicator
  row side by side;
* `as_known_section(...)`: all of it as one JSON-ready dict, added to a report as `as_known`.

Every value here is derived from the log up to the effective position and the parameters
(never a clock), so a report with this section is as reproducible as one without.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

from eventsourcing.persistence import Notification

from projections.periods import Period

#: Event names (the part of the topic after the aggregate) that correct an earlier event.
CORRECTION_EVENTS = (
    "ContingentCorrected",
    "DetailsCorrected",
    "TrainingCorrected",
    "StartCorrected",
    "OutputRetracted",
)

CORRECTION = "correction"
LATE_ENTRY = "late_entry"

CHANGE_KIND_RU = {CORRECTION: "исправление", LATE_ENTRY: "позднее внесение"}

EVENT_RU = {
    "Organization.ContingentCorrected": "исправлен контингент организации",
    "Mentee.DetailsCorrected": "исправлены сведения о наставляемом",
    "Mentor.TrainingCorrected": "исправлены сведения об обучении наставника",
    "Pair.StartCorrected": "исправлена дата начала пары (группы)",
    "Program.OutputRetracted": "отозван продукт программы",
    "Pair.Formed": "сформирована пара (группа)",
    "Pair.Completed": "пара (группа) завершила работу",
    "Pair.Dissolved": "пара (группа) расформирована",
    "Pair.MenteeAdded": "в группу добавлен наставляемый",
    "Pair.MentorChanged": "пара (группа) передана другому наставнику",
    "Mentor.Applied": "подана заявка наставника",
    "Mentor.Approved": "наставник включён в реестр",
    "Mentor.Suspended": "наставник приостановлен",
    "Mentor.Removed": "наставник исключён из реестра",
    "Mentor.Reinstated": "наставник восстановлен",
    "Mentor.TrainingCompleted": "внесено обучение наставника",
    "Mentor.ConsentGiven": "дано согласие на публикацию",
    "Mentee.Registered": "зарегистрирован наставляемый",
    "Mentee.Moved": "наставляемый переведён в другую организацию",
    "Organization.Registered": "зарегистрирована организация",
    "Organization.ContingentReported": "внесён контингент организации",
    "Organization.ChecklistItemCompleted": "выполнен пункт чек-листа",
    "Program.Adopted": "принята программа наставничества",
    "Program.OutputRecorded": "внесён продукт программы",
    "TargetPlan.TargetSet": "установлено целевое значение",
}

# Attributes that hold the day an event takes effect, in order of preference.
_DATE_FIELDS = (
    "effective_date",
    "started_on",
    "ended_on",
    "joined_on",
    "completed_on",
    "produced_on",
    "starts_on",
    "applied_on",
    "registered_on",
)


def parse_moment(text: str) -> datetime:
    """An ISO moment as an aware UTC datetime.

    `2021-01-15T12:00:00+03:00` as given; a moment without offset is UTC; a bare date
    (`2021-01-15`) means the end of that day in UTC (everything recorded on it is known).
    """
    text = text.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time.max)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Момент не распознан: «{text}» (нужно 2021-01-15 или 2021-01-15T12:00:00+03:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def moment_text(moment: datetime) -> str:
    """The canonical text of a moment (UTC, ISO 8601, microseconds only when present)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _timestamp(registry: Any, notification: Notification) -> datetime:
    event = registry.mapper.to_domain_event(notification)
    stamp: datetime = event.timestamp
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp


def _first_at_or_after(registry: Any, position: int) -> Notification | None:
    batch = registry.recorder.select_notifications(start=position, limit=1)
    return batch[0] if batch else None


def known_at_position(registry: Any, moment: datetime, *, upto: int | None = None) -> int:
    """The last log position recorded at or before `moment` (0: nothing was recorded yet).

    Binary search over notification ids (which increase with recording time; positions may
    have gaps on PostgreSQL). `upto` bounds the search (default: the log's head).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    head = registry.recorder.max_notification_id() or 0
    low, high = 0, head if upto is None else min(head, upto)
    # Invariant: every position <= low that exists was recorded at or before `moment`;
    # every existing position > high was recorded after it.
    while low < high:
        middle = (low + high + 1) // 2
        notification = _first_at_or_after(registry, middle)
        if notification is None or notification.id > high:
            high = middle - 1  # no position in [middle, high]
        elif _timestamp(registry, notification) <= moment:
            low = notification.id
        else:
            high = middle - 1
    return low


def iter_notifications(registry: Any, after: int, upto: int, batch_size: int = 500) -> Iterator[Notification]:
    """The notifications in (after, upto], in log order, in bounded batches."""
    start = after + 1
    while start <= upto:
        batch = registry.recorder.select_notifications(start=start, limit=batch_size, stop=upto)
        if not batch:
            return
        yield from batch
        start = batch[-1].id + 1


def event_name(topic: str) -> str:
    """`reestr:Pair.StartCorrected` → `Pair.StartCorrected`."""
    return topic.split(":", 1)[-1]


def effective_date(event: Any) -> date | None:
    """The day an event takes effect in the world (None: it has none, e.g. a rename)."""
    for name in _DATE_FIELDS:
        value = getattr(event, name, None)
        if isinstance(value, date):
            return value.date() if isinstance(value, datetime) else value
    record = getattr(event, "record", None)
    value = getattr(record, "completed_on", None)
    if isinstance(value, date):
        return value
    return None


def _in_periods(event: Any, day: date | None, periods: list[Period]) -> list[str]:
    """Keys of the periods an event's effective date (or reporting year) falls in."""
    keys: list[str] = []
    year = getattr(event, "year", None)
    for period in periods:
        by_day = day is not None and period.start <= day <= period.end
        by_year = day is None and isinstance(year, int) and year == period.reporting_year
        if by_day or by_year:
            keys.append(period.key)
    return keys


def changes_between(registry: Any, known: int, effective: int, periods: list[Period]) -> list[dict[str, Any]]:
    """Corrections and late entries recorded after position `known` up to `effective`.

    Each entry: position, kind (correction / late_entry), event type, aggregate id, who
    (user id and role), when recorded (UTC), why (the reason, for corrections), the effective
    date and the periods concerned. Never personal data: only ids, types, dates and reasons.
    """
    changes: list[dict[str, Any]] = []
    for notification in iter_notifications(registry, known, effective):
        name = event_name(notification.topic)
        short = name.rsplit(".", 1)[-1]
        is_correction = short in CORRECTION_EVENTS
        if not is_correction and name not in EVENT_RU:
            continue  # bookkeeping events (idempotency, users, reference lists): not report data
        event = registry.mapper.to_domain_event(notification)
        day = effective_date(event)
        concerned = _in_periods(event, day, periods)
        if not is_correction and not concerned:
            continue
        meta = getattr(event, "meta", None)
        stamp = event.timestamp if event.timestamp.tzinfo else event.timestamp.replace(tzinfo=UTC)
        reason = getattr(event, "reason", None)
        changes.append(
            {
                "position": notification.id,
                "kind": CORRECTION if is_correction else LATE_ENTRY,
                "kind_ru": CHANGE_KIND_RU[CORRECTION if is_correction else LATE_ENTRY],
                "event_type": name,
                "event_ru": EVENT_RU.get(name, name),
                "aggregate_id": str(notification.originator_id),
                "version": notification.originator_version,
                "corrects_version": getattr(event, "corrects_version", None),
                "recorded_by": None if meta is None else meta.user_id,
                "role": None if meta is None else meta.role,
                "command_id": None if meta is None else meta.command_id,
                "recorded_at": moment_text(stamp),
                "reason": reason if isinstance(reason, str) else None,
                "effective_date": None if day is None else day.isoformat(),
                "periods": concerned,
            }
        )
    return changes


_VALUE_KEYS = ("numerator", "denominator", "share", "status")


def compare_reports(known: dict[str, Any], effective: dict[str, Any]) -> list[dict[str, Any]]:
    """Every indicator row (of the effective report, plus rows only known then) side by side."""
    out: list[dict[str, Any]] = []
    known_indicators = {i["id"]: i for i in known["indicators"]}
    for indicator in effective["indicators"]:
        before = {(r["unit_kind"], r["unit_id"]): r for r in known_indicators.get(indicator["id"], {"rows": []})["rows"]}
        keys = [(r["unit_kind"], r["unit_id"]) for r in indicator["rows"]]
        keys += [k for k in before if k not in set(keys)]
        now = {(r["unit_kind"], r["unit_id"]): r for r in indicator["rows"]}
        rows = []
        for key in keys:
            then_row, now_row = before.get(key), now.get(key)
            sides: dict[str, Any] = {}
            changed = False
            for side in ("a", "b"):
                k_values = {n: (then_row[side][n] if then_row else None) for n in _VALUE_KEYS}
                e_values = {n: (now_row[side][n] if now_row else None) for n in _VALUE_KEYS}
                changed = changed or k_values != e_values
                sides[side] = {"known": k_values, "effective": e_values}
            name_row = now_row or then_row
            assert name_row is not None
            rows.append(
                {
                    "unit_kind": key[0],
                    "unit_id": key[1],
                    "unit_name": name_row["unit_name"],
                    "a": sides["a"],
                    "b": sides["b"],
                    "changed": changed,
                }
            )
        out.append({"id": indicator["id"], "title": indicator["title"], "rows": rows})
    return out


def as_known_section(
    registry: Any,
    known_report: dict[str, Any],
    effective_report: dict[str, Any],
    moment: datetime,
    periods: list[Period],
) -> dict[str, Any]:
    """The `as_known` part of a report: the moment, both positions, values side by side, changes."""
    known, effective = known_report["position"], effective_report["position"]
    return {
        "known_at": moment_text(moment),
        "known_position": known,
        "effective_position": effective,
        "indicators": compare_reports(known_report, effective_report),
        "changes": changes_between(registry, known, effective, periods) if effective > known else [],
    }
