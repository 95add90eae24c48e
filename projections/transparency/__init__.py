"""Tamper evidence the way transparency logs do it (RFC 9162 Merkle trees over the event log).

* `merkle` — pure RFC 9162 §2.1 hashing, roots, inclusion and consistency proofs and their
  verification;
* `leaves` — the canonical bytes of a stored event record (a leaf);
* `store` — `TransparencyLog`: the leaf and subtree tables beside the events, appended
  incrementally (`catch_up()`), roots and proofs in O(log n) reads;
* `checkpoints` — signed tree heads (Ed25519), the institute's keys;
* `proof_files` — proof documents and `verify_proof_document` (no database);
* `verify` — recompute the tree from the raw records and name the first tampered position.
"""

from __future__ import annotations

from typing import Any


def transparency_log(registry: Any, **options: Any) -> Any:
    """The transparency log beside the registry's events (tables created on first use)."""
    from projections.transparency.store import TransparencyLog

    return TransparencyLog(registry, **options)
