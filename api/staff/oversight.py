"""The pages of the institute, the municipal coordinator and the auditor: one router for
`api.staff.staff_router`, and their places in each role's navigation.

| module | pages |
|---|---|
| `dashboard_pages` | the start page: indicators of the reader's unit against the targets, with charts |
| `approvals` | the approval queue of mentor applications (institute decides; coordinator, auditor read) |
| `report_pages` | the report builder: the dynamics report inline, its files and manifests |
| `status_pages` | the organizations' status table (contingent, checklist, pairs, what is overdue) |
| `audit_pages` | the log by position, a record's history, its state as known / in force |
| `integrity_pages` | verification of the log, the latest checkpoint, reproduction from a manifest |
| `erasure_pages` | erasure of a person's personal data (152-ФЗ), after a page saying what is destroyed |
| `region_setup_pages` | municipalities and organizations, reference lists, yearly targets |
| `user_pages` | users: the list, adding one with a sign-in, revoking, resetting a password |
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.staff import (
    HOMES,
    approvals,
    audit_pages,
    dashboard_pages,
    erasure_pages,
    integrity_pages,
    region_setup_pages,
    report_pages,
    status_pages,
    user_pages,
)
from api.staff.pages import NOTICES, TEMPLATES, add_nav, see_other
from api.staff.session import SignedIn, require_staff_roles
from registry.values import Role

router = APIRouter()
NOTICES["erased"] = "Персональные данные удалены: ключ уничтожен, удаление записано в журнал."
for module in (
    approvals,
    report_pages,
    status_pages,
    audit_pages,
    integrity_pages,
    user_pages,
    erasure_pages,
    region_setup_pages,
):
    router.include_router(module.router)

add_nav("/staff/approvals", "Заявки", Role.ADMIN, Role.MUNICIPAL, Role.AUDITOR)
add_nav("/staff/organizations/status", "Организации", Role.ADMIN, Role.MUNICIPAL, Role.AUDITOR)
add_nav("/staff/reports", "Справка", Role.ADMIN, Role.MUNICIPAL, Role.AUDITOR)
add_nav("/staff/audit", "Аудит", Role.ADMIN, Role.AUDITOR)
add_nav("/staff/units", "Регион", Role.ADMIN)

#: Pages grouped under one entry of the navigation, linked from each other (`oversight_subnav`).
SECTIONS = {
    "audit": [
        ("/staff/audit/records", "История записей"),
        ("/staff/audit/log", "Журнал"),
        ("/staff/audit/verification", "Целостность"),
        ("/staff/audit/reproduce", "Воспроизведение отчёта"),
    ],
    "region": [
        ("/staff/units", "Муниципалитеты и организации"),
        ("/staff/reference", "Справочники"),
        ("/staff/targets", "Цели"),
        ("/staff/users", "Пользователи"),
    ],
}
TEMPLATES.globals["oversight_sections"] = SECTIONS


@router.get("/audit")
def audit_start(staff: SignedIn = require_staff_roles(Role.ADMIN, Role.AUDITOR)) -> Response:
    """The navigation's «Аудит»: its first page."""
    return see_other("/staff/audit/records")


for role in (Role.ADMIN, Role.MUNICIPAL, Role.AUDITOR):
    HOMES[role] = dashboard_pages.dashboard
