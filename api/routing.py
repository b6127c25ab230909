"""`UntrustedJSONRoute`: the route class of every router, so every JSON body FastAPI reads goes
through `warroom.untrusted.parse_json` (depth limit, NUL and lone surrogates gone, finite
numbers) before a model sees it, and a body that cannot be read is a 400 saying why.

Routes that read their body raw (webhooks, Slack) call `parse_json` themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import HTTPException, Request, Response, status
from fastapi.routing import APIRoute

from warroom.untrusted import MalformedJSON, parse_json

__all__ = ["UntrustedJSONRoute"]


class _UntrustedJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                self._json = parse_json(await self.body())
            except MalformedJSON as exc:
                raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
        return self._json


class UntrustedJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def untrusted_json(request: Request) -> Response:
            return await handler(_UntrustedJSONRequest(request.scope, request.receive))

        return untrusted_json
