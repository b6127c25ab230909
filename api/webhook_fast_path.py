"""`WebhookFastPath`: a webhook delivery answered without FastAPI's routing and dependencies.

Profiled under a storm, routing, middleware and dependency solving were a fifth of the API
process's time per delivery (bench/README.md, "What bounds it"), as much as writing the alert.
Pure ASGI, inside `BodyLimit` and ahead of the router, it reads the body and hands it to the same
`deliver` the route calls, so both answer alike; anything it does not know (another method, an
unknown source, `/api/alerts` with its token dependency) goes on to the router unchanged.
"""

from __future__ import annotations

import time

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.composition import Warroom
from api.routers.webhooks import SOURCES, deliver

__all__ = ["WebhookFastPath"]

PREFIX = "/webhooks/"


class WebhookFastPath:
    def __init__(self, app: ASGIApp, warroom: Warroom) -> None:
        self.app = app
        self.warroom = warroom

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        known = SOURCES.get(path[len(PREFIX) :]) if path.startswith(PREFIX) else None
        if known is None or scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        source = path[len(PREFIX) :]
        module, secret_of = known
        try:
            body = await _body(receive)
        except HTTPException as exc:  # `BodyLimit` stopped the read: its 413, as the router answers it
            await JSONResponse({"detail": exc.detail}, status_code=exc.status_code)(scope, receive, send)
            return
        if body is None:
            return  # the client went away before sending the whole body: nothing to store or answer
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        response = await deliver(source, module, secret_of(self.warroom.settings), body, headers, self.warroom, started)
        await response(scope, receive, send)


async def _body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
