"""Read models of the registry, materialized from its notification log exactly once.

- `store`: view tables on SQLite or PostgreSQL, built on the library's tracking recorders;
- `projector`: `Projector(registry, store).catch_up()` after a command, `follow()` as a worker,
  `rebuild()` from position 0 into fresh tables swapped in at the end;
- the read queries, one module per area, used by the API, the CLI and the import alike:
  `read_sql` (the reader's `Area` as SQL, WHERE clauses, pages), `unit_reads`, `mentor_reads`,
  `mentoring_reads`, `reference_reads`, `approval_queue`, `organization_status`, `audit_reads`,
  `rounds`, `roadmaps`, `suggestions`, `public` (the public page's own tables);
- `indicators`, `counts`, `report`, `formats`: answers and reports, each stating the log
  position it reflects.
"""

from projections.periods import Period
from projections.projector import Projector, project_until, rebuild
from projections.store import ViewStore, memory_view_store, open_view_store

__all__ = [
    "Period",
    "Projector",
    "ViewStore",
    "memory_view_store",
    "open_view_store",
    "project_until",
    "rebuild",
]
