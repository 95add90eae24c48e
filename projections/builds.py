"""The build tables of a rebuild (`rvb_*`) and their swap into the live views (`rv_*`).

A mixin of the view stores (`projections.store`), which provide `transaction`, the tracking row
locks and the DDL serialization it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from projections.schema import (
    BUILD_PREFIX,
    LIVE_PREFIX,
    TABLES,
    create_table_statements,
    drop_table_statements,
)

if TYPE_CHECKING:
    from projections.store import Tx

#: Application name of the registry: the tracking row of the live views carries it.
LIVE_TRACKING = "registry"
#: Tracking row of a rebuild in progress (views under BUILD_PREFIX).
BUILD_TRACKING = "registry#rebuild"


class BuildTables:
    """Build tables filled by a projector (`reset_build`, then `swap_in_build`) or loaded whole
    by a rebuild that computed them elsewhere (`install_build`)."""

    dialect: str
    tracking_table: str
    transaction: Any
    _lock_tracking_row: Any
    _serialize_ddl: Any
    _ensure_tracking_row: Any
    _after_swap: Any
    _install_transaction: Any  # (scratch file or None, table prefix) -> a write Tx
    read_position: Any
    index_statements: Any

    def reset_build(self) -> None:
        """Fresh, empty build tables and a build tracking row at 0."""
        with self.transaction(write=True, prefix=BUILD_PREFIX) as tx:
            self._serialize_ddl(tx)
            self._create_build_tables(tx)
            tx.execute(
                f"DELETE FROM {self.tracking_table} WHERE application_name = %s", (BUILD_TRACKING,)
            )
            self._ensure_tracking_row(tx, BUILD_TRACKING)

    def swap_in_build(self) -> int:
        """In one transaction: the build tables replace the live ones, with their position."""
        with self.transaction(write=True) as tx:
            self._lock_tracking_row(tx, LIVE_TRACKING)
            self._serialize_ddl(tx)
            self._lock_tracking_row(tx, BUILD_TRACKING)
            built = self.read_position(tx, BUILD_TRACKING)
            self._swap(tx, built)
        return built

    def install_build(
        self, fill: Callable[[Tx], None], position: int, *, scratch: str | None = None
    ) -> int:
        """In ONE transaction: fresh view tables, `fill(tx)` loads them (whole views at
        `position`; its `tx.prefix` names them), and they replace the live ones. A rebuild that
        computed its views elsewhere pays one commit, not one per batch; readers see the old
        views until it commits. On SQLite the database file `scratch` is attached to the
        transaction's connection as SCRATCH_SCHEMA."""
        if self.dialect == "sqlite":
            # Readers never wait for a writer (WAL: they see the last commit), so the live tables
            # are dropped and created again in place; no build tables, no renames (an SQLite
            # RENAME re-parses the whole schema: most of a small rebuild's swap).
            with self._install_transaction(scratch, LIVE_PREFIX) as tx:
                self._lock_tracking_row(tx, LIVE_TRACKING)
                for statement in drop_table_statements(LIVE_PREFIX):
                    tx.execute(statement)
                for statement in create_table_statements(LIVE_PREFIX, self.dialect):
                    tx.execute(statement)
                fill(tx)
                self._finish_swap(tx, position)
            return position
        # PostgreSQL: readers keep the live tables while the build tables load (a DROP would
        # lock them out); keys are built once over the loaded rows, under the live names once
        # the live tables are gone (no renaming of constraints).
        with self._install_transaction(scratch, BUILD_PREFIX) as tx:
            self._lock_tracking_row(tx, LIVE_TRACKING)
            self._serialize_ddl(tx)
            if not self._prepared_build_tables(tx):
                self._create_build_tables(tx, keys=False)
            fill(tx)
            self._swap(tx, position, add_keys=True)
        # Fresh tables have no statistics (autovacuum may be off, or late): without them the
        # planner took a public search page from 1 ms to 85 ms at 100,000 mentors.
        with self.transaction(write=True) as tx:
            for name in TABLES:
                tx.execute(f"ANALYZE {tx.prefix}{name}")
        return position

    def prepare_build(self) -> None:
        """Empty build tables without keys, committed ahead of `install_build` (PostgreSQL:
        creating 19 tables is a good part of a small rebuild's install, and a rebuild has the
        server do it while it decodes). A projector's build (`reset_build`) replaces them."""
        statements = drop_table_statements(BUILD_PREFIX)
        statements += create_table_statements(BUILD_PREFIX, self.dialect, keys=False)
        with self.transaction(write=True, prefix=BUILD_PREFIX) as tx:
            self._serialize_ddl(tx)
            if self.dialect == "postgres":
                # One round trip (no parameters: the simple protocol takes many statements): in a
                # thread beside a busy one, each statement would first wait for the GIL.
                tx.cursor.execute(";\n".join(statements))
            else:
                for statement in statements:
                    tx.execute(statement)

    def _prepared_build_tables(self, tx: Tx) -> bool:
        """Whether every build table is there as `prepare_build` leaves it: no key, no row.
        (Two rebuilds cannot share them: installs are serialized by the live tracking row, and
        the first to commit renames them away.)"""
        names = [f"{BUILD_PREFIX}{name}" for name in TABLES]
        row = tx.one(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT c.relhasindex "
            "AND c.relname = ANY(%s)",
            (names,),
        )
        if row is None or row[0] != len(names):
            return False
        empty = " AND ".join(f"NOT EXISTS (SELECT 1 FROM {name})" for name in names)
        return tx.one(f"SELECT {empty}") == (True,)

    def _create_build_tables(self, tx: Tx, *, keys: bool = True) -> None:
        for statement in drop_table_statements(BUILD_PREFIX):
            tx.execute(statement)
        for statement in create_table_statements(BUILD_PREFIX, self.dialect, keys=keys):
            tx.execute(statement)

    def _swap(self, tx: Tx, built: int, *, add_keys: bool = False) -> None:
        # Every live table goes before any rename: SQLite checks the whole schema at a RENAME,
        # and a live table's trigger naming another live table already dropped would fail it.
        for name in TABLES:
            tx.execute(f"DROP TABLE IF EXISTS {LIVE_PREFIX}{name}")
        for name, (_, key) in TABLES.items():
            if add_keys:
                tx.execute(
                    f"ALTER TABLE {BUILD_PREFIX}{name} "
                    f"ADD CONSTRAINT {LIVE_PREFIX}{name}_pk PRIMARY KEY ({key})"
                )
            tx.execute(f"ALTER TABLE {BUILD_PREFIX}{name} RENAME TO {LIVE_PREFIX}{name}")
        if not add_keys:
            self._after_swap(tx)
        self._finish_swap(tx, built)

    def _finish_swap(self, tx: Tx, built: int) -> None:
        for statement in self.index_statements():
            tx.execute(statement)
        # Possibly lower than the live position was: a follower re-applies what follows.
        tx.execute(
            f"UPDATE {self.tracking_table} SET notification_id = %s WHERE application_name = %s",
            (built, LIVE_TRACKING),
        )
        tx.execute(
            f"DELETE FROM {self.tracking_table} WHERE application_name = %s", (BUILD_TRACKING,)
        )
