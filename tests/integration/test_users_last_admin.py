"""Nobody locks the registry out: not the last active administrator, not an admin revoking itself.

Before, an admin could revoke its own access and the last admin's (201, recorded); only the
console could bring an administrator back. Now the API answers 409 and the CLI exits 1, both
in Russian, and nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from support.world.api import ApiWorld, add_user, open_world
from typer.testing import CliRunner

from ops.cli import app as reestr
from ops.logs import configure_logging
from registry.application import Registry


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


def test_an_admin_cannot_revoke_itself_another_admin_can(world: ApiWorld) -> None:
    _, second_token = add_user(world.registry, "Второй администратор", "admin")
    world.tokens["second"] = second_token
    before = world.position()
    response = world.post(f"/users/{world.user_ids['admin']}/revoke", {"reason": "Ухожу"})
    assert response.status_code == 409, response.text
    assert response.json()["errors"][0]["rule"] == "not_self"
    assert response.json()["detail"] == "Нельзя отозвать собственный доступ: это делает другой администратор"
    assert world.position() == before
    revoked = world.post(f"/users/{world.user_ids['admin']}/revoke", {"reason": "Ушёл"}, as_="second")
    assert revoked.status_code == 200, revoked.text


def test_the_only_admin_keeps_its_access(world: ApiWorld) -> None:
    before = world.position()
    response = world.post(f"/users/{world.user_ids['admin']}/revoke", {"reason": "Ухожу"})
    assert response.status_code == 409
    assert world.position() == before
    assert world.get("/mentors", as_="admin").status_code == 200


def test_the_console_cannot_revoke_the_last_admin_either(
    store_url: tuple[str, str | None], open_store: Callable[..., Registry]
) -> None:
    url, schema = store_url
    env = {"REESTR_DATABASE_URL": url, "REESTR_DATABASE_SCHEMA": schema or ""}
    registry = open_store()
    only_admin, _ = add_user(registry, "Администратор ИРО", "admin")
    auditor, _ = add_user(registry, "Аудитор", "auditor")
    before = registry.position()

    result = CliRunner().invoke(reestr, ["users", "revoke", only_admin, "--reason", "Уволился"], env=env)
    configure_logging("info", "console")
    assert result.exit_code == 1
    assert "последний действующий администратор" in " ".join(result.stderr.split())
    assert registry.position() == before

    result = CliRunner().invoke(reestr, ["users", "revoke", auditor, "--reason", "Уволился"], env=env)
    configure_logging("info", "console")
    assert result.exit_code == 0, result.stderr
