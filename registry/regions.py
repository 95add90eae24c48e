"""The region (субъект РФ) as a unit of the registry: its code («27») and name, renamable.

Municipalities name their region by its code (or, as before regions were units, by free text);
reports print the registered name for the code. One region per code: the id follows from it.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from registry.base import RegistryAggregate, pinned, require_reason


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
