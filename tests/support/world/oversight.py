"""The region the oversight pages are tested on (no tests here): the staff world of the sign-in
tests (`support.world.staff.StaffWorld`: ApiWorld's municipality with schools A and B, a user per role
with a login) plus a second, far municipality with its own lyceum, which a coordinator of the
first must never reach.

    world = OversightWorld(registry)
    admin = world.person("admin")              # a signed-in Browser, kept per role
    admin.post("/staff/approvals/confirm", {"mentor_id": [...], "action": "approve"})
"""

from __future__ import annotations

from typing import Any

from support.world.staff import Browser, StaffWorld


class OversightWorld(StaffWorld):
    def __init__(self, registry: Any, **options: Any):
        super().__init__(registry, **options)
        self.home_municipality = self.municipality_id
        self.other_municipality = self.municipality()
        self.org_far = self.organization("Лицей дальнего района", municipality_id=self.other_municipality)
        self._people: dict[str, Browser] = {}

    def person(self, role: str) -> Browser:
        """The signed-in browser of a role key (admin, municipal, curator, curator_other, auditor)."""
        if role not in self._people:
            self._people[role] = self.sign_in(role)
        return self._people[role]
