"""`BodyLimit`: no route reads more than `limit` bytes of a request body.

A declared `Content-Length` over the limit is answered 413 before the app runs; a body that
grows past it while streaming (chunked, or a lying length) stops the read with the same 413.
Both are a `Problem` in JSON, which Starlette's own limiter (plain text once a length is
declared) would not give. Pure ASGI, so ingest pays a header lookup, not a middleware stack.
"""

from __future__ import annotations

from fastapi import HTTPException, status
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit"]


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.message = f"the request body is over {limit} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((value for name, value in scope["headers"] if name == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await JSONResponse({"detail": self.message}, status_code=status.HTTP_413_CONTENT_TOO_LARGE)(
                scope, receive, send
            )
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, self.message)
            return message

        await self.app(scope, limited, send)
