"""Recompute the whole tree from the stored records and say where the store was tampered with.

The stored records are read raw (plain SQL, never through the library's mapper: we verify
bytes, not meaning) and their leaves recomputed. They are compared, position by position, with
the leaf table that was appended when each record was new, and — given signed checkpoints — the
root of the recomputed tree at each checkpoint's size is compared with the signed root (an
attacker who rewrote the leaf table as well still cannot forge that signature).

The FIRST position where the records and the leaves part is named, and how:

* ``altered``   — a record's bytes differ from what was appended at its position;
* ``deleted``   — the record appended at a position is no longer stored (nor anywhere else);
* ``inserted``  — a record is stored at a position that never had one (or, in a renumbered
  log, a new record was put before the ones that follow);
* ``reordered`` — records that were appended at two positions are stored at each other's
  (or one was moved).

Every write appends its leaves in its own transaction (ops/unit_of_work.py), so the tree covers
the whole log after any commit: a record after the tree's last position was written past the
registry and is named like any other inserted record. A tree cache whose head disagrees with its
leaf table is named as such (``tree_cache``), with the command that rebuilds it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from projections.transparency import merkle
from projections.transparency.checkpoints import Checkpoint, verify_checkpoint
from projections.transparency.leaves import StoredRecord
from projections.transparency.store import TransparencyLog

#: At most this many anomalous positions are kept to explain the first one.
MAX_ANOMALIES = 1000
#: At most this many findings are listed in a report.
MAX_FINDINGS = 20


@dataclass(frozen=True)
class Finding:
    kind: str  # altered | deleted | inserted | reordered | leaf_table | tree_cache | checkpoint
    message: str  # for people, in Russian
    position: int | None = None
    leaf_index: int | None = None
    other_position: int | None = None
    tree_size: int | None = None


@dataclass(frozen=True)
class CheckpointCheck:
    tree_size: int
    issued_at: str
    root_matches: bool
    signature: str  # "valid" | "invalid" | "not_checked"
    message: str


@dataclass
class VerifyReport:
    records: int = 0  # stored records read
    tree_size: int = 0  # leaves in the tree (appended so far)
    tree_position: int = 0  # last log position in the tree
    pending: int = 0  # stored records after the tree's last position (without a leaf: a finding)
    root_hash: str = ""  # root of the tree recomputed from the records, at tree_size
    findings: list[Finding] = field(default_factory=list)
    anomalies: int = 0  # positions where records and leaves differ (all of them, counted)
    checkpoints: list[CheckpointCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    def lines(self) -> list[str]:
        """The report for people, in Russian."""
        out = [
            (
                f"Прочитано сохранённых событий: {self.records}; в дереве журнала {self.tree_size} листьев "
                f"(до позиции {self.tree_position}); событий без листа: {self.pending}."
            ),
        ]
        if self.root_hash:
            out.append(f"Корень дерева, пересчитанный из событий: {self.root_hash}")
        # the failed ones are findings, listed below
        out.extend(check.message for check in self.checkpoints if check.root_matches and check.signature != "invalid")
        if self.ok:
            out.append("Журнал цел: все сохранённые события совпадают с деревом журнала.")
            return out
        first = self.findings[0]
        out.append(f"НАРУШЕНИЕ ЦЕЛОСТНОСТИ. {first.message}")
        if self.anomalies > 1:
            out.append(f"Всего расхождений по позициям: {self.anomalies}.")
        out.extend(f"  • {finding.message}" for finding in self.findings[1:])
        return out


@dataclass
class _Anomaly:
    kind: str  # mismatch | missing | extra | beyond (after the tree's last position)
    position: int
    leaf_index: int | None
    record: StoredRecord | None
    leaf_hash: bytes | None


def verify_log(
    log: TransparencyLog,
    checkpoints: Sequence[Checkpoint] = (),
    public_key: Any = None,
    *,
    batch_size: int | None = None,
) -> VerifyReport:
    """Recompute the tree from the stored records; compare it with the leaves and checkpoints."""
    head_size, head_position = log.size_and_position()
    report = VerifyReport(tree_size=head_size, tree_position=head_position)
    damage = log.damage()
    wanted_sizes = {c.tree_size for c in checkpoints} | {head_size}
    recomputed_roots: dict[int, bytes] = {}
    if 0 in wanted_sizes:
        recomputed_roots[0] = merkle.EMPTY_ROOT
    recomputed = merkle.CompactRange()
    from_leaves = merkle.CompactRange()
    anomalies: list[_Anomaly] = []

    def note(anomaly: _Anomaly) -> None:
        report.anomalies += 1
        if len(anomalies) < MAX_ANOMALIES:
            anomalies.append(anomaly)

    records = log.iter_records(batch_size=batch_size)
    leaves = log.iter_leaves(below=head_size, batch_size=batch_size)
    record = next(records, None)
    leaf = next(leaves, None)
    expected_index = 0
    previous_position = 0
    leaf_table_problem: Finding | None = None
    while record is not None or leaf is not None:
        if (
            leaf is not None
            and leaf_table_problem is None
            and (leaf.leaf_index != expected_index or leaf.position <= previous_position)
        ):
            leaf_table_problem = Finding(
                "leaf_table",
                f"Таблица листьев повреждена у листа № {expected_index}: "
                "листы идут не подряд или их позиции не возрастают.",
                leaf_index=expected_index,
            )
        record_position = _position(record)
        if leaf is not None and (record is None or leaf.position < record_position):
            note(_Anomaly("missing", leaf.position, leaf.leaf_index, None, leaf.leaf_hash))
            from_leaves.append(leaf.leaf_hash)
            expected_index, previous_position = leaf.leaf_index + 1, leaf.position
            leaf = next(leaves, None)
            continue
        assert record is not None
        report.records += 1
        record_hash = record.leaf_hash()
        recomputed.append(record_hash)
        if recomputed.size in wanted_sizes:
            recomputed_roots[recomputed.size] = recomputed.root()
        if leaf is not None and leaf.position == record_position:
            if leaf.leaf_hash != record_hash:
                note(_Anomaly("mismatch", record_position, leaf.leaf_index, record, leaf.leaf_hash))
            from_leaves.append(leaf.leaf_hash)
            expected_index, previous_position = leaf.leaf_index + 1, leaf.position
            leaf = next(leaves, None)
        elif record_position is not None and record_position <= head_position:
            note(_Anomaly("extra", record_position, None, record, None))
        else:
            report.pending += 1  # no leaf, after the tree: written past the registry's unit of work
            note(_Anomaly("beyond", record_position, None, record, None))
        record = next(records, None)

    report.root_hash = recomputed_roots.get(head_size, b"").hex()
    if anomalies:
        report.findings.append(_explain(anomalies[0], anomalies))
        for anomaly in anomalies[1 : MAX_FINDINGS // 2]:
            report.findings.append(_explain(anomaly, anomalies))
    if leaf_table_problem is None and from_leaves.size != head_size:
        leaf_table_problem = Finding(
            "leaf_table",
            f"Таблица листьев повреждена: в ней {from_leaves.size} листов, а в дереве их {head_size}.",
            leaf_index=from_leaves.size,
        )
    if leaf_table_problem is not None:
        # The leaves themselves are suspect: say so before what comparing with them found.
        report.findings.insert(0, leaf_table_problem)
    else:
        damaged = _check_subtrees(log, head_size, batch_size)
        if damaged is not None:
            report.findings.append(damaged)
    for checkpoint in checkpoints:
        check = _check_checkpoint(checkpoint, recomputed_roots.get(checkpoint.tree_size), report.records, public_key)
        report.checkpoints.append(check)
        if not check.root_matches or check.signature == "invalid":
            report.findings.append(Finding("checkpoint", check.message, tree_size=checkpoint.tree_size))
    if damage is not None:  # what comparing with a damaged cache found follows from it: say it first
        report.findings.insert(0, Finding("tree_cache", damage, tree_size=head_size))
    return report


def _check_subtrees(log: TransparencyLog, size: int, batch_size: int | None) -> Finding | None:
    """Every stored perfect subtree (tl_nodes) equals the hash of its two children, level by level.

    Level 1 is checked against the leaf table (itself compared with the records), each next
    level against the level below once that one is checked: a sequential read of each level.
    """
    level = 1
    below: Iterator[bytes] = (leaf.leaf_hash for leaf in log.iter_leaves(below=size, batch_size=batch_size))
    while size >> level:
        stored = log.iter_nodes(level, batch_size=batch_size)
        for index in range(size >> level):
            expected = merkle.hash_children(next(below), next(below))
            found = next(stored, None)
            if found is None or found[0] != index or found[1] != expected:
                return Finding(
                    "tree_cache",
                    f"Сохранённый узел дерева (уровень {level}, № {index}) не совпадает со своими листьями: "
                    "доказательства, выданные из него, не сойдутся.",
                    leaf_index=index << level,
                    tree_size=size,
                )
        below = (value for _, value in log.iter_nodes(level, batch_size=batch_size))
        level += 1
    return None


def _position(record: StoredRecord | None) -> Any:
    return None if record is None else record.position


def _check_checkpoint(
    checkpoint: Checkpoint, root: bytes | None, records: int, public_key: Any
) -> CheckpointCheck:
    signature = "not_checked"
    problem = None
    if public_key is not None:
        problem = verify_checkpoint(checkpoint, public_key)
        signature = "invalid" if problem else "valid"
    signed = {"valid": "подпись верна", "invalid": "подпись НЕВЕРНА", "not_checked": "подпись не проверялась"}
    title = f"Контрольная точка от {checkpoint.issued_at} ({checkpoint.tree_size} листьев, {signed[signature]})"
    if problem:
        return CheckpointCheck(checkpoint.tree_size, checkpoint.issued_at, False, signature, f"{title}: {problem}")
    if root is None:
        message = (
            f"{title}: в хранилище лишь {records} событий — меньше, чем в контрольной точке; "
            "события удалены."
        )
        return CheckpointCheck(checkpoint.tree_size, checkpoint.issued_at, False, signature, message)
    if root != checkpoint.root:
        message = (
            f"{title}: корень дерева, пересчитанный из сохранённых событий, другой — "
            "события, вошедшие в неё, изменены, удалены, вставлены или переставлены."
        )
        return CheckpointCheck(checkpoint.tree_size, checkpoint.issued_at, False, signature, message)
    return CheckpointCheck(
        checkpoint.tree_size, checkpoint.issued_at, True, signature,
        f"{title}: корень совпадает с пересчитанным из событий.",
    )


def _content_found(record: StoredRecord, candidates: list[_Anomaly]) -> int | None:
    """The position whose appended leaf is this record's content (it was stored there)."""
    for other in candidates:
        if other.leaf_hash is not None and record.at(other.position).leaf_hash() == other.leaf_hash:
            return other.position
    return None


def _leaf_found(position: int, leaf_hash: bytes, candidates: list[_Anomaly]) -> int | None:
    """The position where the record appended at `position` is stored now."""
    for other in candidates:
        if (
            other.record is not None
            and other.position != position
            and other.record.at(position).leaf_hash() == leaf_hash
        ):
            return other.position
    return None


def _payload_exchanged_with(anomaly: _Anomaly, others: list[_Anomaly]) -> int | None:
    """The position whose topic and state this record's were exchanged with, if so."""
    mine = anomaly.record
    if anomaly.kind != "mismatch" or mine is None or anomaly.leaf_hash is None:
        return None
    for other in others:
        theirs = other.record
        if other.kind != "mismatch" or theirs is None or other.leaf_hash is None:
            continue
        back_here = StoredRecord(mine.position, mine.originator_id, mine.originator_version, theirs.topic, theirs.state)
        back_there = StoredRecord(theirs.position, theirs.originator_id, theirs.originator_version, mine.topic, mine.state)
        if back_here.leaf_hash() == anomaly.leaf_hash and back_there.leaf_hash() == other.leaf_hash:
            return other.position
    return None


def _explain(anomaly: _Anomaly, anomalies: list[_Anomaly]) -> Finding:
    p = anomaly.position
    others = [a for a in anomalies if a.position != p]
    came_from = _content_found(anomaly.record, others) if anomaly.record is not None else None
    went_to = _leaf_found(p, anomaly.leaf_hash, others) if anomaly.leaf_hash is not None else None
    where = f"Позиция {p}" + (f" (лист № {anomaly.leaf_index})" if anomaly.leaf_index is not None else "")
    exchanged = _payload_exchanged_with(anomaly, others)
    if exchanged is not None:
        return Finding(
            "reordered",
            f"{where}: содержимое событий на позициях {p} и {exchanged} (тип и данные) переставлено местами.",
            p, anomaly.leaf_index, exchanged,
        )
    if came_from is not None and went_to is not None and came_from == went_to:
        return Finding(
            "reordered", f"{where}: события на позициях {p} и {came_from} переставлены местами.",
            p, anomaly.leaf_index, came_from,
        )
    if came_from is not None and went_to is not None:
        return Finding(
            "reordered",
            f"{where}: здесь хранится событие с позиции {came_from}, а событие этой позиции перенесено "
            f"на позицию {went_to}.",
            p, anomaly.leaf_index, came_from,
        )
    if anomaly.kind == "mismatch" and went_to is not None and went_to > p:
        return Finding(
            "inserted",
            f"{where}: вставлено событие, которого не было; прежние события сдвинуты дальше "
            f"(событие этой позиции теперь на позиции {went_to}).",
            p, anomaly.leaf_index, went_to,
        )
    if anomaly.kind == "mismatch" and came_from is not None and came_from > p:
        return Finding(
            "deleted",
            f"{where}: событие удалено, следующие сдвинуты на его место (здесь теперь событие "
            f"с позиции {came_from}).",
            p, anomaly.leaf_index, came_from,
        )
    if anomaly.kind == "missing" and went_to is not None:
        return Finding(
            "reordered", f"{where}: событие перенесено на позицию {went_to}.", p, anomaly.leaf_index, went_to
        )
    if anomaly.kind == "extra" and came_from is not None:
        return Finding(
            "reordered", f"{where}: сюда перенесено событие с позиции {came_from}.", p, None, came_from
        )
    if anomaly.kind == "missing":
        return Finding("deleted", f"{where}: сохранённое событие удалено.", p, anomaly.leaf_index)
    if anomaly.kind == "extra":
        return Finding("inserted", f"{where}: вставлено событие, которого не было в журнале.", p)
    if anomaly.kind == "beyond":
        return Finding(
            "inserted",
            f"{where}: событие без листа в дереве журнала — записано в обход реестра (каждая запись "
            "реестра вносит свой лист в той же транзакции).",
            p,
        )
    return Finding(
        "altered", f"{where}: сохранённое событие изменено — его байты не совпадают с листом дерева.",
        p, anomaly.leaf_index,
    )
