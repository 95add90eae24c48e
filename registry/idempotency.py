"""Client command ids: a command repeated with the same id returns its first result."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from registry.base import RegistryAggregate, pinned


@pinned("CommandRecord")
class CommandRecord(RegistryAggregate):
    """The first outcome of a client command id, saved atomically with the command's events.

    Because it is an aggregate at version 1, two concurrent deliveries of one command id
    cannot both be recorded: the second save conflicts and finds this record.
    """

    @staticmethod
    def create_id(command_id: str) -> UUID:
        return command_record_id(command_id)

    @event("Accepted")
    def __init__(
        self,
        command_id: str,
        command_type: str,
        payload_sha256: str,
        aggregate_id: UUID | None,
        versions: dict[str, int],
    ) -> None:
        self.command_id = command_id
        self.command_type = command_type
        self.payload_sha256 = payload_sha256
        self.aggregate_id = aggregate_id
        self.versions = dict(versions)


def command_record_id(command_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"reestr:command:{command_id}")
