"""One transaction on the registry's store, its SQL written once for SQLite and PostgreSQL.

Everything beside the events speaks SQL through `Tx`: the views (`projections.store`), the
transparency log's tables (`projections.transparency.store`), the steps of the events' own
transaction (`ops.unit_of_work`: the personal keys, the tree) and the key table's own
connection (`ops.personal_keys`). SQL uses psycopg's `%s` placeholders (`?` on SQLite) and
`{name}` for what each store calls a table: `{p}` is the views' table prefix, other names are
given by the owner (the tree's `{tl_leaves}`, the key table's `{keys}`, ...).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from psycopg.rows import tuple_row

#: What a NUL becomes in PostgreSQL text columns (they cannot hold U+0000).
NUL_IN_VIEWS = "\ufffd"

#: SQL as sent, by (text, dialect, names): a few dozen constant texts are translated once each.
_TRANSLATED: dict[tuple[str, str, tuple[tuple[str, str], ...]], str] = {}


def storable_row(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """`values` as PostgreSQL's text columns can hold them: NUL replaced by U+FFFD.

    Commands refuse NUL (`registry.text`), but events recorded before (or written through the
    library) keep theirs for good; the log keeps the bytes, the views show the replacement,
    and a projection goes on past them instead of failing on every catch-up."""
    for value in values:
        if type(value) is str and "\x00" in value:
            return tuple(v.replace("\x00", NUL_IN_VIEWS) if type(v) is str else v for v in values)
    return values


class Tx:
    """One transaction: SQL with `%s` placeholders, `{p}` for the prefix and `{name}` for `names`."""

    def __init__(
        self,
        cursor: Any,
        dialect: str,
        prefix: str = "",
        *,
        names: Mapping[str, str] | None = None,
        library_cursor: Any = None,
    ):
        self.cursor = cursor
        self.dialect = dialect
        self.prefix = prefix
        self.names: Mapping[str, str] = names or {}
        #: the library's own cursor on the same transaction (for its tracking statements)
        self.library_cursor = cursor if library_cursor is None else library_cursor
        self._substitutions = (("{p}", prefix), *(("{" + k + "}", v) for k, v in self.names.items()))
        #: the kept figures' marks the appliers note (`projections.figure_marks.FigureMarks`), in a
        #: live view store's write transaction, which writes them before it commits; else None
        self.marks: Any = None

    def named(self, names: Mapping[str, str]) -> Tx:
        """The same transaction, its SQL naming tables by `names`."""
        return Tx(self.cursor, self.dialect, self.prefix, names=names, library_cursor=self.library_cursor)

    def _sql(self, sql: str) -> str:
        # Appliers repeat a few dozen constant texts: translate each once (bounded, in case a
        # caller builds texts with values in them).
        key = (sql, self.dialect, self._substitutions)
        found = _TRANSLATED.get(key)
        if found is None:
            found = sql
            for name, value in self._substitutions:
                found = found.replace(name, value)
            if self.dialect == "sqlite":
                found = found.replace("%s", "?")
            if len(_TRANSLATED) >= 4096:
                _TRANSLATED.clear()
            _TRANSLATED[key] = found
        return found

    def _params(self, params: Sequence[Any]) -> tuple[Any, ...]:
        params = params if type(params) is tuple else tuple(params)
        if self.dialect == "postgres":
            return storable_row(params)
        return params

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(self._sql(sql), self._params(params))

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement for each of `rows` (nothing sent for none)."""
        if rows:
            self.cursor.executemany(self._sql(sql), [self._params(r) for r in rows])

    def insert(self, table: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> None:
        """INSERT `rows` into `table` (a `{name}`); `columns`: (name, PostgreSQL type) in row order.

        On PostgreSQL one statement, the rows sent as binary arrays (one per column) and unnested:
        `executemany` sends a statement a row, ~10 µs each on the server and in psycopg — the
        transparency log's leaves and nodes, two rows an event, in every events' transaction.
        On SQLite, in-process, `executemany`. Values are not checked for NUL (no text columns here)."""
        if not rows:
            return
        names = ", ".join(name for name, _ in columns)
        if self.dialect != "postgres":
            self.many(f"INSERT INTO {table} ({names}) VALUES ({', '.join('%s' for _ in columns)})", rows)
            return
        arrays = ", ".join(f"%b::{kind}[]" for _, kind in columns)
        self.cursor.execute(self._sql(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})"),
                            [list(column) for column in zip(*rows, strict=True)])

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.cursor.execute(self._sql(sql), self._params(params))
        return [tuple(row) for row in self.cursor.fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        self.cursor.execute(self._sql(sql), self._params(params))
        row = self.cursor.fetchone()
        return None if row is None else tuple(row)

    @property
    def changed(self) -> int:
        """How many rows the last statement changed (-1: not known)."""
        cursor = getattr(self.cursor, "sqlite_cursor", self.cursor)  # the library wraps sqlite3's
        return int(cursor.rowcount)

    def pipeline(self) -> Any:
        """Send a run of statements without waiting for each answer (PostgreSQL pipeline mode;
        a read inside still gets its rows). A no-op on SQLite, which is in-process anyway."""
        if self.dialect == "postgres":
            return self.cursor.connection.pipeline()
        return nullcontext()


@contextmanager
def datastore_transaction(
    datastore: Any, dialect: str, *, write: bool, names: Mapping[str, str] | None = None
) -> Iterator[Tx]:
    """A transaction on one of the library's datastores (committed if `write`), rows as tuples."""
    with datastore.transaction(commit=write) as cursor:
        if dialect == "postgres":
            # The library's cursors make dicts; a tuple cursor on the same connection and transaction.
            with cursor.connection.cursor(row_factory=tuple_row) as rows:
                yield Tx(rows, dialect, names=names, library_cursor=cursor)
        else:
            yield Tx(cursor, dialect, names=names)
