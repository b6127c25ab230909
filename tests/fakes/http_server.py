"""Serves an in-process fake (`handle(httpx.Request) -> httpx.Response`) on a loopback port, so a
warroom running in another process reaches it over real HTTP.

`after` sees each request with the fake's answer before that answer is written back: the crash
suite uses it to kill warroom while a request it made has reached the provider but the answer
has not reached warroom (the worst moment for a send).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

__all__ = ["ServedFake"]

Hook = Callable[[httpx.Request, httpx.Response], None]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client killed mid-request (the crash suite's purpose) is not an error of the fake."""


class ServedFake:
    def __init__(self, handle: Callable[[httpx.Request], httpx.Response]) -> None:
        self._handle = handle
        self._lock = threading.Lock()
        self.after: Hook | None = None
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def handle(self, request: httpx.Request) -> httpx.Response:
        """One request at a time, as the fakes keep plain lists and dicts."""
        with self._lock:
            response = self._handle(request)
            response.read()
            if self.after is not None:
                self.after(request, response)
        return response

    def start(self) -> ServedFake:
        served = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                request = httpx.Request(
                    self.command, f"{served.base_url}{self.path}", headers=dict(self.headers.items()), content=raw
                )
                response = served.handle(request)
                body = response.content
                self.send_response(response.status_code)
                for key, value in response.headers.items():
                    if key.lower() not in {"content-length", "transfer-encoding", "connection", "content-encoding"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
