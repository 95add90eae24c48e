"""The read models' tables: one DDL for SQLite and PostgreSQL, every table under a prefix.

Live views are `rv_*`; `reestr rebuild` fills `rvb_*` from position 0 and swaps them in. Types
are the common subset of both stores: ids, codes and dates are TEXT (dates as ISO `YYYY-MM-DD`,
which sorts as dates), counts INTEGER, positions BIGINT, lists JSON text, percents decimal text.
Primary keys are named constraints (`<prefix><table>_pk`) so a swap can rename them on
PostgreSQL, where constraint names are schema-wide. Secondary indexes are created only on live
tables (a rebuild loads without them and creates them at the swap).
"""

from __future__ import annotations

LIVE_PREFIX = "rv_"
BUILD_PREFIX = "rvb_"

#: table -> (columns DDL, primary key columns)
TABLES: dict[str, tuple[str, str]] = {
    "municipalities": (
        "id TEXT NOT NULL, name TEXT NOT NULL, region TEXT NOT NULL, code TEXT",
        "id",
    ),
    "organizations": (
        "id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, municipality_id TEXT NOT NULL, "
        "inn TEXT, registered_on TEXT NOT NULL, closed_on TEXT, close_reason TEXT",
        "id",
    ),
    "contingents": (
        "organization_id TEXT NOT NULL, year INTEGER NOT NULL, students_total INTEGER, "
        "students_10_19 INTEGER, students_15_19 INTEGER, students_extra INTEGER, "
        "teachers_total INTEGER, young_teachers INTEGER, corrections INTEGER NOT NULL",
        "organization_id, year",
    ),
    "checklist": (
        "organization_id TEXT NOT NULL, item TEXT NOT NULL, completed_on TEXT NOT NULL, "
        "document_number TEXT, document_issued_on TEXT, document_link TEXT",
        "organization_id, item",
    ),
    "mentors": (
        "id TEXT NOT NULL, organization_id TEXT NOT NULL, full_name TEXT NOT NULL, "
        "position TEXT, mentor_type TEXT, forms TEXT NOT NULL, subjects TEXT NOT NULL, "
        "employer TEXT, capacity INTEGER, applied_on TEXT NOT NULL, status TEXT NOT NULL, "
        "status_since TEXT NOT NULL, status_reason TEXT, consent_fields TEXT NOT NULL, "
        "consent_since TEXT",
        "id",
    ),
    "mentor_status": (
        "mentor_id TEXT NOT NULL, seq INTEGER NOT NULL, status TEXT NOT NULL, since TEXT NOT NULL",
        "mentor_id, seq",
    ),
    "trainings": (
        "mentor_id TEXT NOT NULL, training_id TEXT NOT NULL, course TEXT NOT NULL, "
        "provider TEXT NOT NULL, hours INTEGER, completed_on TEXT NOT NULL, "
        "certificate_number TEXT",
        "mentor_id, training_id",
    ),
    "mentees": (
        "id TEXT NOT NULL, organization_id TEXT NOT NULL, category TEXT NOT NULL, "
        "full_name TEXT NOT NULL, birth_year INTEGER, work_started_on TEXT, "
        "registered_on TEXT NOT NULL",
        "id",
    ),
    "pairs": (
        "id TEXT NOT NULL, organization_id TEXT NOT NULL, mentor_id TEXT NOT NULL, "
        "form TEXT NOT NULL, kind TEXT, program_id TEXT, started_on TEXT NOT NULL, "
        "status TEXT NOT NULL, ended_on TEXT, outcome TEXT, end_reason TEXT",
        "id",
    ),
    # The involvement facts: one interval per mentee and pair, [joined_on, ended_on] inclusive.
    "pair_members": (
        "pair_id TEXT NOT NULL, mentee_id TEXT NOT NULL, organization_id TEXT NOT NULL, "
        "form TEXT NOT NULL, joined_on TEXT NOT NULL, ended_on TEXT",
        "pair_id, mentee_id",
    ),
    "programs": (
        "id TEXT NOT NULL, organization_id TEXT NOT NULL, title TEXT NOT NULL, "
        "forms TEXT NOT NULL, starts_on TEXT NOT NULL, ends_on TEXT, order_number TEXT, "
        "order_issued_on TEXT, order_link TEXT, personalized INTEGER NOT NULL",
        "id",
    ),
    "outputs": (
        "program_id TEXT NOT NULL, output_id TEXT NOT NULL, organization_id TEXT NOT NULL, "
        "kind TEXT NOT NULL, title TEXT NOT NULL, produced_on TEXT NOT NULL, "
        "evidence_link TEXT, pair_id TEXT",
        "program_id, output_id",
    ),
    "target_plans": (
        "id TEXT NOT NULL, indicator TEXT NOT NULL, unit_kind TEXT NOT NULL, unit_id TEXT NOT NULL",
        "id",
    ),
    "targets": (
        "plan_id TEXT NOT NULL, year INTEGER NOT NULL, share_percent TEXT NOT NULL",
        "plan_id, year",
    ),
    "reference_lists": ("id TEXT NOT NULL, kind TEXT NOT NULL", "id"),
    "reference_entries": (
        "list_id TEXT NOT NULL, code TEXT NOT NULL, seq INTEGER NOT NULL, title TEXT NOT NULL, "
        "retired INTEGER NOT NULL",
        "list_id, code",
    ),
}

#: index suffix -> (table, columns); created on live tables only.
INDEXES: dict[str, tuple[str, str]] = {
    "organizations_municipality": ("organizations", "municipality_id"),
    "mentors_organization": ("mentors", "organization_id"),
    "mentees_organization": ("mentees", "organization_id"),
    "pairs_organization": ("pairs", "organization_id"),
    "pairs_mentor": ("pairs", "mentor_id"),
    "pair_members_mentee": ("pair_members", "mentee_id"),
    "programs_organization": ("programs", "organization_id"),
    "outputs_organization": ("outputs", "organization_id"),
}


def create_table_statements(prefix: str) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {prefix}{name} ({columns}, "
        f"CONSTRAINT {prefix}{name}_pk PRIMARY KEY ({key}))"
        for name, (columns, key) in TABLES.items()
    ]


def create_index_statements(prefix: str) -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS {prefix}{suffix} ON {prefix}{table} ({columns})"
        for suffix, (table, columns) in INDEXES.items()
    ]


def drop_table_statements(prefix: str) -> list[str]:
    return [f"DROP TABLE IF EXISTS {prefix}{name}" for name in TABLES]
