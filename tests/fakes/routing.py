"""One httpx transport standing in for the internet: requests go to the fake for their host."""

from __future__ import annotations

import httpx

__all__ = ["RoutingTransport"]


class RoutingTransport(httpx.BaseTransport):
    def __init__(self, routes: dict[str, httpx.BaseTransport]) -> None:
        self.routes = routes

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        transport = self.routes.get(request.url.host)
        if transport is None:
            raise AssertionError(f"unexpected request to {request.url.host}: nothing external may be called")
        return transport.handle_request(request)
