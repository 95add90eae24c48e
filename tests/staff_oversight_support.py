"""People signed in to the staff workspace, one browser-like client per role (no tests here).

    world = OversightWorld(registry)       # ApiWorld's region and users, each with a password
    admin = world.browser("admin")         # a client holding admin's session cookie
    admin.get("/staff/approvals")
    admin.post_form("/staff/approvals/confirm", {"mentor_id": [...], "action": "approve"})

Passwords are set as `reestr users add --login` sets them (`api.staff.accounts`), sign-in goes
through the real form (its CSRF token read from the page), and every POST carries the
session's CSRF token read from the page it was on, as a browser would send it.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import httpx
from api_support import ROLES, ApiWorld
from fastapi.testclient import TestClient

from api.staff.accounts import StaffAccounts

PASSWORD = "Пароль-для-теста-2023"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class SignedInBrowser:
    """A TestClient with one person's session: GETs, and form POSTs carrying the CSRF token."""

    def __init__(self, app: Any, login: str):
        self.client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        self.client.__enter__()
        page = self.client.get("/staff/login")
        response = self.client.post(
            "/staff/login",
            data={"login": login, "password": PASSWORD, "csrf_token": csrf_of(page.text), "next": "/staff/"},
        )
        assert response.status_code == 303, response.text
        self.csrf = csrf_of(self.client.get("/staff/").text)

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.client.get(path, params=params) if params else self.client.get(path)

    def post_form(self, path: str, data: dict[str, Any], files: Any = None) -> httpx.Response:
        return self.client.post(path, data={**data, "csrf_token": self.csrf}, files=files)

    def close(self) -> None:
        self.client.__exit__(None, None, None)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class OversightWorld(ApiWorld):
    """ApiWorld (a municipality, schools A and B, a user per role) plus a second municipality
    with its own school, and a password for every user."""

    def __init__(self, registry: Any, **options: Any):
        super().__init__(registry, **options)
        self.home_municipality = self.municipality_id
        self.other_municipality = self.municipality()
        self.municipality_id = self.other_municipality  # `organization()` registers here now
        self.org_far = self.organization("Лицей дальнего района")
        self.municipality_id = self.home_municipality
        accounts = StaffAccounts(registry)
        for role in ROLES:
            accounts.set_login(UUID(self.user_ids[role]), f"test-{role}", PASSWORD)
        self._browsers: dict[str, SignedInBrowser] = {}

    def browser(self, role: str) -> SignedInBrowser:
        """The signed-in client of a role (admin, municipal, curator, curator_other, auditor)."""
        if role not in self._browsers:
            self._browsers[role] = SignedInBrowser(self.app, f"test-{role}")
        return self._browsers[role]

    def close(self) -> None:
        for browser in self._browsers.values():
            browser.close()
        super().close()
