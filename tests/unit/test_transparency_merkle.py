"""RFC 9162 Merkle trees: the Certificate Transparency reference vectors, and properties for
every tree shape up to ~300 leaves (non-powers of two included) against an independent,
straightforward recursive implementation of the RFC's definitions written here."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.transparency import merkle
from projections.transparency.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    hash_leaf,
    verify_consistency,
    verify_inclusion,
)

# The leaves and tree heads of the Certificate Transparency reference implementations' tests
# (RFC 6962 hashing, which RFC 9162 keeps): the root of the tree of the first n leaves.
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, path)
CT_INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
# (first size, second size, path)
CT_CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


# -- an independent reference: the RFC's definitions, literally, over lists ----------------------


def ref_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def ref_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def ref_k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(leaves: list[bytes]) -> bytes:
    """MTH over leaf *hashes* (so it can run over any leaves we choose)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = ref_k(len(leaves))
    return ref_node(ref_mth(leaves[:k]), ref_mth(leaves[k:]))


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = ref_k(n)
    if m < k:
        return ref_path(m, leaves[:k]) + [ref_mth(leaves[k:])]
    return ref_path(m - k, leaves[k:]) + [ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [ref_mth(leaves)]
    k = ref_k(n)
    if m <= k:
        return ref_subproof(m, leaves[:k], complete) + [ref_mth(leaves[k:])]
    return ref_subproof(m - k, leaves[k:], False) + [ref_mth(leaves[:k])]


def ref_proof(m: int, leaves: list[bytes]) -> list[bytes]:
    return ref_subproof(m, leaves, True)


def synthetic(n: int) -> list[bytes]:
    return [ref_leaf(b"leaf-" + i.to_bytes(4, "big")) for i in range(n)]


BIG = synthetic(320)
BIG_TREE = MemoryTree(BIG)


# -- the reference vectors ------------------------------------------------------------------------


def test_ct_roots_for_every_size_0_to_8() -> None:
    tree = MemoryTree.of_leaves(CT_LEAVES)
    assert EMPTY_ROOT.hex() == CT_ROOTS[0]
    for n in range(9):
        assert tree.root(n).hex() == CT_ROOTS[n], f"size {n}"
        assert merkle.root_of([hash_leaf(x) for x in CT_LEAVES[:n]]).hex() == CT_ROOTS[n]
        assert ref_mth([ref_leaf(x) for x in CT_LEAVES[:n]]).hex() == CT_ROOTS[n]


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION)
def test_ct_inclusion_vectors(index: int, size: int, path: list[str]) -> None:
    tree = MemoryTree.of_leaves(CT_LEAVES)
    assert [h.hex() for h in tree.inclusion_proof(index, size)] == path
    leaf = hash_leaf(CT_LEAVES[index])
    root = bytes.fromhex(CT_ROOTS[size])
    assert verify_inclusion(leaf, index, size, [bytes.fromhex(h) for h in path], root)


@pytest.mark.parametrize(("first", "second", "path"), CT_CONSISTENCY)
def test_ct_consistency_vectors(first: int, second: int, path: list[str]) -> None:
    tree = MemoryTree.of_leaves(CT_LEAVES)
    assert [h.hex() for h in tree.consistency_proof(first, second)] == path
    assert verify_consistency(
        first, second, bytes.fromhex(CT_ROOTS[first]), bytes.fromhex(CT_ROOTS[second]),
        [bytes.fromhex(h) for h in path],
    )


@pytest.mark.parametrize(("index", "size", "path"), [v for v in CT_INCLUSION if v[2]])
def test_ct_inclusion_vectors_refuse_every_corruption(index: int, size: int, path: list[str]) -> None:
    """The corruptions the reference verifiers' tests try: all must be refused."""
    proof = [bytes.fromhex(h) for h in path]
    leaf, root = hash_leaf(CT_LEAVES[index]), bytes.fromhex(CT_ROOTS[size])
    probes = [
        (index - 1, size, root, leaf, proof), (index + 1, size, root, leaf, proof),
        (index ^ 2, size, root, leaf, proof), (index, size * 2, root, leaf, proof),
        (index, size // 2, root, leaf, proof), (index, size, root, hash_leaf(b"WrongLeaf"), proof),
        (index, size, EMPTY_ROOT, leaf, proof), (index, size, SOME_HASH, leaf, proof),
        (index, size, root, leaf, [*proof, root]), (index, size, root, leaf, [root, *proof]),
        (index, size, root, leaf, proof[:-1]), (index, size, root, leaf, [*proof, b""]),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((index, size, root, leaf, flipped))
    for probe in probes:
        if probe[0] < 0:
            continue
        assert not verify_inclusion(probe[3], probe[0], probe[1], probe[4], probe[2]), probe[:2]


@pytest.mark.parametrize(("first", "second", "path"), [v for v in CT_CONSISTENCY if v[2]])
def test_ct_consistency_vectors_refuse_every_corruption(first: int, second: int, path: list[str]) -> None:
    proof = [bytes.fromhex(h) for h in path]
    r1, r2 = bytes.fromhex(CT_ROOTS[first]), bytes.fromhex(CT_ROOTS[second])
    probes = [
        (first - 1, second, r1, r2, proof), (first + 1, second, r1, r2, proof),
        (first ^ 2, second, r1, r2, proof), (first, second * 2, r1, r2, proof),
        (first, second // 2, r1, r2, proof), (first, second, SOME_HASH, r2, proof),
        (first, second, r1, SOME_HASH, proof), (first, second, r2, r1, proof),
        (first, second, r1, r2, []), (first, second, r1, r2, [*proof, r1]),
        (first, second, r1, r2, [*proof, r2]), (first, second, r1, r2, [r1, *proof]),
        (first, second, r1, r2, [r2, *proof]), (first, second, r1, r2, [proof[0], *proof]),
        (first, second, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes.append((first, second, r1, r2, flipped))
    for probe in probes:
        assert not verify_consistency(*probe), probe[:2]


def test_degenerate_consistency_cases() -> None:
    root = BIG_TREE.root(4)
    assert verify_consistency(4, 4, root, root, [])
    assert not verify_consistency(4, 4, root, BIG_TREE.root(5), [])
    assert not verify_consistency(4, 4, root, root, [root])
    assert verify_consistency(0, 8, EMPTY_ROOT, BIG_TREE.root(8), [])
    assert not verify_consistency(0, 8, BIG_TREE.root(1), BIG_TREE.root(8), [])
    assert not verify_consistency(5, 3, BIG_TREE.root(5), BIG_TREE.root(3), [])
    assert not verify_inclusion(BIG[0], 0, 0, [], EMPTY_ROOT)
    assert verify_inclusion(BIG[0], 0, 1, [], BIG[0])
    assert not verify_inclusion(BIG[0], 0, 1, [], b"\x00" * 31 + b"\x01")
    assert not verify_inclusion(BIG[0][:31], 0, 1, [], BIG[0][:31])  # a hash is 32 bytes


def test_all_inclusion_and_consistency_proofs_up_to_64_leaves() -> None:
    """Exhaustively for small trees: every leaf, every pair of sizes, equal to the reference."""
    for n in range(1, 65):
        leaves = BIG[:n]
        root = ref_mth(leaves)
        assert BIG_TREE.root(n) == root
        for m in range(n):
            path = BIG_TREE.inclusion_proof(m, n)
            assert path == ref_path(m, leaves)
            assert verify_inclusion(leaves[m], m, n, path, root)
        for m in range(1, n + 1):
            proof = BIG_TREE.consistency_proof(m, n)
            assert proof == ref_proof(m, leaves)
            assert verify_consistency(m, n, ref_mth(leaves[:m]), root, proof)


# -- properties over tree sizes up to 300 ---------------------------------------------------------


@st.composite
def leaf_in_tree(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(min_value=1, max_value=300))
    return draw(st.integers(min_value=0, max_value=size - 1)), size


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    second = draw(st.integers(min_value=1, max_value=300))
    return draw(st.integers(min_value=1, max_value=second)), second


@settings(max_examples=300, deadline=None)
@given(leaf_in_tree(), st.integers(min_value=0, max_value=31), st.integers(min_value=0, max_value=7))
def test_inclusion_proofs_verify_and_forgeries_fail(case: tuple[int, int], byte: int, bit: int) -> None:
    index, size = case
    leaves = BIG[:size]
    root = ref_mth(leaves)
    path = BIG_TREE.inclusion_proof(index, size)
    assert path == ref_path(index, leaves)
    assert BIG_TREE.root(size) == root
    assert verify_inclusion(leaves[index], index, size, path, root)
    # a forged root, an altered leaf, another leaf, the wrong index: all refused
    forged_root = bytearray(root)
    forged_root[byte] ^= 1 << bit
    assert not verify_inclusion(leaves[index], index, size, path, bytes(forged_root))
    altered = bytearray(leaves[index])
    altered[byte] ^= 1 << bit
    assert not verify_inclusion(bytes(altered), index, size, path, root)
    assert not verify_inclusion(ref_leaf(b"not in the tree"), index, size, path, root)
    if size > 1:
        other = (index + 1) % size
        assert not verify_inclusion(leaves[index], other, size, path, root)
        assert not verify_inclusion(leaves[other], index, size, path, root)
    if path:
        tampered = list(path)
        tampered[byte % len(path)] = bytes(forged_root)
        assert not verify_inclusion(leaves[index], index, size, tampered, root)
        assert not verify_inclusion(leaves[index], index, size, path[:-1], root)
    assert not verify_inclusion(leaves[index], index, size, [*path, root], root)


@settings(max_examples=300, deadline=None)
@given(two_sizes(), st.integers(min_value=0, max_value=31), st.integers(min_value=0, max_value=7))
def test_consistency_proofs_verify_and_forgeries_fail(case: tuple[int, int], byte: int, bit: int) -> None:
    first, second = case
    leaves = BIG[:second]
    first_root, second_root = ref_mth(leaves[:first]), ref_mth(leaves)
    proof = BIG_TREE.consistency_proof(first, second)
    assert proof == ref_proof(first, leaves)
    assert verify_consistency(first, second, first_root, second_root, proof)
    forged = bytearray(first_root)
    forged[byte] ^= 1 << bit
    assert not verify_consistency(first, second, bytes(forged), second_root, proof)
    forged = bytearray(second_root)
    forged[byte] ^= 1 << bit
    assert not verify_consistency(first, second, first_root, bytes(forged), proof)
    if first < second:
        # a rewritten past: one earlier leaf changed gives another first root, which no proof of
        # the real log connects to today's root
        rewritten = list(leaves[:first])
        rewritten[byte % first] = ref_leaf(b"rewritten")
        assert not verify_consistency(first, second, ref_mth(rewritten), second_root, proof)
        tampered = list(proof)
        tampered[byte % len(proof)] = bytes(forged)
        assert not verify_consistency(first, second, first_root, second_root, tampered)
        assert not verify_consistency(first, second, first_root, second_root, proof[:-1])
        assert not verify_consistency(first, second, first_root, second_root, [*proof, second_root])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=200))
def test_roots_agree_with_the_reference_and_grow_incrementally(data: list[bytes]) -> None:
    leaves = [ref_leaf(x) for x in data]
    tree = MemoryTree()
    compact = merkle.CompactRange()
    for n, leaf in enumerate(leaves, start=1):
        tree.append(leaf)
        compact.append(leaf)
        assert compact.root() == tree.root() == tree.root(n)
    assert tree.root() == ref_mth(leaves) == merkle.root_of(leaves)
    for size in range(len(leaves) + 1):
        assert tree.root(size) == ref_mth(leaves[:size])


def test_range_plans_take_logarithmic_many_subtrees() -> None:
    n = 1_000_003
    assert len(merkle.range_nodes(0, n)) == n.bit_count()
    for index in (0, 1, n // 2, n - 1):
        ranges = merkle.inclusion_ranges(index, n)
        assert len(merkle.nodes_for_ranges(ranges)) <= 2 * n.bit_length()
    ranges = merkle.consistency_ranges(999_999, n)
    assert len(merkle.nodes_for_ranges(ranges)) <= 2 * n.bit_length()
    with pytest.raises(ValueError):
        merkle.range_nodes(3, 7)  # not a range of the RFC's recursion
