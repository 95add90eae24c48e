"""Erasure at the edges: the CLI, export and restore, another process's cached key, the whole-store
cipher, events recorded in clear before sealing, and the rules around an erased person."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
import structlog
from support.transparency import RawStore
from support.world import ADMIN, TODAY, Region, curator_of, person, profile
from test_event_log_compat import IDS, restored  # noqa: F401  (the v1 store, recorded in clear)
from typer.testing import CliRunner

from ops.cli import app as reestr
from ops.log_transfer import export_keys, export_log, keys_path, open_bare, restore_log
from ops.storage import open_registry
from projections.projector import Projector
from projections.store import open_view_store
from registry import commands as c
from registry.application import Registry
from registry.errors import Forbidden, InvalidCommand, RuleViolation
from registry.mentees import Mentee
from registry.mentors import Mentor
from registry.organizations import Municipality
from registry.sealing import (
    ERASED,
    ERASED_PERSON,
    MemoryPersonalKeys,
    SealedPersonalData,
)
from registry.validation import parse_command

NAME = "Свиристелева Олимпиада Карповна"


def _run(args: list[str], env: dict[str, str]):  # type: ignore[no-untyped-def]
    try:
        return CliRunner().invoke(reestr, args, env=env)
    finally:
        structlog.reset_defaults()


def _erase(registry: Registry, person_id: UUID, reason: str = "Отзыв согласия, заявление № 3") -> None:
    registry.execute(c.ErasePersonalData(person_id=person_id, reason=reason), ADMIN)


def _municipalities(registry: Registry) -> list[Municipality]:
    topics = ["reestr:Municipality.Registered"]
    found = registry.recorder.select_notifications(start=1, limit=100, topics=topics)
    return [registry.repository.get(n.originator_id) for n in found]


# -- rules -----------------------------------------------------------------------------------------


def test_only_the_regional_administrator_erases_and_must_say_why(memory_registry: Registry) -> None:
    region = Region(memory_registry)
    mentor = region.active_mentor(full_name=NAME)
    region.refuse(c.ErasePersonalData(person_id=mentor, reason="Просьба"), curator_of(region.home),
                  expect=Forbidden)
    with pytest.raises(InvalidCommand) as invalid:
        parse_command(c.ErasePersonalData, {"person_id": str(mentor), "reason": "   "})
    assert invalid.value.problems[0].field == "reason"
    unknown = region.refuse(c.ErasePersonalData(person_id=region.home, reason="Просьба"))
    assert unknown.problems[0].field == "person_id"  # an organization is not a person


def test_nothing_personal_is_recorded_again_for_an_erased_person(memory_registry: Registry) -> None:
    region = Region(memory_registry)
    mentor = region.active_mentor(full_name=NAME)
    mentee = region.mentee(full_name="Клестов Пётр")
    for erased in (mentor, mentee):
        _erase(memory_registry, erased)
    curator = curator_of(region.home)
    region.refuse(c.UpdateMentorProfile(mentor_id=mentor, person=person(NAME), profile=profile(), capacity=2),
                  curator, expect=RuleViolation)
    region.refuse(c.GiveConsent(mentor_id=mentor, fields=["name"], effective_date=date(2021, 10, 1)),
                  curator, expect=RuleViolation)
    region.refuse(c.CorrectMentee(mentee_id=mentee, category="pupil", person=person("Клестов Пётр"),
                                  birth_year=2008, reason="Опечатка"), curator, expect=RuleViolation)
    region.refuse(c.ErasePersonalData(person_id=mentor, reason="Ещё раз"), expect=RuleViolation)
    # The person keeps counting: pairs are still formed with the erased mentor and mentee.
    region.pair(mentor, [mentee])
    assert memory_registry.get(Mentee, mentee).active_pairs


def test_a_sealed_value_opens_only_for_its_own_person() -> None:
    """The person's id is bound into the ciphertext: copying it onto another person's event fails."""
    from registry.sealing import _subject

    keys = MemoryPersonalKeys()
    sealing = SealedPersonalData(keys)
    anna, boris = UUID(int=1), UUID(int=2)
    token = _subject.set(anna)
    sealed = sealing.encode(ERASED_PERSON.__class__(full_name=NAME, email="a@example.ru"))
    assert NAME not in json.dumps(sealed, ensure_ascii=False)
    assert sealing.decode(sealed).full_name == NAME
    _subject.reset(token)
    keys.ensure(boris)
    token = _subject.set(boris)
    try:
        with pytest.raises(ValueError, match="does not open"):
            sealing.decode(sealed)
    finally:
        _subject.reset(token)


# -- across processes and stores -------------------------------------------------------------------


def test_another_process_forgets_a_key_it_had_cached_when_it_reads_the_erasure(open_store) -> None:  # type: ignore[no-untyped-def]
    writer, reader = open_store(), open_store()
    mentor = Region(writer).active_mentor(full_name=NAME)
    assert reader.get(Mentor, mentor).person.full_name == NAME  # the reader has the key cached now
    views = open_view_store(reader)
    Projector(reader, views).catch_up()
    _erase(writer, mentor)
    Projector(reader, views).catch_up()  # the reader decodes the erasure event...
    again = list(reader.history(mentor))
    assert again[0].person == ERASED_PERSON  # ...and from then on cannot open the old ones
    views.close()


def test_the_cli_erases_then_export_and_restore_carry_the_erasure(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'reestr.sqlite3'}"
    registry = open_registry(url, clock=lambda: TODAY)
    region = Region(registry)
    mentor = region.active_mentor(full_name=NAME)
    kept = region.active_mentor(full_name="Щеглова Вера")
    registry.close()

    result = _run(["erase", str(mentor), "--reason", "Заявление № 7"], {"REESTR_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "удалены: ключ уничтожен" in result.output
    assert _run(["verify"], {"REESTR_DATABASE_URL": url}).exit_code == 0  # the log is untouched
    again = _run(["erase", str(mentor), "--reason", "Заявление № 7"], {"REESTR_DATABASE_URL": url})
    assert again.exit_code == 1 and "удалены" in again.output

    source = open_registry(url, clock=lambda: TODAY)
    out = tmp_path / "log.jsonl"
    with out.open("w", encoding="utf-8") as lines:
        export_log(source, lines)
    with keys_path(out).open("w", encoding="utf-8") as lines:
        export_keys(source, lines)
    text = out.read_text(encoding="utf-8")
    assert NAME not in text and ERASED in text  # the erased person: decoded for people as erased
    assert "Щеглова Вера" not in text  # the others' personal data: sealed, as stored (keys file opens them)
    keys = {json.loads(line)["subject_id"]: json.loads(line)["key"] for line in keys_path(out).open()}
    assert keys[str(mentor)] is None and keys[str(kept)] is not None

    target = open_bare(f"sqlite:///{tmp_path / 'moved.sqlite3'}")
    try:
        restore_log(target, out)
        assert target.get(Mentor, mentor).person == ERASED_PERSON
        assert target.get(Mentor, kept).person.full_name == "Щеглова Вера"
        assert target.keys.is_erased(mentor)  # the tombstone moved: the person stays erased
    finally:
        source.close()
        target.close()


def test_the_whole_store_can_be_encrypted_with_the_librarys_cipher(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'reestr.sqlite3'}"
    key = _run(["cipher-key"], {}).output.strip()
    env = {"REESTR_DATABASE_URL": url, "REESTR_CIPHER_KEY": key}
    registry = open_registry(url, clock=lambda: TODAY, cipher_key=key)
    Region(registry).municipality("Район Ёлкино-Заозёрный")
    states = b"".join(bytes(s) for (s,) in RawStore(registry).execute("SELECT state FROM {events}"))
    assert "Ёлкино".encode() not in states and b"reference" not in states.lower()
    registry.close()
    reopened = open_registry(url, clock=lambda: TODAY, cipher_key=key)
    assert [m.name for m in _municipalities(reopened)] == ["Район Ёлкино-Заозёрный"]
    reopened.close()
    assert _run(["verify"], env).exit_code == 0
    listed = _run(["info"], env)
    assert listed.exit_code == 0 and "reestr:Municipality.Registered" in listed.output
    # Without the key the events do not open: a clear refusal, not wrong figures.
    refused = _run(["info"], {"REESTR_DATABASE_URL": url})
    assert refused.exit_code == 2 and "REESTR_CIPHER_KEY" in refused.output


def test_an_event_recorded_in_clear_before_sealing_is_hidden_once_its_person_is_erased(
    restored: Registry,  # noqa: F811
) -> None:
    mentor = UUID(IDS["mentor"])
    assert restored.repository.get(mentor).person.full_name != ERASED
    _erase(restored, mentor)
    assert restored.repository.cache is not None
    restored.repository.cache.clear()  # read it again from the stored events
    assert restored.repository.get(mentor).person == ERASED_PERSON
    assert next(iter(restored.history(mentor))).person == ERASED_PERSON
