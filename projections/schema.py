"""The read models' tables: one DDL for SQLite and PostgreSQL, every table under a prefix.

Live views are `rv_*`; `reestr rebuild` fills `rvb_*` from position 0 and swaps them in. Types
are the common subset of both stores: ids, codes and dates are TEXT (dates as ISO `YYYY-MM-DD`,
which sorts as dates), counts INTEGER, positions BIGINT, lists JSON text, percents decimal text.
Primary keys are named constraints (`<prefix><table>_pk`) so a swap can rename them on
PostgreSQL, where constraint names are schema-wide. Secondary indexes are created only on live
tables (a rebuild loads without them and creates them at the swap).

`{binary}` in a column's DDL asks for code-point order (`COLLATE "C"` on PostgreSQL, SQLite's
default BINARY), so keys sort and range-compare the same way on both stores, whatever the
database's locale.

The `public_*` tables hold the public page's data and nothing else (see
`projections.appliers.public`): a mentor is there only while in the registry and consenting, and
only with the fields consented to; the columns of the other fields are NULL.
"""

from __future__ import annotations

LIVE_PREFIX = "rv_"
BUILD_PREFIX = "rvb_"

#: table -> (columns DDL, primary key columns)
TABLES: dict[str, tuple[str, str]] = {
    "regions": ("code TEXT NOT NULL, name TEXT NOT NULL", "code"),
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
    # -- monitoring rounds (projections/appliers/rounds.py) -------------------------------------
    # asked, checklist_items, organization_kinds, reminders_to: JSON lists; closed_at: the
    # recording moment of the close (UTC, fixed-width ISO), the "now" of the frozen report.
    "rounds": (
        "id TEXT NOT NULL, title TEXT NOT NULL, year INTEGER NOT NULL, asked TEXT NOT NULL, "
        "checklist_items TEXT NOT NULL, organization_kinds TEXT NOT NULL, municipality_id TEXT, "
        "opened_on TEXT NOT NULL, due_on TEXT NOT NULL, time_zone TEXT NOT NULL, "
        "reminders_to TEXT NOT NULL, opened_at TEXT NOT NULL, closed_on TEXT, closed_at TEXT",
        "id",
    ),
    # The addressees: the open organizations of the asked kinds (and municipality) at the opening.
    "round_organizations": ("round_id TEXT NOT NULL, organization_id TEXT NOT NULL", "round_id, organization_id"),
    # What each organization has recorded that a round can ask for, and when it was recorded:
    # kind contingent (key: year), checklist (key: item), output (key: program/output), pair (key: pair).
    "round_facts": (
        "organization_id TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, year INTEGER, "
        "recorded_at TEXT NOT NULL",
        "organization_id, kind, key",
    ),
    # A closed round's report, frozen when the close was applied (names as they were then).
    "round_report": (
        "round_id TEXT NOT NULL, organization_id TEXT NOT NULL, organization TEXT NOT NULL, "
        "municipality_id TEXT NOT NULL, municipality TEXT NOT NULL, status TEXT NOT NULL, "
        "overdue INTEGER NOT NULL, last_recorded_at TEXT, missing TEXT NOT NULL",
        "round_id, organization_id",
    ),
    # Roadmaps: the region's (municipality_id NULL) and each municipality's; items by checklist code.
    "roadmaps": ("id TEXT NOT NULL, municipality_id TEXT", "id"),
    "roadmap_items": (
        "roadmap_id TEXT NOT NULL, item TEXT NOT NULL, due_on TEXT NOT NULL, responsible TEXT NOT NULL, "
        "document_kind TEXT NOT NULL",
        "roadmap_id, item",
    ),
    # Program feedback: one row per questionnaire scale; respondent_key is "mentor" or the mentee's
    # id (to count questionnaires once): read only in aggregate (projections/feedback.py).
    "feedback_scores": (
        "pair_id TEXT NOT NULL, respondent_key TEXT NOT NULL, respondent TEXT NOT NULL, "
        "organization_id TEXT NOT NULL, answered_on TEXT NOT NULL, question TEXT NOT NULL, "
        "score INTEGER NOT NULL",
        "pair_id, respondent_key, question",
    ),
    # -- the figures kept per calendar and school year (projections/kept_figures.py) ------------
    # The years whose figures are kept for every organization (period_start/end: ISO days).
    "figures_periods": ("period_start TEXT NOT NULL, period_end TEXT NOT NULL", "period_start, period_end"),
    # One organization's figures of one kept year (JSON; no row: all zero); period '' to '': the
    # forms of mentoring its pairs have in any period.
    "figures_kept": (
        "period_start TEXT NOT NULL, period_end TEXT NOT NULL, organization_id TEXT NOT NULL, "
        "figures TEXT NOT NULL",
        "period_start, period_end, organization_id",
    ),
    # Organizations whose source rows changed since their kept figures were computed (marked by
    # projections/figure_marks.py in the transaction of the change).
    "figures_stale": ("organization_id TEXT NOT NULL", "organization_id"),
    # -- the public page: derived from the views above, publishable data only ------------------
    # sort_key: the name's words, normalized (lower case, ё→е, one space between words), or U+FFFD
    # for a mentor whose name is not public (listed last, by id).
    # forms, subjects, trainings: JSON lists; NULL when not consented, like every other field.
    "public_mentors": (
        "id TEXT NOT NULL, full_name TEXT, sort_key TEXT {binary} NOT NULL, "
        "organization_id TEXT, organization TEXT, municipality_id TEXT, municipality TEXT, "
        "forms TEXT, subjects TEXT, trainings TEXT",
        "id",
    ),
    # One row per distinct word of a public name, with the name's sort key: the name search on
    # both stores. A prefix is a range of the index (word, sort_key, mentor_id), which holds all
    # a question needs to count and sort the matches without reading the mentors' rows.
    "public_words": (
        "mentor_id TEXT NOT NULL, word TEXT {binary} NOT NULL, sort_key TEXT {binary} NOT NULL",
        "mentor_id, word",
    ),
    # Consented forms (kind 'form', the reference code) and subjects (kind 'subject'), to filter on.
    "public_mentor_tags": (
        "mentor_id TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL",
        "mentor_id, kind, value",
    ),
}

#: Tables derived from other views only: a store that lacks them (created by an older version)
#: gets them filled from the views it has, in the transaction that creates them.
DERIVED_TABLES = ("public_mentors", "public_words", "public_mentor_tags")

#: Tables of earlier versions that others have replaced: dropped where a store still has them
#: (`public_name_words` held names: left behind, an erasure would no longer reach it).
RETIRED_TABLES = ("public_name_words",)

#: index suffix -> (table, columns); created on live tables only.
INDEXES: dict[str, tuple[str, str]] = {
    "organizations_municipality": ("organizations", "municipality_id"),
    "mentors_organization": ("mentors", "organization_id"),
    # the staff lists' order: a later page walks the index instead of sorting every mentor
    "mentors_name": ("mentors", "full_name, id"),
    "mentees_organization": ("mentees", "organization_id"),
    # covering: pairs by organization and form in a period, and a year's pairs of one
    # organization, are counted from the index alone
    "pairs_organization_form_dates": ("pairs", "organization_id, form, started_on, ended_on"),
    "pairs_mentor": ("pairs", "mentor_id"),
    "pair_members_mentee": ("pair_members", "mentee_id"),
    "pair_members_organization": ("pair_members", "organization_id"),
    "programs_organization": ("programs", "organization_id"),
    "outputs_organization": ("outputs", "organization_id"),
    "round_organizations_organization": ("round_organizations", "organization_id"),
    "public_mentors_order": ("public_mentors", "sort_key, id"),
    # a unit's mentors in name order: its page is a walk of the index up to the page
    "public_mentors_organization_order": ("public_mentors", "organization_id, sort_key, id"),
    "public_mentors_municipality_order": ("public_mentors", "municipality_id, sort_key, id"),
    "public_words_word": ("public_words", "word, sort_key, mentor_id"),
    "public_mentor_tags_value": ("public_mentor_tags", "kind, value, mentor_id"),
}

#: Kept by reads to spare the next one work (`projections.kept_figures`), not a function of the
#: log: left out where views are compared (a replay has nothing kept yet).
KEPT_BY_READS = ("figures_periods", "figures_kept", "figures_stale")

#: Indexes of earlier versions that others have replaced: dropped where a store still has them.
RETIRED_INDEXES = (
    "pairs_organization",
    # the public search's: by unit alone (now with the name order), by trigram (now by `public_words`)
    "public_mentors_organization", "public_mentors_municipality", "public_mentors_search",
)

_BINARY = {"sqlite": "", "postgres": 'COLLATE "C"'}


def create_table_statements(
    prefix: str, dialect: str = "sqlite", *, keys: bool = True
) -> list[str]:
    """CREATE TABLE of every view; without `keys`, no primary key (a bulk load adds it after)."""
    return [
        f"CREATE TABLE IF NOT EXISTS {prefix}{name} "
        f"({columns.replace('{binary}', _BINARY[dialect])}"
        + (f", CONSTRAINT {prefix}{name}_pk PRIMARY KEY ({key}))" if keys else ")")
        for name, (columns, key) in TABLES.items()
    ]


def create_index_statements(prefix: str) -> list[str]:
    """Secondary indexes (and the retired ones dropped)."""
    statements = [f"DROP INDEX IF EXISTS {prefix}{suffix}" for suffix in RETIRED_INDEXES]
    return statements + [
        f"CREATE INDEX IF NOT EXISTS {prefix}{suffix} ON {prefix}{table} ({columns})"
        for suffix, (table, columns) in INDEXES.items()
    ]


def drop_table_statements(prefix: str) -> list[str]:
    return [f"DROP TABLE IF EXISTS {prefix}{name}" for name in TABLES]
