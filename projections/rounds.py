"""Monitoring rounds from the views: each organization's status, reminders, the frozen report.

An organization's status follows from the facts it recorded (`round_facts`, with the moment each
was recorded), never from a «submitted» click:

* **submitted** — every asked fact recorded by the deadline (midnight after `due_on` in the
  round's time zone);
* **late** — every asked fact recorded, some of them after the deadline;
* **missing** — some asked fact not recorded; `overdue` once the deadline has passed.

An asked fact is: the contingent of the round's year (its first report: a correction changes the
figures, not when they came in); each named checklist item, completed and not reopened; a program
output produced in the year; a pair or group formed by the end of the year. For a closed round
"now" is the moment of its close, and the report is frozen then (`round_report`); the
`monitoring_round` manifest kind recomputes it at the closing position.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from datetime import date as Date
from typing import Any
from zoneinfo import ZoneInfo

from projections.read_sql import WHOLE_REGION, Area, Where
from projections.reference_reads import checklist_items
from projections.store import Tx

#: Recording moments as fixed-width UTC text: they compare as text in SQL and in Python.
STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

SUBMITTED, LATE, MISSING = "submitted", "late", "missing"
STATUS_RU = {SUBMITTED: "представлено в срок", LATE: "представлено с опозданием", MISSING: "не представлено"}

ROUND_COLUMNS = [
    "id", "title", "year", "asked", "checklist_items", "organization_kinds", "municipality_id",
    "opened_on", "due_on", "time_zone", "reminders_to", "opened_at", "closed_on", "closed_at",
]
_JSON_COLUMNS = ("asked", "checklist_items", "organization_kinds", "reminders_to")


def stamp(moment: datetime) -> str:
    """A moment as the views keep it (UTC, microseconds, fixed width)."""
    return moment.astimezone(UTC).strftime(STAMP_FORMAT)


def deadline_stamp(due_on: str, time_zone: str) -> str:
    """The end of the deadline day in the round's time zone («в срок до 10.10» includes the 10th)."""
    end = datetime.combine(Date.fromisoformat(due_on) + timedelta(days=1), time(0), ZoneInfo(time_zone))
    return stamp(end)


def requirements(round_row: dict[str, Any]) -> list[str]:
    """The facts a round asks each organization for, as codes (`contingent:2021`, `checklist:item`)."""
    year = round_row["year"]
    codes: list[str] = []
    for asked in round_row["asked"]:
        if asked == "checklist":
            codes += [f"checklist:{item}" for item in round_row["checklist_items"]]
        else:
            codes.append(f"{asked}:{year}")
    return codes


def requirement_ru(code: str, titles: dict[str, str]) -> str:
    """What a requirement asks, in Russian (for reminders and reports)."""
    kind, _, key = code.partition(":")
    if kind == "contingent":
        return f"контингент за {key} год"
    if kind == "outputs":
        return f"продукты программ наставничества за {key} год"
    if kind == "pairs":
        return f"пары и группы, сформированные к концу {key} года"
    return f"пункт чек-листа «{titles.get(key, key)}»"


def _satisfied_at(code: str, facts: list[tuple[str, str, int | None, str]]) -> str | None:
    """When the organization's facts first met the requirement (None: not met)."""
    kind, _, key = code.partition(":")
    if kind == "contingent":
        found = [at for k, fact_key, _, at in facts if k == "contingent" and fact_key == key]
    elif kind == "checklist":
        found = [at for k, fact_key, _, at in facts if k == "checklist" and fact_key == key]
    elif kind == "outputs":
        found = [at for k, _, year, at in facts if k == "output" and year == int(key)]
    else:
        found = [at for k, _, year, at in facts if k == "pair" and year is not None and year <= int(key)]
    return min(found) if found else None


def judge(codes: list[str], facts: list[tuple[str, str, int | None, str]], deadline: str, now: str) -> dict[str, Any]:
    """One organization's status from its facts: status, overdue, the last fact's moment, what is missing."""
    times = {code: _satisfied_at(code, facts) for code in codes}
    missing = [code for code, at in times.items() if at is None]
    last = max((at for at in times.values() if at is not None), default=None)
    if missing:
        status = MISSING
    else:
        status = SUBMITTED if last is None or last < deadline else LATE
    return {"status": status, "overdue": status == MISSING and now >= deadline, "last_recorded_at": last,
            "missing": missing}


# -- reading -----------------------------------------------------------------------------------


def round_row(tx: Tx, round_id: str) -> dict[str, Any] | None:
    row = tx.one(f"SELECT {', '.join(ROUND_COLUMNS)} FROM {{p}}rounds WHERE id = %s", (round_id,))
    return None if row is None else _decoded(row)


def _decoded(row: tuple[Any, ...]) -> dict[str, Any]:
    out = dict(zip(ROUND_COLUMNS, row, strict=True))
    for name in _JSON_COLUMNS:
        out[name] = json.loads(out[name])
    return out


def round_rows(tx: Tx, where: str = "", params: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Rounds (newest deadline first); `where` filters on the `r` alias."""
    columns = ", ".join(f"r.{c}" for c in ROUND_COLUMNS)
    rows = tx.rows(f"SELECT {columns} FROM {{p}}rounds r{where} ORDER BY r.due_on DESC, r.id", params)
    return [_decoded(row) for row in rows]


def visible_rounds(tx: Tx, area: Area, round_id: str | None = None) -> list[dict[str, Any]]:
    """The rounds a reader of `area` sees (its municipality's, or asking one of its organizations;
    all for the whole region), or just the one `round_id` if it is one of them."""
    where = Where()
    if not area.everything:
        condition, params = area.condition("o.id", "o.municipality_id")
        own = "r.municipality_id = %s OR " if area.municipality_id else ""
        where.add(
            f"({own}EXISTS (SELECT 1 FROM {{p}}round_organizations ro JOIN {{p}}organizations o "
            f"ON o.id = ro.organization_id WHERE ro.round_id = r.id AND {condition}))",
            ([area.municipality_id] if area.municipality_id else []) + params,
        )
    where.eq("r.id", round_id)
    return round_rows(tx, str(where), where.params)


def open_rounds(tx: Tx, year: int) -> list[dict[str, Any]]:
    """The rounds of a year still open."""
    return round_rows(tx, " WHERE r.closed_at IS NULL AND r.year = %s", [year])


def checklist_titles(tx: Tx) -> dict[str, str]:
    """{code: title} of the region's checklist items (retired ones too)."""
    return {code: title for code, title, _ in checklist_items(tx)}


def statuses(tx: Tx, rnd: dict[str, Any], now: str, *, area: Area = WHOLE_REGION) -> list[dict[str, Any]]:
    """Every addressee of the round within `area` with its status at `now`."""
    condition, params = area.condition("o.id", "o.municipality_id")
    addressees = tx.rows(
        "SELECT o.id, o.name, o.municipality_id, m.name FROM {p}round_organizations ro "
        "JOIN {p}organizations o ON o.id = ro.organization_id "
        "JOIN {p}municipalities m ON m.id = o.municipality_id "
        f"WHERE ro.round_id = %s AND {condition} ORDER BY m.name, o.name, o.id",
        (rnd["id"], *params),
    )
    facts: dict[str, list[tuple[str, str, int | None, str]]] = {}
    for organization_id, kind, key, year, at in tx.rows(
        "SELECT f.organization_id, f.kind, f.key, f.year, f.recorded_at FROM {p}round_facts f "
        "JOIN {p}round_organizations ro ON ro.organization_id = f.organization_id WHERE ro.round_id = %s",
        (rnd["id"],),
    ):
        facts.setdefault(organization_id, []).append((kind, key, year, at))
    codes = requirements(rnd)
    deadline = deadline_stamp(rnd["due_on"], rnd["time_zone"])
    return [
        {"organization_id": org_id, "organization": name, "municipality_id": municipality_id,
         "municipality": municipality, **judge(codes, facts.get(org_id, []), deadline, now)}
        for org_id, name, municipality_id, municipality in addressees
    ]


REPORT_COLUMNS = [
    "organization_id", "organization", "municipality_id", "municipality", "status", "overdue",
    "last_recorded_at", "missing",
]


def frozen_report(tx: Tx, round_id: str, *, area: Area = WHOLE_REGION) -> list[dict[str, Any]]:
    """A closed round's report as frozen at its close, its organizations within `area`."""
    condition, params = area.condition("r.organization_id", "r.municipality_id")
    rows = tx.rows(
        f"SELECT {', '.join('r.' + c for c in REPORT_COLUMNS)} FROM {{p}}round_report r "
        f"WHERE r.round_id = %s AND {condition} ORDER BY r.municipality, r.organization, r.organization_id",
        (round_id, *params),
    )
    out = []
    for row in rows:
        item = dict(zip(REPORT_COLUMNS, row, strict=True))
        item["overdue"] = bool(item["overdue"])
        item["missing"] = json.loads(item["missing"])
        out.append(item)
    return out


def summary(items: list[dict[str, Any]]) -> dict[str, int]:
    counts = {SUBMITTED: 0, LATE: 0, MISSING: 0, "overdue": 0}
    for item in items:
        counts[item["status"]] += 1
        counts["overdue"] += 1 if item["overdue"] else 0
    return counts


def reminder_text(rnd: dict[str, Any], item: dict[str, Any], titles: dict[str, str]) -> str:
    """The reminder to one organization, in Russian."""
    due = Date.fromisoformat(rnd["due_on"])
    asked = "; ".join(requirement_ru(code, titles) for code in item["missing"])
    when = "истёк" if item["overdue"] else "истекает"
    return (
        f"{item['organization']}: по мониторингу «{rnd['title']}» не представлено: {asked}. "
        f"Срок {when} {due:%d.%m.%Y}."
    )


# -- the frozen report and its manifest ----------------------------------------------------------

CLOSED_TOPIC = "reestr:MonitoringRound.Closed"


def closing_position(registry: Any, round_id: str) -> int | None:
    """The log position of the round's close (None: still open)."""
    start = 1
    while True:
        batch = registry.recorder.select_notifications(start, 500, topics=[CLOSED_TOPIC])
        for notification in batch:
            if str(notification.originator_id) == round_id:
                return int(notification.id)
        if len(batch) < 500:
            return None
        start = batch[-1].id + 1


def report_document(tx: Tx, rnd: dict[str, Any], position: int) -> dict[str, Any]:
    """The report of a closed round as a dict (stable order, no clock inside)."""
    items = frozen_report(tx, rnd["id"])
    public = {k: v for k, v in rnd.items() if k not in ("reminders_to", "opened_at")}
    return {"report": "monitoring_round", "position": position, "round": public, "summary": summary(items),
            "organizations": items}


def render_report_document(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()


def round_report_bytes(registry: Any, parameters: dict[str, Any], position: int) -> bytes:
    """The round's report recomputed from the log up to `position` (a manifest's reproduction)."""
    from projections.projector import project_until

    store = project_until(registry, position)
    try:
        with store.transaction(write=False) as tx:
            rnd = round_row(tx, str(parameters["round_id"]))
            if rnd is None or rnd["closed_at"] is None:
                raise ValueError(f"Мониторинг {parameters['round_id']} не закрыт на позиции {position}")
            return render_report_document(report_document(tx, rnd, position))
    finally:
        store.close()
