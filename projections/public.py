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

Each question is ONE statement (`Directory.statement`, run by `ViewStore.read_once`: on
PostgreSQL one round trip): the views' position, the count of matches when it is needed, and the
page, on indexes made for it (verified with EXPLAIN in tests/integration/test_public_search.py),
the same on both stores:

| question                          | index (on both stores)                                        |
|-----------------------------------|---------------------------------------------------------------|
| name word prefix `w`              | range `word >= w AND word < w+U+10FFFF` of `rv_public_words_word` (word, sort_key, mentor_id): the matches and their order from the index alone; several words: ranges intersected |
| municipality / organization       | `rv_public_mentors_municipality_order` / `_organization_order` (unit, sort_key, id): walked in name order |
| form / subject                    | `rv_public_mentor_tags_value` (kind, value, mentor_id), or the name order probing each mentor's tags (a common form) |
| with a name or a unit             | the form or subject probed per candidate on the tags' key     |
| a page in name order              | `rv_public_mentors_order` (sort_key, id)                       |
| a card                            | primary key                                                   |

`COLLATE "C"` on PostgreSQL's words and sort keys keeps ranges and order in code points, as on
SQLite. Only the page's own rows are read whole (by primary key).

The filter lists (municipalities, organizations, forms, subjects with how many mentors each) and
the unfiltered total are computed once per log position and kept (`Directory` caches them).

Totals: no filter, or one filter alone, takes its exact number from those lists (the statement
counts nothing). Any other question counts its matches only up to `offset + COUNT_WINDOW`, in the
same pass as the page: a name prefix or a form matches thousands of mentors at a region's size,
and an exact `COUNT(*)` over all of them costs more than the page itself, for a number nobody
reads past «более 1000». Past the window the total is a lower bound
(`PublicPage.total_is_lower_bound`): there are more than `total`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from projections.builds import LIVE_TRACKING
from projections.store import Tx, ViewStore
from registry.reference import ListKind, reference_list_id

#: Sorts after every name's key: mentors whose name is not public come last (by id).
UNNAMED_SORT_KEY = "\ufffd"
#: Above every character: `prefix <= word < prefix + TOP` is "word starts with prefix".
_TOP = "\U0010ffff"
_NOT_WORD = re.compile(r"[\W_]+")

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
            for name, value in self._settings():
                tx.execute("SELECT set_config(%s, %s, true)", (name, value))
            yield tx, self.store.read_position(tx)

    # -- questions ------------------------------------------------------------------------------

    def ask(self, wanted: PublicFilter, *, limit: int, offset: int) -> tuple[PublicPage, Facets]:
        """A question in ONE statement (`ViewStore.read_once`: one round trip on PostgreSQL),
        with the filter lists of the position it saw. Only the first question at a new
        position, whose lists are not kept yet, reads them too, in one transaction with the
        question asked again (so the lists and the page are of one position)."""
        sql, params = self.statement(wanted, limit, offset)
        rows = self.store.read_once(sql, params, settings=self._settings())
        kept = self._facets
        if kept is not None and kept[0] == int(rows[0][0]):
            return self._page(rows, kept[1], wanted, offset), kept[1]
        with self.reading() as (tx, position):
            facets = self.facets(tx, position)
            return self.search(tx, position, wanted, limit=limit, offset=offset), facets

    def search(
        self, tx: Tx, position: int, wanted: PublicFilter, *, limit: int, offset: int
    ) -> PublicPage:
        """The same question inside `reading()` (the statement's position is `position`)."""
        facets = self.facets(tx, position)
        sql, params = self.statement(wanted, limit, offset)
        return self._page(tx.rows(sql, params), facets, wanted, offset)

    def statement(self, wanted: PublicFilter, limit: int, offset: int) -> tuple[str, list[Any]]:
        """The one statement of a question: the views' position, the number of matches up to
        `offset + COUNT_WINDOW` (only when the filter lists cannot tell the total), and the
        page's rows (one row of NULLs for them when the page is empty).

        The matches are found by ids and sort keys alone, from indexes that hold both; only the
        page's own rows are read whole. Which index leads:
        - words of a name: each word's range of `public_words_word` (word, sort_key, mentor_id),
          intersected, then sorted (a prefix's matches are bounded and may sit anywhere in the
          name order: walking that order would read everything before them);
        - else a municipality or an organization: its index in name order
          (`(municipality_id, sort_key, id)`), walked;
        - else the name order `(sort_key, id)`, or a form's or subject's tag index, as the
          planner sees fit.
        Forms and subjects are checked per candidate (a probe of the tags' key) when a name or a
        unit leads: a common form matches most mentors, and collecting its matches first costs
        more than the whole page.

        When the total must be counted, the first `offset + COUNT_WINDOW + 1` matches in order
        are collected once (`f`), then counted and paged: one pass for both.
        """
        words = wanted.words()
        where, params = self._where(wanted, led=bool(words) or self._walk_is_shorter(wanted, limit, offset))
        cond = f" WHERE {where}" if where else ""
        source, key, order = "{p}public_mentors m", "m.id", "m.sort_key"
        head_params: list[Any] = []
        if words:
            distinct = "DISTINCT " if len(words) == 1 else ""  # INTERSECT makes its rows distinct
            source = "(" + " INTERSECT ".join(
                f"SELECT {distinct}mentor_id, sort_key FROM {{p}}public_words WHERE word >= %s AND word < %s"
                for _ in words
            ) + ") AS w" + (" JOIN {p}public_mentors m ON m.id = w.mentor_id" if where else "")
            head_params = [bound for word in words for bound in (word, word + _TOP)]
            key, order = "w.mentor_id", "w.sort_key"
        matches = f"SELECT {key} AS pid, {order} AS psk FROM {source}{cond} ORDER BY {order}, {key}"
        columns = ", ".join(f"r.{column}" for column in _COLUMNS)
        tail = (
            "LEFT JOIN {p}public_mentors r ON r.id = page.pid "
            "WHERE pos.application_name = %s ORDER BY page.psk, page.pid"
        )
        if _single_filter_count(None, wanted) is not None:  # the total is known: the page alone
            sql = (
                f"SELECT pos.notification_id, NULL, {columns} FROM {self.store.tracking_table} pos "
                f"LEFT JOIN ({matches} LIMIT %s OFFSET %s) AS page ON 1 = 1 {tail}"
            )
            return sql, [*head_params, *params, limit, offset, LIVE_TRACKING]
        collected = offset + max(COUNT_WINDOW, limit) + 1
        sql = (
            f"WITH f AS MATERIALIZED ({matches} LIMIT %s) "
            f"SELECT pos.notification_id, (SELECT COUNT(*) FROM f), {columns} FROM {self.store.tracking_table} pos "
            f"LEFT JOIN (SELECT pid, psk FROM f ORDER BY psk, pid LIMIT %s OFFSET %s) AS page ON 1 = 1 {tail}"
        )
        return sql, [*head_params, *params, collected, limit, offset, LIVE_TRACKING]

    def _walk_is_shorter(self, wanted: PublicFilter, limit: int, offset: int) -> bool:
        """A form or subject alone: walking the name order and probing each mentor's tags reads
        about `(offset + limit) * total / matches` mentors, collecting the tag's matches and
        sorting them reads `matches`; the kept filter lists (of the last position seen: a hint,
        the answer is the same either way) tell which is less."""
        kept = self._facets
        if kept is None or wanted.municipality_id or wanted.organization_id:
            return False
        facets = kept[1]
        chosen = [(facets.forms, wanted.form), (facets.subjects, wanted.subject)]
        counts = [next((o.count for o in options if o.value == value), 0) for options, value in chosen if value]
        return bool(counts) and (offset + limit) * facets.total < min(counts) ** 2

    def _settings(self) -> list[tuple[str, str]]:
        """Planner settings of a question (PostgreSQL): the public tables are small and hot (in
        memory), so an index probe is not 4 times a sequential page; and a question this small
        gains nothing from parallel workers but their start-up, on cores the server needs."""
        if self.store.dialect != "postgres":
            return []
        return [("random_page_cost", "1.1"), ("max_parallel_workers_per_gather", "0")]

    def _page(
        self, rows: list[tuple[Any, ...]], facets: Facets, wanted: PublicFilter, offset: int
    ) -> PublicPage:
        position, counted = int(rows[0][0]), rows[0][1]
        exact = _single_filter_count(facets, wanted)
        total, lower_bound = exact if exact is not None else int(counted), False
        if exact is None and total > offset + COUNT_WINDOW:
            total, lower_bound = offset + COUNT_WINDOW, True
        items = [self._item(row[2:], facets) for row in rows if row[2] is not None]
        return PublicPage(position, total, items, lower_bound)

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

    def _where(self, wanted: PublicFilter, *, led: bool) -> tuple[str, list[Any]]:
        """The filters' conditions on `public_mentors m` (`led`: the words of a name lead, or the
        name order is walked: a form or subject is then probed per candidate)."""
        parts: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("municipality_id", wanted.municipality_id),
            ("organization_id", wanted.organization_id),
        ):
            if value is not None:
                parts.append(f"m.{column} = %s")
                params.append(value)
        led = led or bool(parts)
        for kind, value in (("form", wanted.form), ("subject", wanted.subject)):
            if value is not None:
                parts.append(self._tag_probe if led else
                             "m.id IN (SELECT mentor_id FROM {p}public_mentor_tags WHERE kind = %s AND value = %s)")
                params += [kind, value]
        return " AND ".join(parts), params

    @property
    def _tag_probe(self) -> str:
        """A form or subject checked per candidate by the tags' key. On PostgreSQL `OFFSET 0`
        keeps the EXISTS a per-row probe: as a semi-join the planner may hash the whole tag
        list of a common form (thousands of rows) to check a few hundred candidates."""
        keep = " OFFSET 0" if self.store.dialect == "postgres" else ""
        return ("EXISTS (SELECT 1 FROM {p}public_mentor_tags t WHERE t.mentor_id = m.id "
                f"AND t.kind = %s AND t.value = %s{keep})")

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


def _single_filter_count(facets: Facets | None, wanted: PublicFilter) -> int | None:
    """The exact number of matches when the question is one filter alone (or none), else None
    (without `facets`: 0 for such a question, to tell whether the statement must count)."""
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
    if facets is None:
        return 0
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
    "sort_key",
]
