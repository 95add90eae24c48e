"""The staff workspace driven like a browser: an `ApiWorld` whose users also have logins, and a
`Browser` (TestClient with its own cookie jar and address) that signs in and posts forms with
the CSRF token of the page it last read.

    world = StaffWorld(registry)
    curator = world.sign_in("curator")             # a Browser with a live session
    page = curator.get("/staff/")
    curator.post("/staff/logout", {})              # the CSRF token is added from the last page
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import httpx
from fastapi.testclient import TestClient

from api.staff.accounts import StaffAccounts
from registry import commands as c
from registry.application import Registry
from support.world.api import INSTALLER, ROLES, ApiWorld

PASSWORD = "верный пароль 123"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def login_of(key: str) -> str:
    return key.replace("_", "-")


class Browser:
    """One browser: cookies, an address, and the CSRF token of the last page it read."""

    def __init__(self, app: Any, address: str = "testclient", base_url: str = "http://testserver"):
        self.client = TestClient(
            app, base_url=base_url, client=(address, 50000), follow_redirects=False, raise_server_exceptions=True
        )
        self.client.__enter__()
        self.csrf = ""

    def close(self) -> None:
        self.client.__exit__(None, None, None)

    def _remember(self, response: httpx.Response) -> httpx.Response:
        found = _CSRF.search(response.text) if "text/html" in response.headers.get("content-type", "") else None
        if found:
            self.csrf = found.group(1)
        return response

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self._remember(self.client.get(path, params=params or None))

    def post(self, path: str, data: dict[str, Any], *, csrf: bool = True, files: Any = None) -> httpx.Response:
        body = {**data, "csrf_token": self.csrf} if csrf and "csrf_token" not in data else dict(data)
        return self._remember(self.client.post(path, data=body, files=files))

    def follow(self, response: httpx.Response) -> httpx.Response:
        """GET the 303's location, as a browser does after a form post."""
        assert response.status_code == 303, (response.status_code, response.text[:2000])
        return self.get(response.headers["location"])

    @property
    def session_id(self) -> str | None:
        return self.client.cookies.get("reestr_staff")


class StaffWorld(ApiWorld):
    """The API world (a municipality, schools A and B, a user per role), every user with a login
    (`admin`, `municipal`, `curator`, `curator-other`, `auditor`) and the password PASSWORD."""

    def __init__(self, registry: Registry, **options: Any):
        super().__init__(registry, **options)
        self.accounts = StaffAccounts(registry)
        self.browsers: list[Browser] = []
        for key in ROLES:
            self.give_login(self.user_ids[key], login_of(key))

    def give_login(self, user_id: str, login: str, password: str = PASSWORD) -> None:
        """What `reestr users add --login --password-stdin` does for an existing user."""
        self.registry.execute(c.SetUserPassword(user_id=UUID(user_id)), INSTALLER)
        self.accounts.set_login(UUID(user_id), login, password)

    def browser(self, address: str = "testclient", base_url: str = "http://testserver") -> Browser:
        browser = Browser(self.app, address, base_url)
        self.browsers.append(browser)
        return browser

    def sign_in(self, key: str, browser: Browser | None = None) -> Browser:
        """A browser signed in as the user of this role key (asserting the sign-in succeeded)."""
        browser = browser or self.browser()
        browser.get("/staff/login")
        response = browser.post("/staff/login", {"login": login_of(key), "password": PASSWORD})
        assert response.status_code == 303, response.text[:2000]
        browser.follow(response)
        return browser

    def close(self) -> None:
        for browser in self.browsers:
            browser.close()
        super().close()
