"""Each public question is one statement on indexes made for it: its answers are those of the
search's rules (word prefixes, «ё» = «е», any case, consented fields only, name order, totals
counted up to the window) on tricky names, its JSON is what the published model writes, and the
name index forgets an erased person — on both stores."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest
from support.world import ADMIN

import projections.public
from api.public import page_json
from api.public_models import PublicMentor, PublicMentorPage
from projections.projector import Projector, rebuild
from projections.public import Directory, PublicFilter, name_words, sort_key
from projections.schema import LIVE_PREFIX
from projections.store import ViewStore, open_view_store
from registry import commands as c
from registry.application import Registry

#: (name, consent, forms, subjects, organization 0/1)
PEOPLE: list[tuple[str, list[str], list[str], list[str], int]] = [
    ("Семёнов Пётр Ильич", ["name", "forms", "organization", "municipality"], ["pupil_pupil"], [], 0),
    ("СЕМЕНОВА Алёна Петровна", ["name", "forms", "subjects"], ["teacher_teacher"], ["Физика"], 0),
    ("Петров Пётр Петрович", ["name", "forms", "organization"], ["pupil_pupil", "teacher_teacher"], [], 1),
    ("Ёлкин Артём Сергеевич", ["name", "municipality", "forms"], ["teacher_teacher"], [], 1),
    ("елкина Ёлка-Ель", ["name", "organization", "municipality"], ["student_pupil"], [], 0),
    ("Иванова-Петрова Мария Олеговна", ["name", "forms", "subjects"], ["pupil_pupil"], ["Русский язык"], 1),
    ("О’Нил д'Артаньян_младший", ["name", "organization"], [], [], 0),
    ("Се\u0308мин Илья", ["name", "forms", "organization", "municipality"], ["pupil_pupil"], [], 1),  # е + ◌̈
    ("Smith John", ["name", "forms"], ["teacher_teacher"], ["Physics \"Advanced\""], 0),
    ("Семь Семенович Семенов", ["name", "organization", "municipality"], [], [], 0),
    ("Анна 2-я", ["name", "municipality"], [], [], 1),
    ("Тайный Наставник", ["forms", "organization", "municipality"], ["pupil_pupil"], [], 0),  # name hidden
    ("Скрытый Второй", ["forms", "subjects"], ["teacher_teacher"], ["Физика"], 1),
    ("Петрова Анна", ["name", "forms", "organization", "municipality"], ["teacher_teacher"], [], 1),
]


def _region(registry: Registry) -> dict[str, Any]:
    municipalities = [
        str(registry.execute(c.RegisterMunicipality(name=f"Округ {n}", region="Край"), ADMIN).aggregate_id)
        for n in (1, 2)
    ]
    organizations = [
        str(registry.execute(c.RegisterOrganization(name=f"Школа {n}", kind="school", municipality_id=municipality,
                                                    registered_on=date(2019, 9, 1)), ADMIN).aggregate_id)
        for n, municipality in enumerate(municipalities)
    ]
    ids = {}
    for name, consent, forms, subjects, org in PEOPLE:
        mentor = registry.execute(c.SubmitMentorApplication(
            organization_id=organizations[org], person=c.PersonIn(full_name=name),
            profile=c.MentorProfileIn(position="учитель", mentor_type="teacher", forms=forms or ["pupil_pupil"],
                                      subjects=subjects),
            applied_on=date(2020, 9, 1)), ADMIN).aggregate_id
        registry.execute(c.GiveConsent(mentor_id=mentor, fields=consent, effective_date=date(2020, 9, 1)), ADMIN)
        registry.execute(c.ApproveMentor(mentor_id=mentor, effective_date=date(2020, 9, 2)), ADMIN)
        ids[name] = str(mentor)
    return {"municipalities": municipalities, "organizations": organizations, "ids": ids}


def _expected(everyone: list[dict[str, Any]], wanted: PublicFilter, limit: int, offset: int) -> tuple[list[str], int, bool]:
    """The search's rules over every published mentor, in Python: each word of the question
    begins some word of the name, the filters match consented fields; by name, unnamed last."""

    def matches(item: dict[str, Any]) -> bool:
        words = name_words(item.get("full_name"))
        return (
            all(any(w.startswith(q) for w in words) for q in wanted.words())
            and (wanted.municipality_id is None or item.get("municipality", {}).get("id") == wanted.municipality_id)
            and (wanted.organization_id is None or item.get("organization", {}).get("id") == wanted.organization_id)
            and (wanted.form is None or wanted.form in [f["code"] for f in item.get("forms", [])])
            and (wanted.subject is None or wanted.subject in item.get("subjects", []))
        )

    found = sorted((i for i in everyone if matches(i)), key=lambda i: (sort_key(i.get("full_name")), i["id"]))
    chosen = [v for v in (wanted.municipality_id, wanted.organization_id, wanted.form, wanted.subject) if v]
    window = offset + projections.public.COUNT_WINDOW
    total, lower = len(found), False
    if (wanted.words() or len(chosen) > 1) and total > window:
        total, lower = window, True
    return [i["id"] for i in found[offset:offset + limit]], total, lower


def _views(registry: Registry) -> ViewStore:
    store = open_view_store(registry)
    Projector(registry, store).catch_up()
    return store


QUERIES = ["", "семен", "СЕМЁН", "се", "с", "петр", "пётр петр", "ел", "ёлк", "елка ель", "нил", "д", "младший",
           "2", "я", "smi", "семин", "сем семен", "иван петр", "ванова", "ан", "тайный", "%", "о нил"]


def test_every_question_answers_by_the_rules(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    region = _region(registry)
    directory = Directory(_views(registry))
    page, _ = directory.ask(PublicFilter(), limit=100, offset=0)
    everyone = page.items
    assert len(everyone) == len(PEOPLE)
    munis, orgs = region["municipalities"], region["organizations"]
    filters = [{}, {"municipality_id": munis[0]}, {"organization_id": orgs[1]}, {"form": "teacher_teacher"},
               {"form": "pupil_pupil", "organization_id": orgs[0]}, {"subject": "Физика"},
               {"form": "teacher_teacher", "subject": "Физика"}, {"subject": 'Physics "Advanced"'},
               {"municipality_id": munis[1], "organization_id": orgs[1]}]
    asked, found, bounded = 0, 0, 0
    for window in (1000, 2):
        monkeypatch.setattr(projections.public, "COUNT_WINDOW", window)
        for q, chosen, (limit, offset) in itertools.product(QUERIES, filters, [(20, 0), (2, 1), (3, 4), (5, 40)]):
            wanted = PublicFilter(q, **chosen)
            page, facets = directory.ask(wanted, limit=limit, offset=offset)
            assert ([i["id"] for i in page.items], page.total, page.total_is_lower_bound) == _expected(
                everyone, wanted, limit, offset), (q, chosen, limit, offset)
            assert facets.total == len(PEOPLE) and page.position == registry.position()
            assert page.items == [i for i in everyone if i["id"] in {p["id"] for p in page.items}] or not page.items
            with directory.reading() as (tx, position):  # the same question inside a transaction
                assert directory.search(tx, position, wanted, limit=limit, offset=offset) == page
            asked, found, bounded = asked + 1, found + bool(page.items), bounded + page.total_is_lower_bound
    assert asked == 2 * len(QUERIES) * len(filters) * 4 and found > 200 and bounded > 10
    assert ["full_name" in i for i in everyone] == [True] * (len(PEOPLE) - 2) + [False] * 2  # unnamed last
    by_name = {i["full_name"]: i for i in everyone if "full_name" in i}
    assert by_name["Семёнов Пётр Ильич"]["municipality"]["id"] == munis[0]
    assert "organization" not in by_name["СЕМЕНОВА Алёна Петровна"]  # not consented: absent


def test_the_json_is_what_the_published_model_writes(registry: Registry) -> None:
    _region(registry)
    directory = Directory(_views(registry))
    for q in ("", "сем", "smith"):
        page, _ = directory.ask(PublicFilter(q), limit=50, offset=0)
        model = PublicMentorPage(position=page.position, total=page.total,
                                 total_is_lower_bound=page.total_is_lower_bound, limit=50, offset=0,
                                 items=[PublicMentor(**item) for item in page.items])
        assert page_json(page, 50, 0) == model.model_dump_json(exclude_none=True).encode()


def test_an_erased_person_leaves_the_name_index(registry: Registry) -> None:
    region = _region(registry)
    store = _views(registry)
    directory = Directory(store)
    erased = region["ids"]["Петров Пётр Петрович"]

    def words_of(mentor: str) -> list[tuple[Any, ...]]:
        with store.transaction(write=False) as tx:
            return tx.rows("SELECT word FROM {p}public_words WHERE mentor_id = %s", (mentor,))

    assert words_of(erased) and erased in [i["id"] for i in directory.ask(PublicFilter("петрович"), limit=20, offset=0)[0].items]
    registry.execute(c.ErasePersonalData(person_id=erased, reason="Заявление № 1"), ADMIN)
    Projector(registry, store).catch_up()
    assert words_of(erased) == []
    for q in ("петр", "петрович", "пётр петр"):
        assert erased not in [i["id"] for i in directory.ask(PublicFilter(q), limit=20, offset=0)[0].items]
    with store.transaction(write=False) as tx:
        assert tx.rows("SELECT word FROM {p}public_words WHERE word = 'петрович'") == []
    rebuild(registry, store)  # rebuilt from the log: still nowhere
    assert words_of(erased) == []


def test_a_store_with_the_old_name_index_drops_it_and_fills_the_new_one(registry: Registry) -> None:
    """Views of a version before `public_words`: the old word table (names) goes, the new one is
    filled from the views at once."""
    _region(registry)
    store = _views(registry)
    before = store.dump()
    with store.transaction(write=True) as tx:
        tx.execute(f"DROP TABLE {LIVE_PREFIX}public_words")
        tx.execute(f"CREATE TABLE {LIVE_PREFIX}public_name_words (mentor_id TEXT NOT NULL, word TEXT NOT NULL)")
        tx.execute(f"INSERT INTO {LIVE_PREFIX}public_name_words VALUES ('x', 'петров')")
    reopened = open_view_store(registry)
    assert reopened.dump() == before
    with reopened.transaction(write=False) as tx:
        names = "SELECT name FROM sqlite_master WHERE type = 'table'" if reopened.dialect == "sqlite" else \
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        assert f"{LIVE_PREFIX}public_name_words" not in {row[0] for row in tx.rows(names)}
