"""Demo sign-ins for the staff workspace: one user per role, with a login and a fresh password.

Made once, right after the demo region is loaded (`reestr serve --demo`); the passwords are
printed once and kept only as argon2id hashes (`api.staff.accounts`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from uuid import UUID

from api.staff.accounts import StaffAccounts
from registry import commands as c
from registry.application import Registry
from registry.organizations import Organization
from registry.users import new_token, token_sha256
from registry.values import Actor, Role

INSTALLER = Actor(user_id="cli:demo", role=Role.ADMIN)


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    who: str
    login: str
    password: str


def first_school(registry: Registry) -> Organization:
    """The first school the demo registered (else its first organization): the curator's."""
    topic = Organization.Registered.TOPIC  # type: ignore[attr-defined]
    found = registry.recorder.select_notifications(start=1, limit=1000, topics=[topic])
    if not found:
        raise RuntimeError("demo region has no organization")
    organizations = [registry.repository.get(n.originator_id) for n in found]
    schools = [o for o in organizations if str(o.kind) == "school"]
    chosen: Organization = (schools or organizations)[0]
    return chosen


def add_demo_staff(registry: Registry, accounts: StaffAccounts) -> list[DemoSignIn]:
    """One user per role (admin, municipal of the first school's municipality, curator of it,
    auditor), each with a login `demo-<role>` and a random password; [] if they exist already."""
    if accounts.user_of_login("demo-admin") is not None:
        return []
    school = first_school(registry)
    municipality = registry.repository.get(school.municipality_id)
    plan = [
        ("admin", "Методист регионального института (демо)", {}, "весь регион"),
        ("municipal", "Муниципальный координатор (демо)", {"municipality_id": school.municipality_id},
         str(municipality.name)),
        ("curator", "Куратор школы (демо)", {"organization_id": school.id}, str(school.name)),
        ("auditor", "Аудитор (демо)", {}, "весь регион, только чтение"),
    ]
    made = []
    for role, name, scope, where in plan:
        result = registry.execute(
            c.AddUser(name=name, role=role, token_sha256=token_sha256(new_token()), **scope), INSTALLER
        )
        user_id = UUID(str(result.aggregate_id))
        password = secrets.token_urlsafe(9)
        accounts.set_login(user_id, f"demo-{role}", password)
        registry.execute(c.SetUserPassword(user_id=user_id), INSTALLER)
        made.append(DemoSignIn(role, where, f"demo-{role}", password))
    return made
