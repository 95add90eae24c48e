"""Exports carry personal data sealed, as stored: only the keys file opens them.

Before, an export held every name, e-mail, phone and SNILS in clear in its decoded `data` field,
so an export made before an erasure kept the person readable without any key. Now `data` shows
the personal data as sealed, and a restore takes a newer keys file, whose tombstones keep the
people erased since the export erased in the restored store.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from uuid import UUID

from support.world import ADMIN, TODAY, Region
from support.importing import seed

from ops.log_transfer import SEALED_IN_EXPORT, export_keys, export_log, keys_path, open_bare, restore_log
from registry import commands as c
from registry.application import Registry
from registry.sealing import ERASED

SECRETS = ("Королёва Анна Сергеевна", "koroleva@school.example", "+7 914 555-12-34", "112-233-445 95",
           "Ученикова Вера Павловна", "2008-03-04")


def _people(registry: Registry) -> tuple[UUID, UUID]:
    ids = seed(registry)
    mentor = registry.execute(
        c.SubmitMentorApplication(
            organization_id=ids["school"],
            person=c.PersonIn(full_name=SECRETS[0], email=SECRETS[1], phone=SECRETS[2], snils=SECRETS[3]),
            profile=c.MentorProfileIn(position="учитель", mentor_type="teacher"),
            applied_on=date(2021, 9, 1),
        ),
        ADMIN,
    ).aggregate_id
    mentee = Region(registry).mentee(ids["school"], full_name=SECRETS[4], birth_date=date(2008, 3, 4))
    assert mentor is not None
    return mentor, mentee


def _export(registry: Registry, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        export_log(registry, out)
    with keys_path(path).open("w", encoding="utf-8") as out:
        export_keys(registry, out)
    return path


def test_an_export_holds_no_personal_data_in_clear(registry: Registry, tmp_path: Path) -> None:
    mentor, _ = _people(registry)
    path = _export(registry, tmp_path / "log.jsonl")
    text = path.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in text
        assert json.dumps(secret)[1:-1] not in text  # nor \\u-escaped
    records = [json.loads(line) for line in text.splitlines()]
    applied = next(r for r in records if r["topic"] == "reestr:Mentor.Applied")
    assert applied["originator_id"] == str(mentor)
    assert applied["data"]["person"] == SEALED_IN_EXPORT
    registered = next(r for r in records if r["topic"] == "reestr:Mentee.Registered")
    assert registered["data"]["person"] == SEALED_IN_EXPORT
    assert registered["data"]["birth_year"] == 2008  # not personal data: the age bands need it


def test_the_keys_file_opens_an_export_and_a_newer_one_keeps_later_erasures(
    open_store: Callable[..., Registry], tmp_path: Path
) -> None:
    source = open_store(lambda: TODAY)
    mentor, mentee = _people(source)
    old = _export(source, tmp_path / "old.jsonl")  # made before the erasure
    source.execute(c.ErasePersonalData(person_id=mentor, reason="Заявление от 01.06.2023"), ADMIN)
    newer_keys = tmp_path / "newer.keys"
    with newer_keys.open("w", encoding="utf-8") as out:
        export_keys(source, out)

    with_old_keys = open_bare(f"sqlite:///{tmp_path / 'old-keys.sqlite3'}")
    with_newer_keys = open_bare(f"sqlite:///{tmp_path / 'newer-keys.sqlite3'}")
    try:
        # The old export with its own keys file: everyone in it readable, the erased mentor too.
        restore_log(with_old_keys, old)
        assert with_old_keys.repository.get(mentor).person.full_name == SECRETS[0]
        # The same export with a keys file made after the erasure: the erasure holds.
        restore_log(with_newer_keys, old, keys=newer_keys)
        assert with_newer_keys.repository.get(mentor).person.full_name == ERASED
        assert with_newer_keys.repository.get(mentor).person.email is None
        assert with_newer_keys.repository.get(mentee).person.full_name == SECRETS[4]
    finally:
        with_old_keys.close()
        with_newer_keys.close()
