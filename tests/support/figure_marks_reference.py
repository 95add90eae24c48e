"""The per-row marking triggers the kept figures used before their marks were written once per
transaction (`projections.figure_marks`): kept here, unchanged, as the oracle of what a write
must mark (`tests/test_figure_marks_per_window.py`)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A table the figures read: the organizations a row counts in, and the columns that matter."""

    table: str
    #: SQL giving the organization ids of row `{row}` (NEW or OLD); `{p}`: the table prefix.
    organizations: str
    columns: str


def _own(column: str = "organization_id") -> str:
    return f"SELECT {{row}}.{column} AS organization_id"


SOURCES = (
    Source("pairs", _own(), "organization_id, form, started_on, ended_on"),
    Source("pair_members", _own(), "mentee_id, organization_id, joined_on, ended_on"),
    Source("mentees", "SELECT organization_id FROM {p}pair_members WHERE mentee_id = {row}.id",
           "id, category, birth_year, work_started_on"),
    Source("mentors", _own(), "organization_id"),
    Source("mentor_status", "SELECT organization_id FROM {p}mentors WHERE id = {row}.mentor_id",
           "mentor_id, seq, status, since"),
    Source("trainings", "SELECT organization_id FROM {p}mentors WHERE id = {row}.mentor_id",
           "mentor_id, completed_on"),
    Source("programs", _own(), "organization_id, starts_on, ends_on"),
    Source("outputs", _own(), "organization_id, produced_on"),
)


def create_trigger_statements(prefix: str, dialect: str) -> list[str]:
    """The marking triggers of every source table under `prefix` (idempotent)."""
    if dialect == "sqlite":
        return [statement for source in SOURCES for statement in _sqlite(prefix, source)]
    return [statement for source in SOURCES for statement in _postgres(prefix, source)]


def _select(prefix: str, source: Source, row: str) -> str:
    """The organizations of `row` not marked yet, each once (no conflict to resolve: SQLite's
    triggers take the conflict policy of the statement that fired them, an upsert's included)."""
    organizations = source.organizations.replace("{p}", prefix).replace("{row}", row)
    stale = f"{prefix}figures_stale"
    return (f"SELECT DISTINCT organization_id FROM ({organizations}) marked "
            f"WHERE organization_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {stale} s "
            f"WHERE s.organization_id = marked.organization_id)")


def _sqlite(prefix: str, source: Source) -> list[str]:
    table, stale = f"{prefix}{source.table}", f"{prefix}figures_stale"

    def mark(row: str) -> str:
        return f"INSERT INTO {stale} (organization_id) {_select(prefix, source, row)};"

    events = (
        ("insert", "INSERT", mark("NEW")),
        ("delete", "DELETE", mark("OLD")),
        ("update", f"UPDATE OF {source.columns}", mark("OLD") + " " + mark("NEW")),
    )
    # Dropped and created again, so a store always has this version's triggers.
    return [
        statement
        for name, when, body in events
        for statement in (
            f"DROP TRIGGER IF EXISTS {table}_figures_{name}",
            f"CREATE TRIGGER {table}_figures_{name} AFTER {when} ON {table} FOR EACH ROW BEGIN {body} END",
        )
    ]


def _postgres(prefix: str, source: Source) -> list[str]:
    table, stale = f"{prefix}{source.table}", f"{prefix}figures_stale"
    function = f"{table}_figures"

    def mark(row: str) -> str:
        return (f"INSERT INTO {stale} (organization_id) {_select(prefix, source, row)} "
                "ON CONFLICT DO NOTHING;")

    # The function is created in the store's schema (the transaction's search_path) and keeps
    # that search_path, so its tables are the store's whatever the caller's path.
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql "
        "SET search_path FROM CURRENT AS $mark$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {mark('OLD')} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {mark('NEW')} END IF; "
        "RETURN NULL; END $mark$",
        f"CREATE OR REPLACE TRIGGER {function} AFTER INSERT OR DELETE OR UPDATE OF {source.columns} "
        f"ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]
