"""The FastAPI application: routers, error shapes, and the worker's life in the server process."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp

from api.body_limit import BodyLimit
from api.composition import Warroom
from api.errors import Problem, install_error_handlers
from api.openapi import openapi_document
from api.routers import (
    action_items,
    alerts,
    approvals,
    dead_letters,
    digest,
    docs,
    findings,
    health,
    incidents,
    postmortems,
    slack,
    status_page,
    status_subscriptions,
    webhooks,
)
from api.routers.web import action_items as web_action_items
from api.routers.web import attention as web_attention
from api.routers.web import digest as web_digest
from api.routers.web import incidents as web_incidents
from api.routers.web import postmortem as web_postmortem
from api.routers.web import sign_in as web_sign_in
from api.status_cache import StatusFastPath
from api.webhook_fast_path import WebhookFastPath
from tools.webhooks.generic import GenericAlertIn

__all__ = ["create_app", "health_app"]


class _Fronted(FastAPI):
    """FastAPI with pure ASGI steps in front of its own middleware: the status page's readers
    and the webhooks' senders, the two surges, are answered before the error, telemetry and
    body-limit layers FastAPI puts around every request (5 % of a delivery's time, py-spy; a
    failure there is still a logged 500, from uvicorn). `BodyLimit` is the first step, so it
    still bounds every request."""

    front: Callable[[ASGIApp], ASGIApp] = staticmethod(lambda inner: inner)

    def build_middleware_stack(self) -> ASGIApp:
        return self.front(super().build_middleware_stack())


def create_app(warroom: Warroom, *, run_worker: bool = True) -> FastAPI:
    """`run_worker=False` leaves the scheduler to the caller (tests drive it with a FakeClock)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if run_worker:
            warroom.scheduler.start()
        # What start-up built (~290,000 objects: modules, schemas, the app) lives as long as the
        # server: frozen, the collector stops rescanning it in every full collection, which cost
        # a third of a busy digest's time (341 -> 220 ms measured) and pauses every request.
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            warroom.scheduler.stop()

    app = _Fronted(
        title="warroom",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # warroom reports through `/metrics` and Sentry; FastAPI's OpenTelemetry, unused, asked
        # the global providers on every request (2.5 % of a delivery's time, py-spy).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.front = lambda inner: StatusFastPath(
        BodyLimit(WebhookFastPath(inner, warroom=warroom), limit=warroom.settings.max_body_bytes),
        cache=warroom.status_cache,
    )
    app.state.warroom = warroom
    routers = (
        webhooks,
        alerts,
        incidents,
        findings,
        approvals,
        postmortems,
        action_items,
        digest,
        dead_letters,
        slack,
        status_page,
        status_subscriptions,
        health,
        docs,
        web_sign_in,
        web_incidents,
        web_postmortem,
        web_attention,
        web_digest,
        web_action_items,
    )
    for module in routers:
        app.include_router(module.router)
    install_error_handlers(app)

    def openapi() -> dict[str, Any]:
        return openapi_document(app, (Problem, GenericAlertIn))

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def health_app(warroom: Warroom) -> FastAPI:
    """`/healthz`, `/readyz` and `/metrics` alone: what `warroom worker --health-port` serves, so a
    supervisor can see a worker whose scheduler stalled."""
    app = FastAPI(title="warroom worker", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.warroom = warroom
    app.include_router(health.router)
    install_error_handlers(app)
    return app
