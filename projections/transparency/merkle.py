"""Merkle trees as RFC 9162 (Certificate Transparency 2.0) §2.1 defines them. Pure: no I/O.

Hashing (§2.1.1), SHA-256 throughout:

* the hash of an empty tree is ``SHA-256()``;
* a leaf's hash is ``SHA-256(0x00 || leaf bytes)``;
* an interior node's hash is ``SHA-256(0x01 || left || right)``;
* a tree of ``n > 1`` leaves is split at ``k``, the largest power of two smaller than ``n``:
  ``MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``.

Leaves are numbered from 0. A *perfect subtree* ``(level, index)`` covers the ``2**level``
leaves ``[index * 2**level, (index + 1) * 2**level)``; every hash the RFC's recursion needs is
a fold of a few of them, so a store that keeps them (``NodeSource``) answers a root or a proof
with O(log n) reads. The plans (`range_nodes`, `inclusion_ranges`, `consistency_ranges`) say
which subtrees, before any hash is read.

The verifiers (`verify_inclusion`, `verify_consistency`) are the algorithms of §2.1.3.2 and
§2.1.4.2, step by step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeSource = Callable[[int, int], bytes]
"""``node(level, index)``: the hash of a perfect subtree (level 0: a leaf hash)."""

Range = tuple[int, int]
"""Leaves ``[start, end)``."""


def hash_leaf(leaf: bytes) -> bytes:
    """RFC 9162 §2.1.1: the hash of one leaf's bytes."""
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: the hash of an interior node."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n > 1``)."""
    if n < 2:
        raise ValueError(f"no split point for a tree of {n} leaves")
    return 1 << ((n - 1).bit_length() - 1)


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


# -- trees in memory ------------------------------------------------------------------------------


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes, by the RFC's recursion (O(n), for tests and small trees)."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = split_point(n)
    return hash_children(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


class CompactRange:
    """The right edge of a growing tree: the perfect subtrees that make up ``[0, size)``.

    Appending a leaf merges equal subtrees (each merge is a new perfect subtree, reported to
    ``on_node``); the root of the current size is a fold of at most log2(size) hashes.
    """

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()):
        levels = [level for level in range(size.bit_length() - 1, -1, -1) if size >> level & 1]
        if len(levels) != len(hashes):
            raise ValueError(f"a compact range of size {size} has {len(levels)} hashes, got {len(hashes)}")
        self.size = size
        self.stack: list[tuple[int, bytes]] = list(zip(levels, hashes, strict=True))

    @staticmethod
    def nodes_for(size: int) -> list[tuple[int, int]]:
        """The perfect subtrees ``(level, index)`` a compact range of ``size`` consists of."""
        return range_nodes(0, size)

    def append(self, leaf_hash: bytes, on_node: Callable[[int, int, bytes], None] | None = None) -> None:
        level, value = 0, leaf_hash
        end = self.size + 1
        while self.stack and self.stack[-1][0] == level:
            _, left = self.stack.pop()
            value = hash_children(left, value)
            level += 1
            if on_node is not None:
                on_node(level, (end >> level) - 1, value)
        self.stack.append((level, value))
        self.size = end

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        value = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            value = hash_children(left, value)
        return value


class MemoryTree:
    """A whole tree in memory, with every perfect subtree: roots and proofs for any size."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()):
        self.levels: list[list[bytes]] = [[]]
        self._range = CompactRange()
        for leaf_hash in leaf_hashes:
            self.append(leaf_hash)

    @classmethod
    def of_leaves(cls, leaves: Iterable[bytes]) -> MemoryTree:
        return cls(hash_leaf(leaf) for leaf in leaves)

    def __len__(self) -> int:
        return len(self.levels[0])

    def append(self, leaf_hash: bytes) -> None:
        if not _is_hash(leaf_hash):
            raise ValueError("a leaf hash is 32 bytes")
        self.levels[0].append(leaf_hash)
        self._range.append(leaf_hash, self._store)

    def _store(self, level: int, index: int, value: bytes) -> None:
        while len(self.levels) <= level:
            self.levels.append([])
        assert len(self.levels[level]) == index
        self.levels[level].append(value)

    def node(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        return root_from_nodes(len(self) if size is None else size, self.node)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, len(self) if size is None else size, self.node)

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        return consistency_proof(first, len(self) if second is None else second, self.node)


# -- plans: which perfect subtrees a hash needs --------------------------------------------------


def range_nodes(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect subtrees ``(level, index)`` that make up ``[start, end)``, left to right.

    Only the ranges the RFC's recursion produces are accepted (their subtrees get smaller from
    left to right); folding them from the right is then exactly ``MTH(D[start:end])``.
    """
    if not 0 <= start < end:
        raise ValueError(f"no leaves in [{start}, {end})")
    nodes: list[tuple[int, int]] = []
    position = start
    while position < end:
        level = (end - position).bit_length() - 1
        while position & ((1 << level) - 1):
            level -= 1
        if nodes and level >= nodes[-1][0]:
            raise ValueError(f"[{start}, {end}) is not a subtree range of RFC 9162")
        nodes.append((level, position >> level))
        position += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """``H(h0, H(h1, ... H(h_{k-2}, h_{k-1})))``: the hash of a range from its perfect subtrees."""
    value = hashes[-1]
    for left in reversed(hashes[:-1]):
        value = hash_children(left, value)
    return value


def range_hash(start: int, end: int, node: NodeSource) -> bytes:
    """``MTH(D[start:end])`` from the perfect subtrees of the range."""
    return fold([node(level, index) for level, index in range_nodes(start, end)])


def root_from_nodes(size: int, node: NodeSource) -> bytes:
    """The root of the tree of the first ``size`` leaves."""
    if size < 0:
        raise ValueError("a tree size is not negative")
    return EMPTY_ROOT if size == 0 else range_hash(0, size, node)


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """RFC 9162 §2.1.3.1 PATH(m, D[n]): the ranges whose MTH make up the inclusion path."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[Range] = []
    start, end = 0, size
    while end - start > 1:  # iterative form of the recursion; the path is built leaf-first
        k = split_point(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start = start + k
    path.reverse()
    return path


def consistency_ranges(first: int, second: int) -> list[Range]:
    """RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true), as ranges."""
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from {first} to {second} leaves")
    if first == 0 or first == second:
        return []
    proof: list[Range] = []
    start, end, m, complete = 0, second, first, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                proof.append((start, end))
            break
        k = split_point(n)
        if m <= k:
            proof.append((start + k, end))
            end = start + k
        else:
            proof.append((start, start + k))
            start, m, complete = start + k, m - k, False
    proof.reverse()
    return proof


def nodes_for_ranges(ranges: Iterable[Range]) -> set[tuple[int, int]]:
    """Every perfect subtree the given ranges need (to fetch them in one read)."""
    return {node for start, end in ranges for node in range_nodes(start, end)}


def inclusion_proof(index: int, size: int, node: NodeSource) -> list[bytes]:
    return [range_hash(start, end, node) for start, end in inclusion_ranges(index, size)]


def consistency_proof(first: int, second: int, node: NodeSource) -> list[bytes]:
    return [range_hash(start, end, node) for start, end in consistency_ranges(first, second)]


# -- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ------------------------------------------------


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``path`` prove leaf ``index`` of a ``size``-leaf tree with ``root``?"""
    if not (_is_hash(leaf_hash) and _is_hash(root) and all(_is_hash(p) for p in path)):
        return False
    # 1. Compare leaf_index against tree_size.
    if not 0 <= index < size:
        return False
    # 2. Set fn to leaf_index and sn to tree_size - 1.
    fn, sn = index, size - 1
    # 3. Set r to hash.
    r = leaf_hash
    # 4. For each value p in the inclusion_path array:
    for p in path:
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            r = hash_children(p, r)
            # If LSB(fn) is not set, right-shift both fn and sn equally until either LSB(fn)
            # is set or fn is 0.
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hash_children(r, p)
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 5. sn must be 0 and r must equal the root hash.
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: does ``path`` prove the ``first``-leaf tree a prefix of the ``second``?

    The RFC's algorithm covers ``0 < first < second``. The edge cases: equal sizes are consistent
    when the roots are equal and the path is empty; the empty tree (size 0) is a prefix of every
    tree (empty path). A larger first tree is never consistent with a smaller second one.
    """
    if not (_is_hash(first_root) and _is_hash(second_root) and all(_is_hash(c) for c in path)):
        return False
    if not 0 <= first <= second:
        return False
    if first == second:
        return not path and first_root == second_root
    if first == 0:
        return not path and first_root == EMPTY_ROOT
    # 1. If consistency_path is an empty array, stop and fail the proof verification.
    if not path:
        return False
    path = list(path)
    # 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    # 3. Set fn to first - 1 and sn to second - 1.
    fn, sn = first - 1, second - 1
    # 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. Set both fr and sr to the first value in the consistency_path array.
    fr = sr = path[0]
    # 6. For each subsequent value c in the consistency_path array:
    for c in path[1:]:
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            # If LSB(fn) is not set, right-shift both fn and sn equally until either LSB(fn)
            # is set or fn is 0.
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hash_children(sr, c)
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 7. fr must equal first_hash, sr must equal second_hash, and sn must be 0.
    return fr == first_root and sr == second_root and sn == 0
