"""The region (субъект РФ) as a unit of the registry: its code («27») and name, renamable.

Municipalities name their region by its code (or, as before regions were units, by free text);
reports print the registered name for the code. One region per code: the id follows from it.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from registry.base import RegistryAggregate, pinned, require, require_reason


def region_id(code: str) -> UUID:
    """The region's aggregate id, from its code."""
    return uuid5(NAMESPACE_URL, f"reestr:region:{code}")


@pinned("Region")
class Region(RegistryAggregate):
    """A subject of the Russian Federation: code (e.g. «27») and name («Хабаровский край»)."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return region_id(code)

    @event("Registered")
    def __init__(self, code: str, name: str) -> None:
        self.code = code
        self.name = name

    def rename(self, name: str, reason: str) -> None:
        self._renamed(code=self.code, name=name, reason=require_reason(reason))

    @event("Renamed")
    def _renamed(self, code: str, name: str, reason: str) -> None:
        self.name = name


def registered_region_codes(recorder: Any, repository: Any, page: int = 1000) -> list[str]:
    """The codes of every region registered: in the log, and (through a batch's workspace) earlier in the batch."""
    ids: set[UUID] = set()
    position = 0
    while batch := recorder.select_notifications(start=position + 1, limit=page, topics=[Region.Registered.TOPIC]):
        ids.update(n.originator_id for n in batch)
        position = batch[-1].id
    ids.update(a.id for a in getattr(repository, "aggregates", ()) if isinstance(a, Region))
    return sorted(repository.get(i).code for i in ids)


def require_region(app: Any, code: str, *, field: str) -> None:
    """The region named by `code` is registered; the refusal lists the codes that are, or says how to register one."""
    if region_id(code) in app.repository:
        return
    codes = app.region_codes()
    if codes:
        known = f"зарегистрированы: {', '.join(codes)}"
    else:
        known = "ни один регион ещё не зарегистрирован — сначала зарегистрируйте регион: код и название (POST /regions)"
    require(False, rule="region_exists", field=field, message=f"Региона с кодом «{code}» нет в реестре; {known}")
