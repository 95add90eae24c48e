"""Monitoring rounds: a municipality asks its schools for the year's contingent and a checklist
item by a deadline; who submitted, who is late, who is overdue follows from their events; the
closed round's report is frozen and reproduces from its manifest; reminders go by real SMTP.

Recording moments are the real clock's (the events' timestamps), so deadlines here are set
around today: one a month ahead (facts recorded now are in time), one two days past (facts
recorded now are late).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from support.world import ADMIN
from support.world.api import ApiWorld, open_world

from ops.mail import ReminderMail, reminder_mail_from
from ops.settings import Settings
from projections.manifest import reproduce, write_manifest
from projections.projector import rebuild
from projections.store import open_view_store
from registry import commands as c
from registry.application import Registry
from registry.errors import Forbidden, InvalidCommand, RuleViolation
from registry.validation import parse_command
from registry.values import Actor, Role


def _moscow_today() -> date:
    return datetime.now(ZoneInfo("Europe/Moscow")).date()


AHEAD = (_moscow_today() + timedelta(days=30)).isoformat()
PAST = (_moscow_today() - timedelta(days=2)).isoformat()


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


def _round(world: ApiWorld, due_on: str, *, as_: str = "municipal", **extra: Any) -> str:
    body = {
        "title": "Мониторинг внедрения ЦМН за 2022 год",
        "year": 2022,
        "asked": ["contingent", "checklist"],
        "checklist_items": ["curator_appointed"],
        "organization_kinds": ["school"],
        "municipality_id": world.municipality_id,
        "opened_on": "2023-05-02",
        "due_on": due_on,
        "reminders_to": ["uo@rayon.example"],
        **extra,
    }
    return world.created("/monitoring-rounds", body, as_=as_)


def _submit(world: ApiWorld, org: str) -> None:
    world.write(f"/organizations/{org}/contingents", {"year": 2022, "figures": {"students_total": 640}})
    world.write(
        f"/organizations/{org}/checklist/curator_appointed/complete",
        {"document": {"number": "45-од"}, "completed_on": "2022-09-01"},
    )


def _statuses(world: ApiWorld, round_id: str, as_: str = "municipal", **params: Any) -> dict[str, dict[str, Any]]:
    response = world.get(f"/monitoring-rounds/{round_id}/organizations", as_=as_, **params)
    assert response.status_code == 200, response.text
    return {item["organization_id"]: item for item in response.json()["items"]}


# -- the commands ---------------------------------------------------------------------------------


def _open(**fields: Any) -> c.OpenMonitoringRound:
    data = {
        "title": "Мониторинг", "year": 2022, "asked": ["contingent"], "organization_kinds": ["school"],
        "opened_on": "2023-05-02", "due_on": "2023-05-20", **fields,
    }
    return parse_command(c.OpenMonitoringRound, data)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"asked": []}, "asked", "не меньше 1"),
        ({"asked": ["salaries"]}, "asked.0", "contingent, checklist"),
        ({"organization_kinds": ["kindergarten"]}, "organization_kinds.0", "Допустимые значения"),
        ({"reminders_to": ["не адрес"]}, "reminders_to.0", "электронной почты"),
        ({"due_on": "10.10.2021"}, "due_on", "ГГГГ-ММ-ДД"),
    ],
)
def test_bad_input_is_refused_in_russian_naming_the_field(fields: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(InvalidCommand) as refused:
        _open(**fields)
    problems = {p.field: p.message for p in refused.value.problems}
    assert words in problems[field]


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"due_on": "2023-05-01"}, "due_on", "date_order"),
        ({"opened_on": "2023-06-02", "due_on": "2023-07-01"}, "opened_on", "date_not_in_future"),
        ({"asked": ["contingent", "checklist"]}, "checklist_items", "checklist_items_required"),
        ({"checklist_items": ["curator_appointed"]}, "checklist_items", "checklist_not_asked"),
        ({"asked": ["checklist"], "checklist_items": ["no_such_item"]}, "checklist_items.0", "reference_code"),
        ({"time_zone": "Asia/Nowhere"}, "time_zone", "time_zone"),
        ({"asked": ["contingent", "contingent"]}, "asked", "unique"),
    ],
)
def test_domain_rules_refuse_and_record_nothing(
    memory_registry: Registry, fields: dict[str, Any], field: str, rule: str
) -> None:
    before = memory_registry.position()
    with pytest.raises(RuleViolation) as refused:
        memory_registry.execute(_open(**fields), ADMIN)
    assert (refused.value.field, refused.value.rule) == (field, rule)
    assert any("а" <= ch <= "я" for ch in str(refused.value).lower())
    assert memory_registry.position() == before


def test_a_municipality_runs_rounds_of_its_own_only(memory_registry: Registry) -> None:
    own = memory_registry.execute(c.RegisterMunicipality(name="Саянский район", region="Красноярский край"), ADMIN)
    other = memory_registry.execute(c.RegisterMunicipality(name="Сасовский район", region="Рязанская область"), ADMIN)
    coordinator = Actor(user_id="uo", role=Role.MUNICIPAL, municipality_id=str(own.aggregate_id))
    for municipality_id in (None, other.aggregate_id):
        with pytest.raises(Forbidden):
            memory_registry.execute(_open(municipality_id=municipality_id), coordinator)
    opened = memory_registry.execute(_open(municipality_id=own.aggregate_id), coordinator)
    memory_registry.execute(c.CloseMonitoringRound(round_id=opened.aggregate_id, closed_on="2023-05-25"), coordinator)
    with pytest.raises(RuleViolation) as again:
        memory_registry.execute(c.CloseMonitoringRound(round_id=opened.aggregate_id, closed_on="2023-05-26"), ADMIN)
    assert again.value.rule == "round_open"


def test_reminder_mail_is_off_by_default() -> None:
    assert reminder_mail_from(Settings(_env_file=None)) is None


# -- the scenario over HTTP, on both stores ------------------------------------------------------------


def test_statuses_follow_the_facts_and_their_recording_moments(world: ApiWorld) -> None:
    college = world.organization("Колледж", kind="college")
    _submit(world, world.org_a)
    in_time = _round(world, AHEAD)
    past_deadline = _round(world, PAST)

    ahead = _statuses(world, in_time)
    assert set(ahead) == {world.org_a, world.org_b}, "only the municipality's schools are asked"
    assert college not in ahead
    assert ahead[world.org_a]["status"] == "submitted"
    assert ahead[world.org_b]["status"] == "missing" and not ahead[world.org_b]["overdue"]
    assert ahead[world.org_b]["missing"] == ["contingent:2022", "checklist:curator_appointed"]
    assert ahead[world.org_b]["missing_ru"][1] == "пункт чек-листа «Приказом назначен куратор внедрения ЦМН»"

    late = _statuses(world, past_deadline)
    assert late[world.org_a]["status"] == "late", "recorded now, after a deadline two days past"
    assert late[world.org_b]["status"] == "missing" and late[world.org_b]["overdue"]
    overdue = _statuses(world, past_deadline, overdue="true")
    assert set(overdue) == {world.org_b}

    # A checklist item reopened is not submitted any more.
    world.write(f"/organizations/{world.org_a}/checklist/curator_appointed/reopen", {"reason": "Приказ отменён"})
    assert _statuses(world, in_time)[world.org_a]["missing"] == ["checklist:curator_appointed"]

    summary = world.get(f"/monitoring-rounds/{past_deadline}", as_="municipal").json()["summary"]
    assert summary == {"submitted": 0, "late": 0, "missing": 2, "overdue": 2}


def test_each_reader_sees_its_own_part(world: ApiWorld) -> None:
    _submit(world, world.org_a)
    round_id = _round(world, AHEAD)
    assert set(_statuses(world, round_id, as_="curator")) == {world.org_a}
    assert set(_statuses(world, round_id, as_="curator_other")) == {world.org_b}
    assert set(_statuses(world, round_id, as_="auditor")) == {world.org_a, world.org_b}
    listed = world.get("/monitoring-rounds", as_="curator").json()["items"]
    assert [item["id"] for item in listed] == [round_id]

    other_municipality = world.municipality()
    regional = world.created("/monitoring-rounds", {
        "title": "Чужой район", "year": 2022, "asked": ["pairs"], "organization_kinds": ["college"],
        "municipality_id": other_municipality, "opened_on": "2023-05-02", "due_on": AHEAD,
    }, as_="admin")
    assert world.get(f"/monitoring-rounds/{regional}", as_="municipal").status_code == 404
    refused = world.post(f"/monitoring-rounds/{regional}/close", {"closed_on": "2023-05-30"}, as_="municipal")
    assert refused.status_code == 403


def _overdue_from_events(world: ApiWorld, organizations: list[str]) -> set[str]:
    """Addressees whose own events lack the contingent of 2022 or the checklist item."""
    overdue = set()
    for org in organizations:
        facts = {(type(e).__name__, getattr(e, "year", None), getattr(e, "item", None))
                 for e in world.registry.history(UUID(org))}
        has_contingent = ("ContingentReported", 2022, None) in facts
        has_item = ("ChecklistItemCompleted", None, "curator_appointed") in facts
        if not (has_contingent and has_item):
            overdue.add(org)
    return overdue


def test_closing_freezes_the_report_and_its_manifest_reproduces(world: ApiWorld, tmp_path: Path) -> None:
    _submit(world, world.org_a)
    round_id = _round(world, PAST)
    assert world.get(f"/monitoring-rounds/{round_id}/report", as_="municipal").status_code == 409

    expected_overdue = _overdue_from_events(world, [world.org_a, world.org_b])
    world.write(f"/monitoring-rounds/{round_id}/close", {"closed_on": "2023-05-31"}, as_="municipal")
    _submit(world, world.org_b)  # after the close: the frozen report does not move

    frozen = _statuses(world, round_id)
    assert {org for org, item in frozen.items() if item["overdue"]} == expected_overdue == {world.org_b}
    assert frozen[world.org_a]["status"] == "late"

    answer = world.get(f"/monitoring-rounds/{round_id}/report", as_="municipal")
    assert answer.status_code == 200, answer.text
    manifest, report = answer.json()["manifest"], answer.json()["report"]
    assert report["summary"] == {"submitted": 0, "late": 1, "missing": 1, "overdue": 1}
    assert manifest["report"] == "monitoring_round" and manifest["position"] < world.position()

    write_manifest(manifest, tmp_path / "round.manifest.json")
    outcome = reproduce(world.registry, manifest, tmp_path)
    assert outcome.identical, outcome.problems
    assert json.loads(outcome.data) == report


def test_views_rebuilt_from_the_log_equal_the_live_ones(world: ApiWorld) -> None:
    _submit(world, world.org_a)
    round_id = _round(world, PAST)
    world.write(f"/monitoring-rounds/{round_id}/close", {"closed_on": "2023-05-31"}, as_="municipal")
    live = world.app.state.views.dump()
    store = open_view_store(world.registry)
    try:
        rebuild(world.registry, store)
        rebuilt = store.dump()
    finally:
        store.close()
    for table in ("rounds", "round_organizations", "round_facts", "round_report"):
        assert rebuilt[table] == live[table], table
    assert len(live["round_report"]) == 2


# -- reminders ---------------------------------------------------------------------------------------


class _Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_reminders_are_listed_and_mailed_through_a_real_smtp_server(
    world: ApiWorld, smtp: tuple[_Inbox, int]
) -> None:
    inbox, port = smtp
    _submit(world, world.org_a)
    round_id = _round(world, PAST)

    listed = world.get(f"/monitoring-rounds/{round_id}/reminders", as_="municipal").json()
    assert [item["organization_id"] for item in listed["items"]] == [world.org_b]
    assert "контингент за 2022 год" in listed["items"][0]["text"]
    assert "Срок истёк" in listed["items"][0]["text"]

    off = world.post(f"/monitoring-rounds/{round_id}/reminders/send", as_="municipal")
    assert off.status_code == 409 and off.json()["code"] == "mail_disabled"
    assert inbox.messages == []

    world.app.state.reminder_mail = ReminderMail(host="127.0.0.1", port=_free_port(), sender="reestr@iro.example")
    nobody = world.post(f"/monitoring-rounds/{round_id}/reminders/send", as_="municipal")
    assert nobody.status_code == 502 and nobody.json()["code"] == "mail_failed", "no server listens there"

    world.app.state.reminder_mail = ReminderMail(host="127.0.0.1", port=port, sender="reestr@iro.example")
    assert world.post(f"/monitoring-rounds/{round_id}/reminders/send", as_="curator").status_code == 403
    sent = world.post(f"/monitoring-rounds/{round_id}/reminders/send", as_="municipal")
    assert sent.status_code == 200, sent.text
    assert sent.json()["reminded"] == 1
    [message] = inbox.messages
    assert message.rcpt_tos == ["uo@rayon.example"]
    body = message.content.decode()
    assert "Школа" in _decoded_body(body) and "не представлено" in _decoded_body(body)


def _decoded_body(raw: str) -> str:
    from email import message_from_string
    from email.policy import default

    message = message_from_string(raw, policy=default)
    return str(message.get_body().get_content())  # type: ignore[union-attr]


def test_deadline_is_the_end_of_the_due_day_in_the_rounds_time_zone() -> None:
    from projections.rounds import deadline_stamp, judge, stamp

    deadline = deadline_stamp("2021-10-10", "Asia/Vladivostok")
    assert deadline == stamp(datetime(2021, 10, 10, 14, 0, tzinfo=UTC))
    codes = ["contingent:2021"]
    before = [("contingent", "2021", 2021, stamp(datetime(2021, 10, 10, 13, 59, tzinfo=UTC)))]
    after = [("contingent", "2021", 2021, stamp(datetime(2021, 10, 10, 14, 0, tzinfo=UTC)))]
    assert judge(codes, before, deadline, deadline)["status"] == "submitted"
    assert judge(codes, after, deadline, deadline)["status"] == "late"
    missing = judge(codes, [], deadline, deadline)
    assert missing["status"] == "missing" and missing["overdue"]
    assert not judge(codes, [], deadline, before[0][3])["overdue"]


def test_reestr_report_reproduce_recomputes_a_closed_round(
    world: ApiWorld, store_url: tuple[str, str | None], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from ops.cli import app
    from projections.rounds import render_report_document

    _submit(world, world.org_a)
    round_id = _round(world, PAST)
    world.write(f"/monitoring-rounds/{round_id}/close", {"closed_on": "2023-05-31"}, as_="municipal")
    answer = world.get(f"/monitoring-rounds/{round_id}/report", as_="admin").json()
    manifest = answer["manifest"]
    output = tmp_path / manifest["output"]["file"]
    output.write_bytes(render_report_document(answer["report"]))
    write_manifest(manifest, tmp_path / "round.manifest.json")

    url, schema = store_url
    env = {"REESTR_DATABASE_URL": url, "REESTR_LOG_LEVEL": "warning", **({"REESTR_DATABASE_SCHEMA": schema} if schema else {})}
    runner = CliRunner()
    result = runner.invoke(app, ["report", "reproduce", str(tmp_path / "round.manifest.json")], env=env)
    assert result.exit_code == 0, result.output
    assert "Идентичен" in " ".join(result.output.split())

    output.write_bytes(output.read_bytes().replace(b'"late"', b'"submitted"'))
    tampered = runner.invoke(app, ["report", "reproduce", str(tmp_path / "round.manifest.json")], env=env)
    assert tampered.exit_code == 1
