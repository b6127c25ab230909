"""Running the app under uvicorn, in the foreground (`warroom serve`) or in a thread (demo, bench)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from api.app import create_app
from api.composition import Warroom

__all__ = ["free_port", "serve_app_in_thread", "serve_in_thread"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_app_in_thread(app: ASGIApp, *, port: int | None = None, name: str = "warroom-http") -> Iterator[str]:
    """Any ASGI app under uvicorn on loopback; yields its base URL and stops it on exit."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the {name} server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def serve_in_thread(warroom: Warroom, *, port: int | None = None, run_worker: bool = True) -> Iterator[str]:
    """Start the real warroom HTTP server on loopback; yields its base URL and stops it on exit."""
    with serve_app_in_thread(create_app(warroom, run_worker=run_worker), port=port) as url:
        yield url
