"""The HTTP application: health for now; the API issue adds /api/v1 and the public page."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel

from registry.application import Registry


class Health(BaseModel):
    status: str
    position: int


def create_app(registry: Registry) -> FastAPI:
    """A FastAPI app over one registry object (one per process: it owns the connection pool)."""
    app = FastAPI(title="Реестр наставников", version="0.1.0")
    app.state.registry = registry

    @app.get("/healthz", response_model=Health)
    def healthz() -> Health:
        # A plain `def`: the event store is synchronous, so FastAPI runs this in its thread pool.
        return Health(status="ok", position=registry.position())

    return app
