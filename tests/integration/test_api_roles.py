"""Every write endpoint × every role, over HTTP, on both stores: who may write, and that a
refused write records nothing.

The expectations are written out here, not derived from `Command.allowed_roles`: the table is
the policy as the domain brief states it (admin keeps the registry; a curator writes for its own
organization only; municipal coordinators run the monitoring rounds of their municipality and
write nothing else; auditors write nothing).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support.world.api import ROLES, ApiWorld, open_world

from api.writes import WRITE_ROUTES
from registry import commands as c
from registry.application import Registry

Prepare = Callable[[ApiWorld], tuple[str, Any]]


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    """The region over HTTP, on each store (SQLite file and PostgreSQL schema)."""
    yield from open_world(registry)


@pytest.fixture
def memory_world(memory_registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(memory_registry)


def _code() -> str:
    return f"x_{uuid.uuid4().hex[:10]}"


def _suspended(w: ApiWorld) -> str:
    mentor = w.mentor(w.org_a)
    w.write(f"/mentors/{mentor}/suspend", {"reason": "Отпуск", "effective_date": "2021-01-10"})
    return mentor


def _reported(w: ApiWorld) -> str:
    org = w.organization()
    w.write(f"/organizations/{org}/contingents", {"year": 2021, "figures": {"students_total": 500}})
    return org


def _checklist_item(w: ApiWorld) -> str:
    """A new checklist item of the region: each request completes an item not yet done."""
    code = _code()
    w.write("/reference-lists/checklist_item/entries", {"code": code, "title": "Новый пункт"})
    return code


def _completed_item(w: ApiWorld) -> str:
    item = _checklist_item(w)
    w.write(
        f"/organizations/{w.org_a}/checklist/{item}/complete",
        {"document": {"number": "12-од"}, "completed_on": "2021-02-01"},
    )
    return f"{w.org_a}/checklist/{item}"


def _new_region(w: ApiWorld) -> str:
    code = _code()
    w.write("/regions", {"code": code, "name": "Регион"})
    return code


def _new_entry(w: ApiWorld) -> str:
    code = _code()
    w.write("/reference-lists/output_kind/entries", {"code": code, "title": "Новый вид"})
    return code


PERSON = {"full_name": "Петрова Анна Сергеевна"}
PROFILE = {"position": "учитель", "mentor_type": "teacher", "forms": ["pupil_pupil"]}
TRAINING = {"course": "Курс", "provider": "ХК ИРО", "completed_on": "2021-03-01"}

#: command -> (may the curator of the organization send it?, prepare a fresh request in org A)
CASES: dict[type[c.Command], tuple[bool, Prepare]] = {
    c.RegisterMunicipality: (False, lambda w: ("/municipalities", {"name": "Новый район", "region": "Край"})),
    c.RenameMunicipality: (False, lambda w: (
        f"/municipalities/{w.municipality()}/rename", {"name": "Район", "reason": "Решение думы"})),
    c.RegisterOrganization: (False, lambda w: ("/organizations", {
        "name": "Колледж", "kind": "college", "municipality_id": w.municipality_id,
        "registered_on": "2020-01-01"})),
    c.RenameOrganization: (False, lambda w: (f"/organizations/{w.org_a}/rename", {
        "name": "Школа № 1 им. Пушкина", "effective_date": "2021-01-01", "reason": "Приказ"})),
    c.CloseOrganization: (False, lambda w: (f"/organizations/{w.organization()}/close", {
        "effective_date": "2021-01-01", "reason": "Реорганизация"})),
    c.ReportContingent: (False, lambda w: (f"/organizations/{w.organization()}/contingents", {
        "year": 2021, "figures": {"students_total": 500, "students_10_19": 300}})),
    c.CorrectContingent: (False, lambda w: (f"/organizations/{_reported(w)}/contingents/2021/correct", {
        "figures": {"students_total": 510}, "reason": "Ошибка ввода"})),
    c.CompleteChecklistItem: (True, lambda w: (
        f"/organizations/{w.org_a}/checklist/{_checklist_item(w)}/complete",
        {"document": {"number": "15-од", "link": "https://school1.example/nast"}, "completed_on": "2021-02-01"})),
    c.ReopenChecklistItem: (True, lambda w: (
        f"/organizations/{_completed_item(w)}/reopen", {"reason": "Документ отменён"})),
    c.AddReferenceEntry: (False, lambda w: ("/reference-lists/mentoring_kind/entries", {
        "code": _code(), "title": "Проектное"})),
    c.RenameReferenceEntry: (False, lambda w: (
        f"/reference-lists/output_kind/entries/{_new_entry(w)}/rename", {"title": "Другое название"})),
    c.RetireReferenceEntry: (False, lambda w: (
        f"/reference-lists/output_kind/entries/{_new_entry(w)}/retire", {"reason": "Не используется"})),
    c.RegisterRegion: (False, lambda w: ("/regions", {"code": _code(), "name": "Хабаровский край"})),
    c.RenameRegion: (False, lambda w: (lambda code: (f"/regions/{code}/rename", {
        "name": "Хабаровский край (новое)", "reason": "Уточнено"}))(_new_region(w))),
    c.SetTarget: (False, lambda w: ("/targets", {
        "indicator": "pupils_10_19", "unit_kind": "organization", "unit_id": w.org_a,
        "year": 2022, "share_percent": "35"})),
    c.SubmitMentorApplication: (True, lambda w: ("/mentors", {
        "organization_id": w.org_a, "person": PERSON, "profile": PROFILE, "applied_on": "2021-01-15"})),
    c.ApproveMentor: (False, lambda w: (
        f"/mentors/{w.mentor(w.org_a, approve=False)}/approve", {"effective_date": "2020-10-01"})),
    c.RejectMentor: (False, lambda w: (
        f"/mentors/{w.mentor(w.org_a, approve=False)}/reject", {"reason": "Нет педагогического стажа"})),
    c.UpdateMentorProfile: (True, lambda w: (
        f"/mentors/{w.mentor(w.org_a)}/profile", {"person": PERSON, "profile": PROFILE, "capacity": 5})),
    c.GiveConsent: (True, lambda w: (f"/mentors/{w.mentor(w.org_a)}/consent", {
        "fields": ["name", "organization"], "effective_date": "2021-02-01"})),
    c.WithdrawConsent: (True, lambda w: (f"/mentors/{w.mentor(w.org_a)}/consent/withdraw", None)),
    c.SuspendMentor: (False, lambda w: (f"/mentors/{w.mentor(w.org_a)}/suspend", {
        "reason": "Длительный отпуск", "effective_date": "2021-01-10"})),
    c.RemoveMentor: (False, lambda w: (f"/mentors/{w.mentor(w.org_a)}/remove", {
        "reason": "Увольнение", "effective_date": "2021-01-10"})),
    c.ReinstateMentor: (False, lambda w: (f"/mentors/{_suspended(w)}/reinstate", {
        "reason": "Вернулась из отпуска", "effective_date": "2021-05-10"})),
    c.RecordTraining: (False, lambda w: (f"/mentors/{w.mentor(w.org_a)}/trainings", TRAINING)),
    c.CorrectTraining: (False, lambda w: (lambda m: (
        f"/mentors/{m}/trainings/{w.training(m)}/correct", {**TRAINING, "hours": 72, "reason": "Опечатка"}))(
        w.mentor(w.org_a))),
    c.RegisterMentee: (True, lambda w: ("/mentees", {
        "organization_id": w.org_a, "category": "young_teacher", "person": PERSON,
        "work_started_on": "2021-09-01", "registered_on": "2021-09-01"})),
    c.CorrectMentee: (True, lambda w: (f"/mentees/{w.mentee(w.org_a)}/correct", {
        "category": "pupil", "person": PERSON, "birth_year": 2009, "reason": "Ошибка в годе рождения"})),
    c.MoveMentee: (True, lambda w: (f"/mentees/{w.mentee(w.org_a)}/move", {
        "organization_id": w.org_b, "moved_on": "2021-10-01", "reason": "Приказ о переводе № 12"})),
    c.FormPair: (True, lambda w: ("/pairs", {
        "organization_id": w.org_a, "mentor_id": w.mentor(w.org_a), "mentee_ids": [w.mentee(w.org_a)],
        "form": "pupil_pupil", "kind": "traditional", "started_on": "2020-10-01"})),
    c.AddMenteeToPair: (True, lambda w: (f"/pairs/{w.pair(w.org_a)}/mentees", {
        "mentee_id": w.mentee(w.org_a), "joined_on": "2020-11-01"})),
    c.CompletePair: (True, lambda w: (f"/pairs/{w.pair(w.org_a)}/complete", {
        "ended_on": "2021-05-25", "outcome": "Победа в олимпиаде"})),
    c.DissolvePair: (True, lambda w: (f"/pairs/{w.pair(w.org_a)}/dissolve", {
        "ended_on": "2021-01-25", "reason": "Переезд наставляемого"})),
    c.RecordPairFeedback: (True, lambda w: (f"/pairs/{_completed_pair(w)}/feedback", {
        "respondent": "mentor", "answered_on": "2021-06-01", "scores": {"overall": 9}})),
    c.CorrectPairStart: (True, lambda w: (f"/pairs/{w.pair(w.org_a)}/correct-start", {
        "started_on": "2020-10-05", "reason": "Дата приказа"})),
    c.TransferPair: (True, lambda w: (f"/pairs/{w.pair(w.org_a)}/transfer", {
        "mentor_id": w.mentor(w.org_a), "transferred_on": "2021-01-11", "reason": "Наставник уволился"})),
    c.AdoptProgram: (True, lambda w: ("/programs", {
        "organization_id": w.org_a, "title": "Программа", "forms": ["pupil_pupil"], "starts_on": "2020-09-01",
        "order": {"number": "101-од", "issued_on": "2020-08-28"}})),
    c.RecordProgramOutput: (True, lambda w: (f"/programs/{w.program(w.org_a)}/outputs", {
        "kind": "event", "title": "Фестиваль наставничества", "produced_on": "2021-04-01"})),
    c.RetractProgramOutput: (True, lambda w: (lambda p: (
        f"/programs/{p}/outputs/{w.output(p)}/retract", {"reason": "Учтено дважды"}))(w.program(w.org_a))),
    c.AddUser: (False, lambda w: ("/users", {"name": "Новый аудитор", "role": "auditor"})),
    c.RevokeUser: (False, lambda w: (f"/users/{w.user()}/revoke", {"reason": "Уволился"})),
    c.ErasePersonalData: (False, lambda w: (f"/persons/{w.mentee(w.org_a)}/erase", {
        "reason": "Заявление об удалении № 5"})),
    c.OpenMonitoringRound: (False, lambda w: ("/monitoring-rounds", ROUND | {"municipality_id": w.municipality_id})),
    c.CloseMonitoringRound: (False, lambda w: (f"/monitoring-rounds/{_round(w)}/close", {"closed_on": "2023-05-31"})),
    c.PlanRoadmapItem: (False, lambda w: ("/roadmap-items", {
        "item": _checklist_item(w), "municipality_id": w.municipality_id, "due_on": "2021-10-01",
        "responsible": "Руководители ОО", "document_kind": "order"})),
    c.DropRoadmapItem: (False, lambda w: (f"/roadmap-items/{_planned_item(w)}/drop", {
        "municipality_id": w.municipality_id, "reason": "Пункт выполнен районом"})),
}

ROUND = {"title": "Мониторинг", "year": 2022, "asked": ["contingent"], "organization_kinds": ["school"],
         "opened_on": "2023-05-02", "due_on": "2023-05-20"}



def _completed_pair(w: ApiWorld) -> str:
    pair = w.pair(w.org_a)
    w.write(f"/pairs/{pair}/complete", {"ended_on": "2021-05-25", "outcome": "Проект"})
    return pair


def _round(w: ApiWorld) -> str:
    return w.created("/monitoring-rounds", ROUND | {"municipality_id": w.municipality_id})


def _planned_item(w: ApiWorld) -> str:
    item = _checklist_item(w)
    w.write("/roadmap-items", {"item": item, "municipality_id": w.municipality_id, "due_on": "2021-10-01",
                               "responsible": "Кураторы ОО", "document_kind": "regulation"})
    return item


#: Monitoring rounds and roadmaps are the institute's, or a municipal coordinator's for its own municipality.
MUNICIPAL_MAY = {c.OpenMonitoringRound, c.CloseMonitoringRound, c.PlanRoadmapItem, c.DropRoadmapItem}


def test_the_table_covers_every_write_endpoint_and_every_command() -> None:
    routed = {route.command for route in WRITE_ROUTES} | {c.AddUser}
    # A password is set in the staff workspace or the CLI, never over the API (tests/test_staff_sign_in.py).
    assert routed == set(c.ALL_COMMANDS) - {c.SetUserPassword}
    assert set(CASES) == routed


def _expected(role: str, curator_may: bool, creates: bool, municipal_may: bool = False) -> int:
    success = 201 if creates else 200
    if role == "admin" or (role == "municipal" and municipal_may):
        return success
    if role == "curator" and curator_may:
        return success
    return 403


_CREATES = {route.command: route.creates for route in WRITE_ROUTES} | {c.AddUser: True}


@pytest.mark.parametrize("command", list(CASES), ids=lambda command: command.__name__)
def test_every_role_against_the_write_endpoint(world: ApiWorld, command: type[c.Command]) -> None:
    curator_may, prepare = CASES[command]
    outcomes = {}
    for role in ROLES:
        path, body = prepare(world)
        before = world.position()
        response = world.post(path, body, as_=role)
        outcomes[role] = response.status_code
        expected = _expected(role, curator_may, _CREATES[command], command in MUNICIPAL_MAY)
        assert response.status_code == expected, (role, path, response.status_code, response.text)
        if expected == 403:
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["code"] == "forbidden" and problem["status"] == 403
            assert any("а" <= ch <= "я" for ch in problem["detail"].lower())
            assert world.position() == before, f"{role}: a refused write recorded something"
        else:
            result = response.json()
            assert result["position"] == world.position() > before
            assert int(response.headers["X-Log-Position"]) == result["position"]
            last = world.history(result["aggregate_id"])[-1]
            assert last.originator_version == result["version"]
            assert last.meta.user_id == world.user_ids[role], "the write is attributed to its user"
            assert last.meta.role == (role if role in ("curator", "municipal") else "admin")
    assert set(outcomes) == set(ROLES)


@pytest.mark.parametrize("role", [None, "not-a-token", "rst_revoked"])
def test_a_write_without_a_valid_token_is_401_and_records_nothing(
    memory_world: ApiWorld, role: str | None
) -> None:
    world = memory_world
    if role == "rst_revoked":
        world.write(f"/users/{world.user_ids['curator']}/revoke", {"reason": "Сменился куратор"})
        role = "curator"
    before = world.position()
    response = world.post(
        "/mentors",
        {"organization_id": world.org_a, "person": PERSON, "profile": PROFILE, "applied_on": "2021-01-15"},
        as_=role,
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthorized"
    assert world.position() == before


@pytest.mark.parametrize("role", ROLES)
def test_audit_reads_are_for_admin_and_auditor_only(memory_world: ApiWorld, role: str) -> None:
    world = memory_world
    paths = [
        f"/audit/aggregates/{world.org_a}/history",
        f"/audit/aggregates/{world.org_a}/state",
        "/audit/log",
        f"/audit/users/{world.user_ids['admin']}/writes",
        "/users",
    ]
    for path in paths:
        response = world.get(path, as_=role)
        if role in ("admin", "auditor"):
            assert response.status_code == 200, (path, response.text)
            assert int(response.headers["X-Log-Position"]) <= world.position()
        else:
            assert response.status_code == 403, (path, response.text)
            assert response.json()["code"] == "forbidden"
