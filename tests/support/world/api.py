"""A region served over real HTTP (FastAPI TestClient over the real registry), with a user per role.

    world = ApiWorld(registry)                     # close() it after (the `world` fixtures do)
    mentor = world.mentor(world.org_a)             # applied by the curator of org A, approved
    world.post(f"/mentors/{mentor}/suspend", {...}, as_="admin")

Users are added the way `reestr users add` adds them (a command with an admin actor), their
tokens used as bearer tokens. The region, its municipalities and organizations are seeded through
the world's builder (`world.region`, a `support.world.Region` acting as the admin user); everything
else goes through the API.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import httpx
from fastapi.testclient import TestClient

from api.app import create_app
from registry import commands as c
from registry.application import Registry
from registry.users import new_token, token_sha256
from registry.values import Actor, Role
from support.world.region import Region

REGION_CODE = "27"  # the world's region, registered as «Хабаровский край»
API = "/api/v1"
INSTALLER = Actor(user_id="cli:test", role=Role.ADMIN)
ROLES = ("admin", "municipal", "curator", "curator_other", "auditor")

_serial = itertools.count(1)


def add_user(registry: Registry, name: str, role: str, **scope: Any) -> tuple[str, str]:
    """(user id, token) of a new user, added as the CLI adds one."""
    token = new_token()
    result = registry.execute(
        c.AddUser(name=name, role=role, token_sha256=token_sha256(token), **scope), INSTALLER
    )
    return str(result.aggregate_id), token


class ApiWorld:
    """A municipality with two schools (A and B) and one user of every role.

    Requests go through the ASGI app in process, or with `served=True` over a real socket to a
    uvicorn server on 127.0.0.1 (the way a deployment is reached).
    """

    def __init__(self, registry: Registry, *, served: bool = False):
        self.registry = registry
        self.app = create_app(registry)
        self._server: LocalServer | None = None
        if served:
            self._server = LocalServer(self.app)
            self.client: Any = httpx.Client(base_url=self._server.url, timeout=30)
        else:
            self.client = TestClient(self.app, raise_server_exceptions=False)
            self.client.__enter__()  # one event-loop portal for all requests, not one per request
        self.tokens: dict[str, str] = {}
        self.user_ids: dict[str, str] = {}
        self._add("admin", "Администратор ИРО", "admin")
        self.region = Region(registry, admin=Actor(user_id=self.user_ids["admin"], role=Role.ADMIN))
        self.region.region_unit(REGION_CODE, "Хабаровский край")  # once per store; municipalities name its code
        self.municipality_id = self.municipality()
        self.org_a = self.organization("Школа № 1")
        self.org_b = self.organization("Школа № 2")
        self._add("municipal", "Координатор района", "municipal", municipality_id=self.municipality_id)
        self._add("curator", "Куратор школы № 1", "curator", organization_id=self.org_a)
        self._add("curator_other", "Куратор школы № 2", "curator", organization_id=self.org_b)
        self._add("auditor", "Аудитор", "auditor")

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        if self._server is not None:
            self._server.stop()

    def _add(self, key: str, name: str, role: str, **scope: Any) -> None:
        self.user_ids[key], self.tokens[key] = add_user(self.registry, name, role, **scope)

    # -- requests ---------------------------------------------------------------------------

    def headers(self, as_: str | None, key: str | None = None) -> dict[str, str]:
        headers = {}
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.tokens.get(as_, as_)}"
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def post(
        self, path: str, body: Any = None, *, as_: str | None = "admin", key: str | None = None
    ) -> httpx.Response:
        return self.client.post(API + path, json=body, headers=self.headers(as_, key))

    def get(self, path: str, *, as_: str | None = "auditor", **params: Any) -> httpx.Response:
        return self.client.get(API + path, params=params, headers=self.headers(as_))

    def write(self, path: str, body: Any = None, *, as_: str = "admin") -> dict[str, Any]:
        """A write that must succeed; its response body."""
        response = self.post(path, body, as_=as_)
        assert response.status_code in (200, 201), (path, response.status_code, response.text)
        return dict(response.json())

    def created(self, path: str, body: Any, *, as_: str = "admin") -> str:
        return str(self.write(path, body, as_=as_)["aggregate_id"])

    # -- builders (each makes a new one; units through the region builder, the rest over HTTP) --

    def municipality(self) -> str:
        return str(self.region.municipality(f"Район {next(_serial)}", region=REGION_CODE))

    def organization(self, name: str | None = None, kind: str = "school", *, municipality_id: str | None = None) -> str:
        """An organization of the world's municipality (or of `municipality_id`)."""
        return str(
            self.region.organization(
                kind,
                municipality_id=UUID(municipality_id or self.municipality_id),
                name=name or f"Школа № {next(_serial) + 100}",
                registered_on=date(2019, 9, 1),
            )
        )

    def mentor(self, org: str, *, approve: bool = True, capacity: int | None = 3, as_: str = "admin") -> str:
        mentor_id = self.created(
            "/mentors",
            {
                "organization_id": org,
                "person": {"full_name": f"Иванова Мария {next(_serial)}"},
                "profile": {
                    "position": "учитель математики",
                    "mentor_type": "teacher",
                    "forms": ["pupil_pupil", "teacher_teacher"],
                    "subjects": ["математика"],
                },
                "capacity": capacity,
                "applied_on": "2020-09-01",
            },
            as_=as_,
        )
        if approve:
            self.write(f"/mentors/{mentor_id}/approve", {"effective_date": "2020-09-15"})
        return mentor_id

    def mentee(self, org: str, *, as_: str = "admin") -> str:
        return self.created(
            "/mentees",
            {
                "organization_id": org,
                "category": "pupil",
                "person": {"full_name": f"Сидоров Семён {next(_serial)}"},
                "birth_year": 2008,
                "registered_on": "2020-09-01",
            },
            as_=as_,
        )

    def pair(self, org: str, mentor: str | None = None, mentees: list[str] | None = None) -> str:
        return self.created(
            "/pairs",
            {
                "organization_id": org,
                "mentor_id": mentor or self.mentor(org),
                "mentee_ids": mentees or [self.mentee(org)],
                "form": "pupil_pupil",
                "started_on": "2020-10-01",
            },
        )

    def program(self, org: str) -> str:
        return self.created(
            "/programs",
            {"organization_id": org, "title": "Программа «Шаг вперёд»", "starts_on": "2020-09-01"},
        )

    def training(self, mentor: str) -> str:
        result = self.write(
            f"/mentors/{mentor}/trainings",
            {"course": "Наставничество в ОО", "provider": "ХК ИРО", "hours": 36, "completed_on": "2021-03-01"},
        )
        return str(result["item_id"])

    def output(self, program: str) -> str:
        result = self.write(
            f"/programs/{program}/outputs",
            {"kind": "project", "title": "Проект «Школьный музей»", "produced_on": "2021-04-01"},
        )
        return str(result["item_id"])

    def user(self) -> str:
        user_id, _ = add_user(self.registry, f"Пользователь {next(_serial)}", "auditor")
        return user_id

    # -- reading ---------------------------------------------------------------------------

    def position(self) -> int:
        return self.registry.position()

    def history(self, aggregate_id: str | UUID) -> list[Any]:
        return list(self.registry.history(UUID(str(aggregate_id))))


class LocalServer:
    """The app served by uvicorn in a thread on a free loopback port, until `stop()`."""

    def __init__(self, app: Any):
        import socket
        import threading
        import time

        import uvicorn

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


World = TypeVar("World", bound=ApiWorld)


def open_world(registry: Registry, kind: type[World] = ApiWorld, **options: Any) -> Iterator[World]:  # type: ignore[assignment]
    """Body of a `world` fixture: a world of this kind (ApiWorld, StaffWorld, OversightWorld) over
    the registry, closed afterwards.

        @pytest.fixture
        def world(registry):
            yield from open_world(registry, StaffWorld)
    """
    world = kind(registry, **options)
    try:
        yield world
    finally:
        world.close()
