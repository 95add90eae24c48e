"""The public lookup of registered mentors: search, filters, pages, one mentor's card.

Reads ONLY the `public_*` tables (see `projections.appliers.public`), which hold nothing but
what mentors consented to publish, and the titles of the forms of mentoring (a reference list,
no personal data). No query here can reach a hidden mentor or a hidden field, whatever its
conditions: those are not in the tables it reads.

Name search: each word typed must begin some word of the name ("иван" finds «Иванова Мария»,
«Семён Иванович»; "сем ив" finds both), case-insensitive, «ё» = «е», extra spaces and punctuation
ignored. Filters (municipality, organization, form, subject) match only what the mentor consented
to show: a mentor who did not publish the organization is never found by filtering on it, so a
filter cannot reveal a hidden field.

Indexes each query uses (verified with EXPLAIN in tests/test_public_search.py):

| question                          | SQLite                                  | PostgreSQL                                   |
|-----------------------------------|-----------------------------------------|----------------------------------------------|
| name word prefix `w`              | range `word >= w AND word < w+U+10FFFF` on `rv_public_name_words_word` (covering) | 3+ letters: `search_name LIKE '% w%'` on the GIN trigram index `rv_public_mentors_search` (bitmap scan); 1–2 letters, or no pg_trgm: the SQLite way (`COLLATE "C"` keeps the range exact) |
| municipality / organization       | `rv_public_mentors_municipality` / `_organization` | the same                            |
| form / subject                    | `rv_public_mentor_tags_value` (kind, value, mentor_id) | the same                      |
| a page in name order              | `rv_public_mentors_order` (sort_key, id) | the same                                    |
| a name's page (`by_name`)         | the name's matches by the rows above, then sorted (not the order index) | the same |
| a card                            | primary key                             | primary key                                  |

The filter lists (municipalities, organizations, forms, subjects with how many mentors each) and
the unfiltered total are computed once per log position and kept (`Directory` caches them).

Totals: no filter, or one filter alone, takes its exact number from those lists (no query). Any
other question counts its matches only up to `offset + COUNT_WINDOW`: a name prefix or a form
matches thousands of mentors at a region's size, and an exact `COUNT(*)` over all of them costs
more than the page itself, for a number nobody reads past «более 1000». Past the window the
total is a lower bound (`PublicPage.total_is_lower_bound`): there are more than `total`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from projections.store import Tx, ViewStore
from registry.reference import ListKind, reference_list_id

#: Sorts after every name's key: mentors whose name is not public come last (by id).
UNNAMED_SORT_KEY = "\ufffd"
#: Above every character: `prefix <= word < prefix + TOP` is "word starts with prefix".
_TOP = "\U0010ffff"
_NOT_WORD = re.compile(r"[\W_]+")

#: A word shorter than a trigram gives the trigram index nothing to select on: such words use
#: the word index on PostgreSQL too (a range of a B-tree, as on SQLite).
TRIGRAM_MIN = 3
MAX_QUERY_WORDS = 6
MAX_WORD_LENGTH = 40
#: Matches counted beyond the requested offset; more than that: "more than offset + window".
COUNT_WINDOW = 1000


def name_words(text: str | None) -> list[str]:
    """The searchable words of a name or of a query: NFC, lower case, «ё» as «е», split on
    anything not a letter or a digit (spaces, hyphens, dots, quotes)."""
    if not text:
        return []
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    return [word for word in _NOT_WORD.split(folded) if word]


def search_name(full_name: str) -> str:
    """What the name search matches: ' ' + the words, one space between them."""
    return " " + " ".join(name_words(full_name))


def sort_key(full_name: str | None) -> str:
    """The order of the list: by the normalized name; unnamed entries last."""
    return " ".join(name_words(full_name)) or UNNAMED_SORT_KEY


@dataclass(frozen=True)
class PublicFilter:
    """What a visitor asks: words of a name and exact values of the filters (None: any)."""

    q: str = ""
    municipality_id: str | None = None
    organization_id: str | None = None
    form: str | None = None
    subject: str | None = None

    def words(self) -> list[str]:
        """The query's words, at most MAX_QUERY_WORDS, each cut to MAX_WORD_LENGTH; a word
        contained at the start of another is dropped (it adds no condition)."""
        words: list[str] = []
        for word in name_words(self.q)[: MAX_QUERY_WORDS * 2]:
            word = word[:MAX_WORD_LENGTH]
            if not any(other.startswith(word) for other in words):
                words = [other for other in words if not word.startswith(other)] + [word]
        return sorted(words)[:MAX_QUERY_WORDS]

    def key(self) -> str:
        """A canonical text of the question: two requests that ask the same share it."""
        return json.dumps(
            [self.words(), self.municipality_id, self.organization_id, self.form, self.subject],
            ensure_ascii=False,
        )

    @property
    def empty(self) -> bool:
        return not self.words() and not any(
            (self.municipality_id, self.organization_id, self.form, self.subject)
        )


@dataclass(frozen=True)
class Option:
    value: str
    title: str
    count: int


@dataclass(frozen=True)
class Facets:
    """The filter lists and the unfiltered total, as of one log position."""

    total: int
    municipalities: list[Option]
    organizations: list[Option]
    forms: list[Option]
    subjects: list[Option]
    form_titles: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PublicPage:
    position: int
    total: int  # exact, or (total_is_lower_bound) there are more than this many
    items: list[dict[str, Any]]
    total_is_lower_bound: bool = False


_COLUMNS = [
    "id", "full_name", "organization_id", "organization", "municipality_id", "municipality",
    "forms", "subjects", "trainings",
]
_SELECT = "SELECT " + ", ".join(_COLUMNS) + " FROM {p}public_mentors"


class Directory:
    """The public directory over one view store (one per app: it keeps the filter lists)."""

    def __init__(self, store: ViewStore):
        self.store = store
        self._facets: tuple[int, Facets] | None = None

    @contextmanager
    def reading(self) -> Iterator[tuple[Tx, int]]:
        """One read transaction of the views and the log position it sees."""
        with self.store.transaction(write=False) as tx:
            if self.store.dialect == "postgres":
                # The public tables are small and hot (in memory): an index probe is not 4 times a
                # sequential page (with that default a name and a form hash-join the whole tag
                # table instead of probing it per match); and a question this small gains
                # nothing from parallel workers but their start-up, on cores the server needs.
                tx.execute(
                    "SELECT set_config('random_page_cost', '1.1', true), "
                    "set_config('max_parallel_workers_per_gather', '0', true)"
                )
            yield tx, self.store.read_position(tx)

    # -- questions, inside `reading()` ------------------------------------------------------

    def search(
        self, tx: Tx, position: int, wanted: PublicFilter, *, limit: int, offset: int
    ) -> PublicPage:
        facets = self.facets(tx, position)
        total, lower_bound = self._total(tx, facets, wanted, offset)
        items: list[dict[str, Any]] = []
        if total > offset:
            by_name = bool(wanted.words()) and (
                not lower_bound or max(map(len, wanted.words())) >= TRIGRAM_MIN
            )
            sql, params = self.page_query(wanted, limit, offset, by_name=by_name)
            items = [self._item(row, facets) for row in tx.rows(sql, params)]
        return PublicPage(position, total, items, lower_bound)

    def _total(self, tx: Tx, facets: Facets, wanted: PublicFilter, offset: int) -> tuple[int, bool]:
        """(total, is it a lower bound): exact from the filter lists when one filter alone is
        asked, else counted up to `offset + COUNT_WINDOW` matches."""
        exact = _single_filter_count(facets, wanted)
        if exact is not None:
            return exact, False
        where, params = self._where(wanted)
        window = offset + COUNT_WINDOW
        row = tx.one(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {{p}}public_mentors WHERE {where} LIMIT %s) AS matches",
            [*params, window + 1],
        )
        counted = int(row[0]) if row else 0
        return (window, True) if counted > window else (counted, False)

    def page_query(
        self, wanted: PublicFilter, limit: int, offset: int, *, by_name: bool = False
    ) -> tuple[str, list[Any]]:
        """The SQL (and parameters) of one page of a search, as `search` runs it.

        `by_name`: find the name's matches first (by its index) and sort just them. Walking the
        name order and testing each mentor is fast only when matches are many and spread out;
        a surname prefix's matches sit together in that order, maybe near its end, and the walk
        reads everything before them (tens of milliseconds at 100,000 mentors). The planner
        cannot tell the two apart, so `search` decides: by name for 3+ letter words (their
        matches are bounded) or when the count found few matches.
        """
        where, params = self._where(wanted)
        order = "sort_key || ''" if by_name else "sort_key"  # an expression: not the order index
        sql = f"{_SELECT}{' WHERE ' + where if where else ''} ORDER BY {order}, id LIMIT %s OFFSET %s"
        return sql, [*params, limit, offset]

    def mentor(self, tx: Tx, position: int, mentor_id: str) -> dict[str, Any] | None:
        row = tx.one(f"{_SELECT} WHERE id = %s", (mentor_id,))
        return None if row is None else self._item(row, self.facets(tx, position))

    def facets(self, tx: Tx, position: int) -> Facets:
        """The filter lists as of `position` (computed once per position)."""
        cached = self._facets
        if cached is not None and cached[0] == position:
            return cached[1]
        facets = self._compute_facets(tx)
        self._facets = (position, facets)  # one reference swapped whole: no lock needed
        return facets

    # -- building blocks ----------------------------------------------------------------------

    def _where(self, wanted: PublicFilter) -> tuple[str, list[Any]]:
        parts: list[str] = []
        params: list[Any] = []
        for word in wanted.words():
            if self.store.trigram_schema is not None and len(word) >= TRIGRAM_MIN:
                parts.append("search_name LIKE %s")
                params.append(f"% {word}%")  # words hold no '%' nor '_': nothing to escape
            else:
                parts.append(
                    "id IN (SELECT mentor_id FROM {p}public_name_words WHERE word >= %s AND word < %s)"
                )
                params += [word, word + _TOP]
        for column, value in (
            ("municipality_id", wanted.municipality_id),
            ("organization_id", wanted.organization_id),
        ):
            if value is not None:
                parts.append(f"{column} = %s")
                params.append(value)
        for kind, value in (("form", wanted.form), ("subject", wanted.subject)):
            if value is not None:
                parts.append(
                    "id IN (SELECT mentor_id FROM {p}public_mentor_tags WHERE kind = %s AND value = %s)"
                )
                params += [kind, value]
        return " AND ".join(parts), params

    def _item(self, row: tuple[Any, ...], facets: Facets) -> dict[str, Any]:
        """A mentor as published: keys of fields not consented to are absent."""
        data = dict(zip(_COLUMNS, row, strict=True))
        item: dict[str, Any] = {"id": data["id"]}
        if data["full_name"] is not None:
            item["full_name"] = data["full_name"]
        if data["organization_id"] is not None:
            item["organization"] = {"id": data["organization_id"], "name": data["organization"]}
        if data["municipality_id"] is not None:
            item["municipality"] = {"id": data["municipality_id"], "name": data["municipality"]}
        if data["forms"] is not None:
            item["forms"] = [
                {"code": code, "title": facets.form_titles.get(code, code)}
                for code in json.loads(data["forms"])
            ]
        if data["subjects"] is not None:
            item["subjects"] = json.loads(data["subjects"])
        if data["trainings"] is not None:
            item["trainings"] = json.loads(data["trainings"])
        return item

    def _compute_facets(self, tx: Tx) -> Facets:
        row = tx.one("SELECT COUNT(*) FROM {p}public_mentors")
        total = int(row[0]) if row else 0

        def units(column: str) -> list[Option]:
            found = tx.rows(
                f"SELECT {column}_id, {column}, COUNT(*) FROM {{p}}public_mentors "
                f"WHERE {column}_id IS NOT NULL GROUP BY {column}_id, {column}"
            )
            return sorted(
                (Option(str(i), str(name), int(n)) for i, name, n in found),
                key=lambda o: (name_words(o.title), o.title, o.value),
            )

        entries = tx.rows(
            "SELECT code, title, seq FROM {p}reference_entries WHERE list_id = %s",
            (str(reference_list_id(ListKind.MENTORING_FORM)),),
        )
        titles = {str(code): str(title) for code, title, _ in entries}
        order = {str(code): int(seq) for code, _, seq in entries}
        tags: dict[str, list[tuple[str, int]]] = {"form": [], "subject": []}
        for kind, value, n in tx.rows(
            "SELECT kind, value, COUNT(*) FROM {p}public_mentor_tags GROUP BY kind, value"
        ):
            tags.setdefault(str(kind), []).append((str(value), int(n)))
        forms = sorted(
            (Option(code, titles.get(code, code), n) for code, n in tags["form"]),
            key=lambda o: (order.get(o.value, 1 << 30), o.value),
        )
        subjects = sorted(
            (Option(value, value, n) for value, n in tags["subject"]),
            key=lambda o: (name_words(o.title), o.title),
        )
        return Facets(total, units("municipality"), units("organization"), forms, subjects, titles)


def _single_filter_count(facets: Facets, wanted: PublicFilter) -> int | None:
    """The exact number of matches when the question is one filter alone (or none), else None."""
    chosen = [
        (kind, value)
        for kind, value in (
            ("municipalities", wanted.municipality_id),
            ("organizations", wanted.organization_id),
            ("forms", wanted.form),
            ("subjects", wanted.subject),
        )
        if value is not None
    ]
    if wanted.words() or len(chosen) > 1:
        return None
    if not chosen:
        return facets.total
    kind, value = chosen[0]
    return next((o.count for o in getattr(facets, kind) if o.value == value), 0)


__all__ = [
    "COUNT_WINDOW",
    "Directory",
    "Facets",
    "Option",
    "PublicFilter",
    "PublicPage",
    "name_words",
    "search_name",
    "sort_key",
]
