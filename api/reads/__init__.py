"""Read routes of the registry: mentors, organizations (contingents, checklist), checklists,
municipalities, mentees, pairs, programs and their outputs.

Everything is read from the views (`request.app.state.views`), never from the log: each answer
reads its rows and the views' log position in ONE read transaction and states that position
(`X-Log-Position` and `position` in the body). The views are caught up after every write of this
app, so a client always reads its own writes. Who sees what is decided by `api.scope`.

By area: `units` (municipalities, organizations, checklists), `mentors`, `mentoring` (mentees,
pairs, programs); what they share (the read transaction, the 404 problem, paging parameters) is
in `common`. The routes parse, authorize, call and format: their SQL is in the views' query
modules, one per area (`projections.unit_reads`, `projections.mentor_reads`,
`projections.mentoring_reads`), which take the reader's `Area` and page, filter and sort in SQL.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.reads import mentoring, mentors, units
from api.reads.common import views_of

__all__ = ["router", "views_of"]

router = APIRouter()
router.include_router(units.router)
router.include_router(mentors.router)
router.include_router(mentoring.router)
