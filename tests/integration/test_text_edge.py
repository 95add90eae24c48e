"""Text at the edge: what the store cannot hold (or a reader cannot trust) is refused, by field.

NUL, BEL, ESC and a right-to-left override used to be recorded from any name or position; one
NUL then froze every PostgreSQL view for good. Now the command refuses them (422, the field
named, nothing recorded), and whatever it accepts is stored and read back unchanged on both
stores, from the log, the views and the API.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import commands as c
from registry.application import Registry
from registry.errors import InvalidCommand
from registry.text import clean_text, refused_character
from registry.validation import parse_command
from support.world.api import API, ApiWorld, open_world


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


def _post_raw(world: ApiWorld, path: str, body: dict[str, Any]) -> Any:
    """JSON sent escaped (`\\u0000`, `\\ud800`), the way any client may send it."""
    return world.client.post(
        API + path,
        content=json.dumps(body, ensure_ascii=True).encode(),
        headers={**world.headers("admin"), "Content-Type": "application/json"},
    )


def _application(org: str, full_name: str, position: str) -> dict[str, Any]:
    return {
        "organization_id": org,
        "person": {"full_name": full_name},
        "profile": {"position": position, "mentor_type": "teacher", "subjects": ["математика"]},
        "applied_on": "2020-09-01",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("person.full_name", "Иванова\x00 Мария"),
        ("person.full_name", "Иванова Мария\x07"),
        ("profile.position", "учитель\x1b[31m"),
        ("profile.position", "учитель \u202eиксиьтамэ"),
        ("person.full_name", "Иванова \u2066Мария\u2069"),
        ("person.full_name", "Иванова \x85Мария"),
        ("profile.position", "учитель\nматематики"),
        ("person.full_name", "Иванова \ud800Мария"),
    ],
)
def test_a_character_the_store_cannot_hold_is_refused_by_field_and_nothing_recorded(
    world: ApiWorld, field: str, value: str
) -> None:
    full_name = value if field == "person.full_name" else "Иванова Мария"
    position = value if field == "profile.position" else "учитель"
    before = world.position()
    response = _post_raw(world, "/mentors", _application(world.org_a, full_name, position))
    assert response.status_code == 422, response.text
    problems = response.json()["errors"]
    assert [p["field"] for p in problems] == [field]
    assert problems[0]["message"].startswith("Недопустимый символ")
    assert world.position() == before


def test_a_reason_may_span_lines_and_keep_tabs_but_not_hold_a_nul(world: ApiWorld) -> None:
    mentor = world.mentor(world.org_a)
    reason = "Приказ № 12\n\tпо заявлению"
    world.write(f"/mentors/{mentor}/suspend", {"reason": reason, "effective_date": "2021-01-10"})
    assert world.get(f"/mentors/{mentor}", as_="admin").json()["item"]["status_reason"] == reason
    refused = _post_raw(world, f"/mentors/{mentor}/remove", {"reason": "a\x00b", "effective_date": "2021-02-01"})
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["errors"]] == ["reason"]


def test_text_is_stored_in_nfc_so_one_name_typed_two_ways_is_one_name() -> None:
    decomposed = "Зуи\u0306ков Иван"  # «й» as «и» + combining breve
    command = parse_command(c.AddUser, {"name": decomposed, "role": "auditor", "token_sha256": "0" * 64})
    assert command.name == "Зуйков Иван"
    assert command.name == unicodedata.normalize("NFC", decomposed) != decomposed


def test_what_is_refused() -> None:
    assert refused_character("Мария") is None
    assert refused_character("a\tb") == (2, "управляющий символ U+0009")
    assert refused_character("a\tb", multiline=True) is None
    assert refused_character("a\x7fb", multiline=True) == (2, "управляющий символ U+007F")
    assert refused_character("ab\u202a") == (3, "символ направления письма U+202A")
    assert refused_character("\udc00") == (1, "непарный суррогат U+DC00")
    assert refused_character("🙂 ё\u00ad\u200d") is None  # emoji, soft hyphen, joiner: text
    with pytest.raises(InvalidCommand) as refused:
        parse_command(c.RevokeUser, {"user_id": "3c2fedfe-2ca1-4896-835b-431734b29793", "reason": "x\x1b"})
    assert refused.value.problems[0].message == "Недопустимый символ: управляющий символ U+001B, позиция 2"
    assert clean_text("e\u0301") == "é"


_ANY_TEXT = st.text(st.characters(exclude_categories=()), min_size=1, max_size=24)


@settings(
    max_examples=40, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=_ANY_TEXT, position=_ANY_TEXT, reason=_ANY_TEXT)
def test_whatever_is_accepted_is_read_back_unchanged_from_log_views_and_api(
    world: ApiWorld, name: str, position: str, reason: str
) -> None:
    body = _application(world.org_a, name, position)
    try:
        expected = parse_command(c.SubmitMentorApplication, body)
    except InvalidCommand:
        expected = None
    before = world.position()
    response = _post_raw(world, "/mentors", body)
    if expected is None:
        assert response.status_code == 422, response.text
        assert world.position() == before
        return
    assert response.status_code == 201, response.text
    mentor = response.json()["aggregate_id"]
    world.write(f"/mentors/{mentor}/approve", {"effective_date": "2020-09-15"})
    world.write(f"/mentors/{mentor}/consent", {"fields": ["name"], "effective_date": "2020-09-16"})
    published = world.app.state.views.dump()["public_mentors"]
    assert expected.person.full_name in {cell for row in published for cell in row if isinstance(cell, str)}
    suspended = _post_raw(world, f"/mentors/{mentor}/suspend", {"reason": reason, "effective_date": "2021-01-10"})
    try:
        expected_reason = parse_command(
            c.SuspendMentor, {"mentor_id": mentor, "reason": reason, "effective_date": "2021-01-10"}
        ).reason
    except InvalidCommand:
        expected_reason = None
    assert suspended.status_code == (422 if expected_reason is None else 200), suspended.text

    card = world.get(f"/mentors/{mentor}", as_="admin").json()["item"]
    assert card["full_name"] == expected.person.full_name
    assert card["position"] == expected.profile.position
    if expected_reason is not None:
        assert card["status_reason"] == expected_reason
    listed = world.get("/mentors", as_="admin", organization_id=world.org_a, limit=500).json()["items"]
    assert expected.person.full_name in {item["full_name"] for item in listed}

    rows = world.app.state.views.dump()["mentors"]
    cells = {cell for row in rows for cell in row if isinstance(cell, str)}
    assert {expected.person.full_name, expected.profile.position} <= cells

    from_log = world.registry.repository.get(UUID(mentor))
    assert from_log.profile.position == expected.profile.position


def test_a_name_pasted_with_a_trailing_newline_is_trimmed_not_refused() -> None:
    command = parse_command(c.AddUser, {"name": "Иванова Мария\r\n", "role": "auditor", "token_sha256": "0" * 64})
    assert command.name == "Иванова Мария"
