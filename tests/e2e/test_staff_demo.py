"""`reestr serve --demo` gives the workspace one sign-in per role, printed once: the demo
users exist with their scope, their passwords work, and a second start makes none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.world.api import open_world
from support.world.staff import StaffWorld

from ops.demo.staff_users import add_demo_staff
from registry.application import Registry
from registry.users import User


@pytest.fixture
def world(registry: Registry) -> Iterator[StaffWorld]:
    yield from open_world(registry, StaffWorld)


def test_the_demo_gives_one_sign_in_per_role_once(world: StaffWorld) -> None:
    made = add_demo_staff(world.registry, world.accounts)
    assert [m.role for m in made] == ["admin", "municipal", "curator", "auditor"]
    assert add_demo_staff(world.registry, world.accounts) == [], "printed once: a restart adds no one"

    curator = next(m for m in made if m.role == "curator")
    user = world.registry.repository.get(world.accounts.user_of_login(curator.login))
    assert isinstance(user, User) and user.role == "curator" and curator.who
    browser = world.browser()
    browser.get("/staff/login")
    signed_in = browser.post("/staff/login", {"login": curator.login, "password": curator.password})
    assert signed_in.status_code == 303
    assert curator.who in browser.follow(signed_in).text, "the demo curator's school is its dashboard"
    for other in made:
        assert len(other.password) >= 10 and other.login == f"demo-{other.role}"
