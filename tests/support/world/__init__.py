"""The one scenario world: how tests build a region.

    from support.world import Region, ADMIN, curator_of

`region.py` is the builder (real commands through `Registry.execute`, ids back);
`indicators.py` the hand-computed indicators scenario; `api.py`, `staff.py`, `oversight.py`
the region served over HTTP with a user per role.
"""

from support.world.region import (
    ADMIN,
    AUDITOR,
    TODAY,
    Region,
    assert_russian,
    curator_of,
    directly,
    municipal_of,
    person,
    profile,
)

__all__ = [
    "ADMIN", "AUDITOR", "TODAY", "Region", "assert_russian", "curator_of", "directly", "municipal_of",
    "person", "profile",
]
