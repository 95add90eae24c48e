"""What every read query module shares: the part of the registry a read covers (`Area`) as SQL
conditions, WHERE clauses, rows as dicts, child rows by their parent, and one page of a list.

An `Area` knows no roles: `api.scope` decides from the reader's role which area is theirs and
hands it to the query modules (`unit_reads`, `mentor_reads`, `mentoring_reads`, …), which turn it
into SQL here. SQL is in the view store's dialect: `%s` placeholders, `{p}` for the table prefix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from projections.store import Tx

#: The kinds of area: the whole region, one municipality (with its organizations), one organization.
WHOLE = "all"
MUNICIPALITY_AREA = "municipality"
ORGANIZATION_AREA = "organization"


@dataclass(frozen=True)
class Area:
    """The part of the registry a read covers: everything, a municipality or an organization."""

    kind: str = WHOLE
    municipality_id: str | None = None
    organization_id: str | None = None

    @property
    def everything(self) -> bool:
        return self.kind == WHOLE

    def condition(self, organization_column: str, municipality_column: str | None = None) -> tuple[str, list[Any]]:
        """An SQL condition limiting rows to the area.

        `organization_column` names the row's organization; `municipality_column`, if the row
        carries its municipality itself (organizations do), saves the sub-select.
        """
        if self.kind == WHOLE:
            return "1 = 1", []
        if self.kind == MUNICIPALITY_AREA:
            if self.municipality_id is None:
                return "1 = 0", []
            if municipality_column is not None:
                return f"{municipality_column} = %s", [self.municipality_id]
            return (
                f"{organization_column} IN (SELECT id FROM {{p}}organizations WHERE municipality_id = %s)",
                [self.municipality_id],
            )
        if self.organization_id is None:
            return "1 = 0", []
        return f"{organization_column} = %s", [self.organization_id]

    def municipality_condition(self, column: str) -> tuple[str, list[Any]]:
        """Municipalities in the area: all, its own, or (an organization) the organization's."""
        if self.kind == WHOLE:
            return "1 = 1", []
        if self.kind == MUNICIPALITY_AREA:
            return (f"{column} = %s", [self.municipality_id]) if self.municipality_id else ("1 = 0", [])
        if self.organization_id is None:
            return "1 = 0", []
        return (
            f"{column} IN (SELECT municipality_id FROM {{p}}organizations WHERE id = %s)",
            [self.organization_id],
        )


#: The whole region: what the CLI, the import and the tests read.
WHOLE_REGION = Area()


class Where:
    """An SQL WHERE clause built from conditions, in the view store's dialect."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, params: Iterable[Any] = ()) -> Where:
        self.parts.append(condition)
        self.params.extend(params)
        return self

    def area(self, area: Area, organization_column: str, municipality_column: str | None = None) -> Where:
        """Rows within `area` (see `Area.condition`)."""
        return self.add(*area.condition(organization_column, municipality_column))

    def eq(self, column: str, value: object) -> Where:
        """`column` equals `value` (as text), unless `value` is None: not narrowed then."""
        if value is not None:
            self.add(f"{column} = %s", [str(value)])
        return self

    def among(self, column: str, values: Sequence[Any]) -> Where:
        """`column` is one of `values` (none: nothing matches)."""
        if not values:
            return self.add("1 = 0")
        return self.add(f"{column} IN ({marks(values)})", [str(v) for v in values])

    def __str__(self) -> str:
        return " WHERE " + " AND ".join(self.parts) if self.parts else ""


def marks(values: Sequence[Any]) -> str:
    """As many `%s` placeholders as `values`, comma separated."""
    return ", ".join(["%s"] * len(values))


def dicts(tx: Tx, sql: str, params: Sequence[Any], names: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of `sql` as dicts keyed by `names` (in the order of the SELECT)."""
    return [dict(zip(names, row, strict=True)) for row in tx.rows(sql, params)]


def grouped(tx: Tx, sql: str, ids: Sequence[str], names: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Rows of a child table by their parent id (the first column), for these parents only;
    `sql` names the parents' placeholders `{ids}`."""
    out: dict[str, list[dict[str, Any]]] = {}
    if not ids:
        return out
    for row in tx.rows(sql.format(ids=marks(ids), p="{p}"), list(ids)):
        out.setdefault(row[0], []).append(dict(zip(names, row[1:], strict=True)))
    return out


def count(tx: Tx, sql: str, params: Sequence[Any]) -> int:
    """The number a `SELECT COUNT(*)` answers."""
    found = tx.one(sql, params)
    return int(found[0]) if found else 0


def paging(limit: int | None, offset: int = 0) -> str:
    """The LIMIT/OFFSET clause of a page (`limit` None: the whole list)."""
    return "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"


def page(
    tx: Tx, select: str, count_sql: str, where: Where, order: str, names: Sequence[str],
    limit: int | None, offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """(how many rows match, this page of them): counted, sorted and paged in SQL."""
    total = count(tx, f"{count_sql}{where}", where.params)
    rows = dicts(tx, f"{select}{where} ORDER BY {order}{paging(limit, offset)}", where.params, names)
    return total, rows
