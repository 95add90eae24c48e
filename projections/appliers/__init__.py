"""How each registry event changes the views: one small SQL function per pinned topic.

Events are decoded with the registry's mapper; ids are written as text, dates as ISO text,
lists as JSON. Topics without an applier (command records, the load bookkeeping of mentors and
mentees, which the pairs already say) change no view, but still advance the position.
Several appliers may share a topic: `public` derives the public page's tables from the rows the
others have just changed, so it runs after them (`stage=DERIVED`).
"""

from projections.appliers import erasure, mentors, pairs, programs, public, units  # noqa: F401  (they register)
from projections.appliers import rounds  # noqa: F401,I001  (after units, programs, pairs: it reads their rows)
from projections.appliers import feedback  # noqa: F401,I001
from projections.appliers.base import APPLIERS, Applier

__all__ = ["APPLIERS", "Applier"]
