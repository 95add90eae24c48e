"""Before a checkpoint is signed: the tree must be what the events give, and continue what was signed.

A checkpoint is a promise to auditors; the `tl_*` tables are only a cache. So before signing,
the tree is checked against the events recorded since the last checkpoint this store issued:

* the tree is not smaller than the signed one (a truncated log, a rolled-back head);
* its first `tree_size` leaves still fold, through the stored subtrees, to the signed root;
* each record after the signed position has its leaf, at its index, with its hash, and none is
  without one;
* the root, recomputed from the signed frontier and the records' own leaf hashes, is the root
  the stored subtrees give (a corrupted `tl_nodes` entry would otherwise be signed).

The cost is the records since the last checkpoint (all of them for the first one).
"""

from __future__ import annotations

from typing import Any

from projections.transparency import merkle
from projections.transparency.checkpoints import Checkpoint
from projections.transparency.store import REBUILD_HINT


class TreeDisagrees(ValueError):
    """The tree may not be signed; the message, in Russian, says what disagrees."""


def check_before_signing(log: Any) -> None:
    """Raise TreeDisagrees unless the stored tree is what the events give and continues the last
    checkpoint this store signed."""
    damage = log.damage()
    if damage is not None:
        raise TreeDisagrees(f"Контрольная точка не подписана. {damage}")
    head = log.head()
    latest = log.latest_checkpoint_document()
    last = Checkpoint.loads(latest) if latest is not None else None
    signed_size = last.tree_size if last is not None else 0
    signed_position = last.position if last is not None else 0
    refused = "Контрольная точка не подписана: "
    if last is not None and head.tree_size < signed_size:
        raise TreeDisagrees(
            f"{refused}в дереве журнала {head.tree_size} листьев (до позиции {head.position}), а в последней "
            f"подписанной контрольной точке от {last.issued_at} их было {signed_size} (до позиции "
            f"{signed_position}): события или листья удалены после её выдачи. Запустите reestr verify."
        )
    frontier = merkle.range_nodes(0, signed_size) if signed_size else []
    compact = merkle.CompactRange(signed_size, log.node_hashes(frontier))
    if last is not None and compact.root() != last.root:
        raise TreeDisagrees(
            f"{refused}первые {signed_size} листьев дерева не дают корня, подписанного {last.issued_at}: "
            f"дерево журнала не продолжает прежнюю контрольную точку (кэш дерева изменён). {REBUILD_HINT}, "
            "reestr verify --checkpoint с файлом прежней точки покажет, тронуты ли сами события."
        )
    leaves = log.iter_leaves(start=signed_size)
    for record in log.iter_records(after=signed_position):
        leaf = next(leaves, None)
        if leaf is None:
            raise TreeDisagrees(
                f"{refused}событие на позиции {record.position} не имеет листа в дереве журнала — "
                "оно записано в обход реестра. Запустите reestr verify."
            )
        if leaf.position != record.position or leaf.leaf_hash != record.leaf_hash():
            raise TreeDisagrees(
                f"{refused}событие на позиции {record.position} не совпадает с листом № {leaf.leaf_index} "
                f"(позиция {leaf.position}): событие или лист изменены. Запустите reestr verify."
            )
        compact.append(leaf.leaf_hash)
    extra = next(leaves, None)
    if extra is not None:
        raise TreeDisagrees(
            f"{refused}у листа № {extra.leaf_index} (позиция {extra.position}) нет события: событие удалено. "
            "Запустите reestr verify."
        )
    if compact.size != head.tree_size or compact.root() != head.root_hash:
        raise TreeDisagrees(
            f"{refused}корень дерева из сохранённых узлов (tl_nodes) не совпадает с пересчитанным из "
            f"событий ({compact.size} листьев): узел дерева повреждён. {REBUILD_HINT}."
        )
