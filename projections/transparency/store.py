"""The transparency log's tables beside the events, kept up to date incrementally.

Tables (in the registry's SQLite file, or its PostgreSQL schema):

* ``tl_leaves(leaf_index, position, leaf_hash)``: one leaf per stored event, in log order
  (leaf ``i`` is the ``i``-th stored event; on PostgreSQL positions may have gaps, leaf indexes
  never do);
* ``tl_nodes(level, node_index, hash)``: every perfect subtree of level >= 1, so a root or a
  proof for any tree size is a fold of O(log n) stored hashes (one read);
* ``tl_head``: one row, the tree size and the last log position in the tree: the tracking
  position of this follower;
* ``tl_checkpoints``: the signed tree heads issued so far (their JSON documents).

`TransparencyLog.catch_up()` appends in bounded batches. Each batch, in ONE transaction, locks
the head row, reads the next stored records raw (plain SQL on the library's own datastore),
appends their leaves and the subtrees they complete, and moves the head. A crash leaves the
whole batch or none of it; two followers racing serialise on the head row, so a record is never
appended twice nor skipped.

Every write appends its own leaves in the events' transaction (`append_hashes`, called by the unit
of work in ops/unit_of_work.py), so after any commit the tree covers the whole log and a stored
record without a leaf was put there by hand. `catch_up()` is left for tests and old stores;
`rebuild()` re-derives the whole cache from the events.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from projections.transaction import Tx, datastore_transaction
from projections.transparency import merkle
from projections.transparency.leaves import StoredRecord

DEFAULT_BATCH_SIZE = 1000


class TreeDamaged(RuntimeError):
    """The tree cache disagrees with itself (the message, in Russian, says how and what repairs it)."""


REBUILD_HINT = "reestr tree-rebuild пересоберёт кэш дерева из событий"


def tree_damage(size: int, position: int, stored: int) -> str:
    """The diagnosis of a head that does not match the leaf table, in Russian."""
    if stored != size:
        return (
            f"Кэш дерева журнала повреждён: в заголовке (tl_head) {size} листьев до позиции {position}, "
            f"а в таблице листьев (tl_leaves) {stored}. {REBUILD_HINT}."
        )
    return (
        f"Кэш дерева журнала повреждён: заголовок (tl_head) указывает позицию {position}, "
        f"а последний лист дерева — на другой позиции. {REBUILD_HINT}."
    )


class TreeSizeError(ValueError):
    """The tree has not that many leaves (the message, in Russian, says how many it has)."""


@dataclass(frozen=True)
class TreeHead:
    """The tree as appended so far: its size, the last log position in it, its root."""

    tree_size: int
    position: int
    root_hash: bytes


@dataclass(frozen=True)
class LeafRow:
    leaf_index: int
    position: int
    leaf_hash: bytes


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_TABLES = ("tl_leaves", "tl_nodes", "tl_head", "tl_checkpoints")

_LEAF_COLUMNS = (("leaf_index", "bigint"), ("position", "bigint"), ("leaf_hash", "bytea"))
_NODE_COLUMNS = (("level", "integer"), ("node_index", "bigint"), ("hash", "bytea"))

_DDL = {
    "sqlite": [
        (
            "CREATE TABLE IF NOT EXISTS {tl_leaves} (leaf_index INTEGER PRIMARY KEY, "
            "position INTEGER NOT NULL UNIQUE, leaf_hash BLOB NOT NULL)"
        ),
        (
            "CREATE TABLE IF NOT EXISTS {tl_nodes} (level INTEGER NOT NULL, node_index INTEGER NOT NULL, "
            "hash BLOB NOT NULL, PRIMARY KEY (level, node_index)) WITHOUT ROWID"
        ),
        (
            "CREATE TABLE IF NOT EXISTS {tl_head} (id INTEGER PRIMARY KEY CHECK (id = 1), "
            "tree_size INTEGER NOT NULL, position INTEGER NOT NULL)"
        ),
        (
            "CREATE TABLE IF NOT EXISTS {tl_checkpoints} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "tree_size INTEGER NOT NULL, issued_at TEXT NOT NULL, document TEXT NOT NULL)"
        ),
        "INSERT INTO {tl_head} (id, tree_size, position) VALUES (1, 0, 0) ON CONFLICT (id) DO NOTHING",
    ],
    "postgres": [
        (
            "CREATE TABLE IF NOT EXISTS {tl_leaves} (leaf_index BIGINT PRIMARY KEY, "
            "position BIGINT NOT NULL UNIQUE, leaf_hash BYTEA NOT NULL)"
        ),
        (
            "CREATE TABLE IF NOT EXISTS {tl_nodes} (level INTEGER NOT NULL, node_index BIGINT NOT NULL, "
            "hash BYTEA NOT NULL, PRIMARY KEY (level, node_index))"
        ),
        (
            "CREATE TABLE IF NOT EXISTS {tl_head} (id INTEGER PRIMARY KEY CHECK (id = 1), "
            "tree_size BIGINT NOT NULL, position BIGINT NOT NULL)"
        ),
        (
            "CREATE TABLE IF NOT EXISTS {tl_checkpoints} (id BIGSERIAL PRIMARY KEY, "
            "tree_size BIGINT NOT NULL, issued_at TEXT NOT NULL, document TEXT NOT NULL)"
        ),
        "INSERT INTO {tl_head} (id, tree_size, position) VALUES (1, 0, 0) ON CONFLICT (id) DO NOTHING",
    ],
}

_ready: weakref.WeakSet[Any] = weakref.WeakSet()


class TransparencyLog:
    """The Merkle tree over the registry's global event order, stored beside the events."""

    def __init__(self, registry: Any, *, batch_size: int = DEFAULT_BATCH_SIZE):
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self.registry = registry
        self.batch_size = batch_size
        recorder = registry.recorder
        self.datastore = recorder.datastore
        if isinstance(recorder, SQLiteApplicationRecorder):
            self.dialect = "sqlite"
            self.names = {t: t for t in _TABLES}
            self.names["events"] = recorder.events_table_name
            self.names["position"] = "rowid"
            self.where = f"SQLite {getattr(self.datastore.pool, 'db_name', '')}"
        elif isinstance(recorder, PostgresApplicationRecorder):
            self.dialect = "postgres"
            schema = _quote(self.datastore.schema)
            self.names = {t: f"{schema}.{_quote(t)}" for t in _TABLES}
            self.names["events"] = f"{schema}.{_quote(recorder.events_table_name)}"
            self.names["position"] = "notification_id"
            self.where = f"PostgreSQL schema {self.datastore.schema}"
        else:
            raise TypeError(f"no transparency log for recorder {type(recorder).__name__}")
        #: hashes read from the store by the last root/proof (tests check it stays O(log n))
        self.last_reads = 0
        #: the tree's right edge as this object last appended it: (size, position, hashes)
        self._edge: tuple[int, int, list[bytes]] | None = None
        if self.datastore not in _ready:
            self.setup()
            _ready.add(self.datastore)

    # -- transactions ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Tx]:
        """A transaction of its own; SQL names the tables `{tl_leaves}`, `{events}`, `{position}`..."""
        with datastore_transaction(self.datastore, self.dialect, write=write, names=self.names) as tx:
            yield tx

    def setup(self) -> None:
        """Create the tables and the head row (idempotent)."""
        with self.transaction(write=True) as tx:
            if self.dialect == "postgres":  # concurrent CREATE IF NOT EXISTS can collide
                tx.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"reestr-tl:{self.datastore.schema}",))
            for statement in _DDL[self.dialect]:
                tx.execute(statement)

    def _lock_head(self, tx: Tx) -> tuple[int, int]:
        if self.dialect == "sqlite":
            # A write first: SQLite's write lock is taken before any read snapshot.
            tx.execute("UPDATE {tl_head} SET tree_size = tree_size WHERE id = 1")
            row = tx.one("SELECT tree_size, position FROM {tl_head} WHERE id = 1")
        else:
            row = tx.one("SELECT tree_size, position FROM {tl_head} WHERE id = 1 FOR UPDATE")
        assert row is not None
        return int(row[0]), int(row[1])

    def _read_head(self, tx: Tx) -> tuple[int, int]:
        row = tx.one("SELECT tree_size, position FROM {tl_head} WHERE id = 1")
        assert row is not None
        return int(row[0]), int(row[1])

    # -- appending --------------------------------------------------------------------------------

    def catch_up(self, upto: int | None = None) -> int:
        """Append every stored record not yet in the tree (up to log position `upto`)."""
        appended = 0
        while True:
            count = self._append_batch(upto)
            if count == 0:
                return appended
            appended += count

    def _append_batch(self, upto: int | None) -> int:
        with self.transaction(write=True) as tx:
            size, position = self._lock_head(tx)
            records = self._read_records(tx, after=position, limit=self.batch_size, upto=upto)
            if not records:
                return 0
            self.append_in(tx, records, locked=(size, position))
            return len(records)

    def append_in(self, tx: Tx, records: Sequence[StoredRecord], *, locked: tuple[int, int] | None = None) -> None:
        """Append the leaves of `records` (new positions, in log order) in the caller's transaction."""
        self.append_hashes(tx, [(int(r.position), r.leaf_hash()) for r in records], locked=locked)

    def append_hashes(
        self, tx: Tx, leaves: Sequence[tuple[int, bytes]], *, locked: tuple[int, int] | None = None
    ) -> None:
        """Append leaves (log position, leaf hash; new positions in log order) in the caller's
        transaction, with the subtrees they complete, and move the head.

        The unit of work calls this in the events' own transaction (ops/unit_of_work.py), so the
        tree never lags the log. A tree cache that disagrees with itself (head rolled back, leaves
        beyond it) raises TreeDamaged, naming the repair, instead of a UNIQUE violation."""
        if not leaves:
            return
        size, position = locked if locked is not None else self._lock_head(tx)
        kept = self._edge
        if kept is not None and kept[0] == size and kept[1] == position:
            # This process wrote the head as it stands: its right edge is still the tree's.
            compact = merkle.CompactRange(size, kept[2])
        else:
            self._check_head(tx, size, position)
            frontier = merkle.range_nodes(0, size) if size else []
            known = self._fetch_nodes(tx, set(frontier))
            compact = merkle.CompactRange(size, [known[node] for node in frontier])
        rows: list[tuple[int, int, bytes]] = []
        nodes: list[tuple[int, int, bytes]] = []
        on_node = nodes.append
        for leaf_position, leaf_hash in leaves:
            rows.append((compact.size, leaf_position, leaf_hash))
            compact.append(leaf_hash, lambda level, index, value: on_node((level, index, value)))
        tx.insert("{tl_leaves}", _LEAF_COLUMNS, rows)
        tx.insert("{tl_nodes}", _NODE_COLUMNS, nodes)
        tx.execute(
            "UPDATE {tl_head} SET tree_size = %s, position = %s WHERE id = 1",
            (compact.size, rows[-1][1]),
        )
        # Kept for the next append: used only while the stored head is exactly this one (a rolled
        # back transaction, another writer or a hand-edited head all read differently).
        self._edge = (compact.size, rows[-1][1], [value for _, value in compact.stack])

    def _check_head(self, tx: Tx, size: int, position: int) -> None:
        row = tx.one("SELECT leaf_index, position FROM {tl_leaves} ORDER BY leaf_index DESC LIMIT 1")
        stored, last = (0, 0) if row is None else (int(row[0]) + 1, int(row[1]))
        if stored != size or last != position:
            raise TreeDamaged(tree_damage(size, position, stored))

    def damage(self) -> str | None:
        """What is wrong with the tree cache's own bookkeeping (head against leaves), or None."""
        with self.transaction(write=False) as tx:
            size, position = self._read_head(tx)
            try:
                self._check_head(tx, size, position)
            except TreeDamaged as error:
                return str(error)
        return None

    def rebuild(self) -> int:
        """Drop the tree cache (leaves, nodes, head) and append every stored record again, in one
        transaction (writers wait: none may append between). Signed checkpoints are kept."""
        with self.transaction(write=True) as tx:
            self._lock_head(tx)
            tx.execute("DELETE FROM {tl_leaves}")
            tx.execute("DELETE FROM {tl_nodes}")
            tx.execute("UPDATE {tl_head} SET tree_size = 0, position = 0 WHERE id = 1")
            size, after = 0, 0
            while True:
                records = self._read_records(tx, after=after, limit=self.batch_size)
                if not records:
                    return size
                self.append_in(tx, records, locked=(size, after))
                size += len(records)
                after = int(records[-1].position)

    # -- raw records --------------------------------------------------------------------------------

    def _read_records(
        self, tx: Tx, *, after: int, limit: int, upto: int | None = None
    ) -> list[StoredRecord]:
        sql = (
            "SELECT {position}, originator_id, originator_version, topic, state FROM {events} "
            "WHERE {position} > %s"
        )
        params: list[Any] = [after]
        if upto is not None:
            sql += " AND {position} <= %s"
            params.append(upto)
        sql += " ORDER BY {position} LIMIT %s"
        params.append(limit)
        return [StoredRecord(*row) for row in tx.rows(sql, params)]

    def iter_records(self, *, after: int = 0, batch_size: int | None = None) -> Iterator[StoredRecord]:
        """Every stored record after a log position, raw, in log order (bounded batches)."""
        limit = batch_size or self.batch_size
        while True:
            with self.transaction(write=False) as tx:
                batch = self._read_records(tx, after=after, limit=limit)
            yield from batch
            if len(batch) < limit:
                return
            after = int(batch[-1].position)

    def record_at(self, position: int) -> StoredRecord | None:
        with self.transaction(write=False) as tx:
            row = tx.one(
                "SELECT {position}, originator_id, originator_version, topic, state FROM {events} "
                "WHERE {position} = %s",
                (position,),
            )
        return None if row is None else StoredRecord(*row)

    # -- the tree ------------------------------------------------------------------------------------

    def size_and_position(self) -> tuple[int, int]:
        """The tree size and the last log position in the tree (no hashes read)."""
        with self.transaction(write=False) as tx:
            return self._read_head(tx)

    def head(self) -> TreeHead:
        with self.transaction(write=False) as tx:
            size, position = self._read_head(tx)
            root = self._root(tx, size)
        return TreeHead(size, position, root)

    def iter_leaves(
        self, *, below: int | None = None, batch_size: int | None = None, start: int = 0
    ) -> Iterator[LeafRow]:
        """The leaf table in leaf order (from leaf index `start`, up to `below`), as stored."""
        limit = batch_size or self.batch_size
        after = start - 1
        while True:
            sql = "SELECT leaf_index, position, leaf_hash FROM {tl_leaves} WHERE leaf_index > %s"
            params: list[Any] = [after]
            if below is not None:
                sql += " AND leaf_index < %s"
                params.append(below)
            sql += " ORDER BY leaf_index LIMIT %s"
            params.append(limit)
            with self.transaction(write=False) as tx:
                batch = [LeafRow(int(i), int(p), bytes(h)) for i, p, h in tx.rows(sql, params)]
            yield from batch
            if len(batch) < limit:
                return
            after = batch[-1].leaf_index

    def iter_nodes(self, level: int, *, batch_size: int | None = None) -> Iterator[tuple[int, bytes]]:
        """The stored perfect subtrees of one level (>= 1), in index order: (index, hash)."""
        limit = batch_size or self.batch_size
        after = -1
        while True:
            with self.transaction(write=False) as tx:
                batch = [
                    (int(i), bytes(h))
                    for i, h in tx.rows(
                        "SELECT node_index, hash FROM {tl_nodes} WHERE level = %s AND node_index > %s "
                        "ORDER BY node_index LIMIT %s",
                        (level, after, limit),
                    )
                ]
            yield from batch
            if len(batch) < limit:
                return
            after = batch[-1][0]

    def leaf_at_position(self, position: int) -> LeafRow | None:
        with self.transaction(write=False) as tx:
            row = tx.one("SELECT leaf_index, position, leaf_hash FROM {tl_leaves} WHERE position = %s", (position,))
        return None if row is None else LeafRow(int(row[0]), int(row[1]), bytes(row[2]))

    def leaf_at_index(self, index: int) -> LeafRow | None:
        with self.transaction(write=False) as tx:
            row = tx.one("SELECT leaf_index, position, leaf_hash FROM {tl_leaves} WHERE leaf_index = %s", (index,))
        return None if row is None else LeafRow(int(row[0]), int(row[1]), bytes(row[2]))

    def position_of_size(self, size: int) -> int:
        """The last log position in the tree of `size` leaves (0 for the empty tree)."""
        if size == 0:
            return 0
        leaf = self.leaf_at_index(size - 1)
        if leaf is None:
            raise TreeSizeError(f"В дереве журнала нет листа № {size - 1}")
        return leaf.position

    def root(self, size: int | None = None) -> bytes:
        """The root of the tree of the first `size` leaves (default: the whole tree)."""
        with self.transaction(write=False) as tx:
            if size is None:
                size = self._read_head(tx)[0]
            else:
                self._check_size(tx, size)
            return self._root(tx, size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        with self.transaction(write=False) as tx:
            self._check_size(tx, size)
            if not 0 <= index < size:
                raise TreeSizeError(f"Лист № {index} не входит в дерево из {size} листьев")
            return self._hashes(tx, merkle.inclusion_ranges(index, size))

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        with self.transaction(write=False) as tx:
            self._check_size(tx, second)
            if not 0 <= first <= second:
                raise TreeSizeError(f"Дерево из {first} листьев не может быть началом дерева из {second}")
            return self._hashes(tx, merkle.consistency_ranges(first, second))

    def node_hashes(self, nodes: Sequence[tuple[int, int]]) -> list[bytes]:
        """The stored hashes of these perfect subtrees, in the order given."""
        if not nodes:
            return []
        with self.transaction(write=False) as tx:
            known = self._fetch_nodes(tx, set(nodes))
        return [known[node] for node in nodes]

    def _check_size(self, tx: Tx, size: int) -> None:
        have = self._read_head(tx)[0]
        if not 0 <= size <= have:
            raise TreeSizeError(f"В дереве журнала {have} листьев, запрошен размер {size}")

    def _root(self, tx: Tx, size: int) -> bytes:
        if size == 0:
            self.last_reads = 0
            return merkle.EMPTY_ROOT
        return self._hashes(tx, [(0, size)])[0]

    def _hashes(self, tx: Tx, ranges: Sequence[merkle.Range]) -> list[bytes]:
        known = self._fetch_nodes(tx, merkle.nodes_for_ranges(ranges))
        self.last_reads = len(known)
        return [merkle.range_hash(start, end, lambda level, index: known[(level, index)]) for start, end in ranges]

    def _fetch_nodes(self, tx: Tx, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The hashes of the given perfect subtrees, in (at most) two reads."""
        found: dict[tuple[int, int], bytes] = {}
        leaves = sorted(index for level, index in wanted if level == 0)
        if leaves:
            marks = ", ".join(["%s"] * len(leaves))
            for index, value in tx.rows(
                f"SELECT leaf_index, leaf_hash FROM {{tl_leaves}} WHERE leaf_index IN ({marks})", leaves
            ):
                found[(0, int(index))] = bytes(value)
        inner = sorted(node for node in wanted if node[0] > 0)
        if inner:
            condition = " OR ".join(["(level = %s AND node_index = %s)"] * len(inner))
            params = [value for node in inner for value in node]
            for level, index, value in tx.rows(
                f"SELECT level, node_index, hash FROM {{tl_nodes}} WHERE {condition}", params
            ):
                found[(int(level), int(index))] = bytes(value)
        missing = wanted - found.keys()
        if missing:
            raise LookupError(f"the transparency tables lack subtrees {sorted(missing)[:5]}")
        return found

    # -- checkpoints -------------------------------------------------------------------------------

    def record_checkpoint(self, tree_size: int, issued_at: str, document: str) -> None:
        with self.transaction(write=True) as tx:
            tx.execute(
                "INSERT INTO {tl_checkpoints} (tree_size, issued_at, document) VALUES (%s, %s, %s)",
                (tree_size, issued_at, document),
            )

    def checkpoint_documents(self) -> list[str]:
        """The signed tree heads issued here, oldest first (their JSON text)."""
        with self.transaction(write=False) as tx:
            return [row[0] for row in tx.rows("SELECT document FROM {tl_checkpoints} ORDER BY id")]

    def latest_checkpoint_document(self) -> str | None:
        with self.transaction(write=False) as tx:
            row = tx.one("SELECT document FROM {tl_checkpoints} ORDER BY id DESC LIMIT 1")
        return None if row is None else str(row[0])
