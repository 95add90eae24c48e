"""The app of one `reestr serve` process, built from the settings: uvicorn's factory when the
server runs several processes (`reestr serve --workers N`), each with its own connections.

Each process catches the shared views up from the log at start and after its own writes (the
projector's claim on the tracking row lets only one apply a batch; the others read it), and the
Merkle tree the same way (its head row is locked while a leaf is added).
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from fastapi import FastAPI


def _uvicorn_protocol() -> Any:
    """The protocol uvicorn's "auto" picks: httptools when installed, else h11."""
    try:
        import httptools  # noqa: F401
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        return HttpToolsProtocol
    except ImportError:
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol


class NoDelayHTTP(_uvicorn_protocol()):  # type: ignore[misc]
    """uvicorn's HTTP protocol with TCP_NODELAY on every connection.

    With `--workers` uvicorn binds the socket itself (protocol number 0), and asyncio sets
    TCP_NODELAY only on sockets it knows to be TCP: a response written in two parts (head, body)
    then waits for the client's delayed ACK — a fixed ~40 ms on every request.
    """

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[arg-type]


def worker_app() -> FastAPI:
    from ops.bootstrap import web_app
    from ops.runtime import load_settings, registry_from_settings

    settings = load_settings()
    return web_app(registry_from_settings(settings), settings)


__all__ = ["NoDelayHTTP", "worker_app"]
