"""The transparency tables on each store: appended incrementally and exactly once, roots and
proofs from O(log n) reads equal to a tree recomputed from the raw records; the leaf encoding."""

from __future__ import annotations

import threading
import uuid

from support.transparency import RawStore, build_region

from projections.transparency import merkle
from projections.transparency.leaves import (
    MAGIC,
    StoredRecord,
    leaf_bytes,
    record_from_json,
)
from projections.transparency.store import TransparencyLog
from registry.application import Registry


def _recomputed(log: TransparencyLog) -> merkle.MemoryTree:
    return merkle.MemoryTree(record.leaf_hash() for record in log.iter_records())


def test_the_tree_follows_the_log_in_batches_and_agrees_with_the_records(registry: Registry) -> None:
    build_region(registry)
    small = TransparencyLog(registry, batch_size=7)
    assert small.head().position == registry.position(), "every write appended its own leaves"
    appended = small.rebuild()  # the cache again from the events, seven records at a time
    head = small.head()
    assert appended == head.tree_size == len(RawStore(registry).positions())
    assert head.position == registry.position()
    assert small.catch_up() == 0, "nothing appended twice"

    tree = _recomputed(small)
    assert head.root_hash == tree.root()
    for size in range(head.tree_size + 1):
        assert small.root(size) == tree.root(size)
    for index in range(0, head.tree_size, 3):
        path = small.inclusion_proof(index, head.tree_size)
        assert path == tree.inclusion_proof(index)
        leaf = small.leaf_at_index(index)
        assert leaf is not None and merkle.verify_inclusion(leaf.leaf_hash, index, head.tree_size, path, head.root_hash)
    for first in range(1, head.tree_size + 1, 5):
        proof = small.consistency_proof(first, head.tree_size)
        assert merkle.verify_consistency(first, head.tree_size, small.root(first), head.root_hash, proof)

    # more events: only they are appended, and the earlier roots stay what they were
    before = {size: small.root(size) for size in (1, head.tree_size // 2, head.tree_size)}
    build_region(registry, mentors=2)
    assert TransparencyLog(registry).catch_up() == 0, "the writes appended their leaves themselves"
    assert small.head().position == registry.position() > head.position
    assert {size: small.root(size) for size in before} == before
    assert small.root() == _recomputed(small).root()


def test_two_followers_racing_append_every_record_once(registry: Registry) -> None:
    build_region(registry, mentors=4)
    logs = [TransparencyLog(registry, batch_size=3) for _ in range(3)]
    errors: list[BaseException] = []

    def follow(log: TransparencyLog) -> None:
        try:
            log.catch_up()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=follow, args=(log,)) for log in logs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    head = logs[0].head()
    assert head.tree_size == len(RawStore(registry).positions())
    assert [leaf.leaf_index for leaf in logs[0].iter_leaves()] == list(range(head.tree_size))
    assert head.root_hash == _recomputed(logs[0]).root()


def test_roots_and_proofs_read_logarithmically_many_hashes(registry: Registry) -> None:
    build_region(registry, mentors=6)
    log = TransparencyLog(registry)
    log.catch_up()
    size = log.head().tree_size
    bound = 2 * size.bit_length()
    log.root(size)
    assert log.last_reads == size.bit_count()
    for index in (0, size // 3, size - 1):
        log.inclusion_proof(index, size)
        assert log.last_reads <= bound
    log.consistency_proof(size // 2 + 1, size)
    assert log.last_reads <= bound


def test_the_leaf_encoding_is_pinned_and_store_independent() -> None:
    originator = uuid.UUID("12345678-9abc-def0-1234-56789abcdef0")
    record = StoredRecord(7, originator, 2, "registry.mentors:MentorApproved", b'{"a":1}')
    expected = (
        MAGIC
        + bytes.fromhex("01" "00000008" "0000000000000007")
        + bytes.fromhex("04" "00000010") + originator.bytes
        + bytes.fromhex("01" "00000008" "0000000000000002")
        + bytes.fromhex("02") + len(record.topic).to_bytes(4, "big") + record.topic.encode()
        + bytes.fromhex("03" "00000007") + b'{"a":1}'
    )
    assert record.leaf() == expected
    assert record.leaf_hash() == merkle.hash_leaf(expected)
    # SQLite keeps the UUID as 32 lower-case hex digits: the same leaf as PostgreSQL's uuid
    assert leaf_bytes(7, originator.hex, 2, record.topic, b'{"a":1}') == expected
    # anything else is not the same record
    assert leaf_bytes(7, originator.hex.upper(), 2, record.topic, b'{"a":1}') != expected
    assert leaf_bytes(7, originator, 2, record.topic, '{"a":1}') != expected  # text, not bytes
    assert leaf_bytes(8, originator, 2, record.topic, b'{"a":1}') != expected
    assert leaf_bytes(7, originator, 2, None, b'{"a":1}') != expected
    # a proof file carries the record; it comes back to the same bytes
    assert record_from_json(record.as_json()).leaf() == expected
    sqlite_row = StoredRecord(7, originator.hex, 2, record.topic, b'{"a":1}')
    assert sqlite_row.as_json() == record.as_json()
    assert record.as_json()["state"] == {"utf8": '{"a":1}'}
    not_utf8 = StoredRecord(7, originator, 2, record.topic, b"\xff\x00")
    assert not_utf8.as_json()["state"] == {"hex": "ff00"}
    assert record_from_json(not_utf8.as_json()).leaf() == not_utf8.leaf()


def test_the_same_log_has_the_same_leaves_on_both_stores(registry: Registry) -> None:
    """Leaves are read raw on each store; their bytes must not depend on the driver."""
    build_region(registry, mentors=1)
    log = TransparencyLog(registry)
    for record in log.iter_records():
        assert isinstance(record.state, bytes)
        assert record.leaf() == leaf_bytes(
            record.position, uuid.UUID(str(record.originator_id)), record.originator_version, record.topic,
            record.state,
        )
