"""`reestr users add|list|revoke` on each store, and the tokens it prints used over HTTP."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from support.world import ADMIN
from support.world.api import API
from typer.testing import CliRunner

from api.app import create_app
from ops.cli import app as reestr
from ops.logs import configure_logging
from registry import commands as c
from registry.application import Registry
from registry.users import token_sha256, user_id_for_token_hash


def test_users_are_added_listed_and_revoked_and_tokens_are_never_stored(
    store_url: tuple[str, str | None], open_store: Callable[..., Registry]
) -> None:
    url, schema = store_url
    env = {"REESTR_DATABASE_URL": url, "REESTR_DATABASE_SCHEMA": schema or "", "COLUMNS": "300"}
    runner = CliRunner()

    def cli(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(reestr, ["users", *args], env=env)
        # The CLI pointed the logs at the runner's stderr, closed now: point them back.
        configure_logging("info", "console")
        return result.exit_code, result.stdout, result.stderr

    registry = open_store()  # the server's registry, open before and during the CLI's changes
    municipality = registry.execute(c.RegisterMunicipality(name="Район", region="Край"), ADMIN).aggregate_id
    organization = registry.execute(
        c.RegisterOrganization(name="Школа № 1", kind="school", municipality_id=municipality,
                               registered_on="2019-09-01"),
        ADMIN,
    ).aggregate_id

    code, out, err = cli("add", "--name", "Куратор школы № 1", "--role", "curator",
                         "--organization", str(organization))
    assert code == 0, err
    token = out.strip()
    assert token.startswith("rst_") and "\n" not in token, "the token alone on standard output"
    assert "Токен показан ниже один раз" in err

    code, out, err = cli("add", "--name", "Куратор без школы", "--role", "curator")
    assert code == 1 and "Для куратора нужно указать его организацию" in err

    code, out, err = cli("add", "--name", "Кто-то", "--role", "system")
    assert code != 0

    client = TestClient(create_app(registry))
    mentee = {"organization_id": str(organization), "category": "teacher",
              "person": {"full_name": "Смирнова Ольга"}, "registered_on": "2021-09-01"}
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post(f"{API}/mentees", json=mentee, headers=headers).status_code == 201

    code, out, err = cli("list")
    assert code == 0 and "Куратор школы № 1 — Школа № 1" in out and "curator" in out
    assert token not in out and token_sha256(token) not in out
    user_id = user_id_for_token_hash(token_sha256(token))
    assert str(user_id) in out

    code, out, err = cli("revoke", str(user_id), "--reason", "Сменился куратор")
    assert code == 0, err
    code, out, err = cli("revoke", str(user_id), "--reason", "Ещё раз")
    assert code == 1 and "уже отозван" in err
    assert client.post(f"{API}/mentees", json=mentee, headers=headers).status_code == 401

    code, out, err = cli("list")
    assert "Куратор школы № 1" not in out
    code, out, err = cli("list", "--all")
    assert "Куратор школы № 1" in out and "отозван" in out

    stored = b"".join(n.state for n in registry.recorder.select_notifications(start=1, limit=10_000))
    assert token.encode() not in stored and token_sha256(token).encode() in stored
