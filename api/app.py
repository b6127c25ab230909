"""The FastAPI application: routers, error shapes, and the worker's life in the server process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.composition import Warroom
from api.errors import action_error_response
from api.routers import (
    action_items,
    alerts,
    approvals,
    findings,
    health,
    incidents,
    postmortems,
    slack,
    status_page,
    web,
    webhooks,
)
from warroom.errors import ActionError

__all__ = ["create_app"]


def create_app(warroom: Warroom, *, run_worker: bool = True) -> FastAPI:
    """`run_worker=False` leaves the scheduler to the caller (tests drive it with a FakeClock)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if run_worker:
            warroom.scheduler.start()
        try:
            yield
        finally:
            warroom.scheduler.stop()

    app = FastAPI(title="warroom", version="0.1.0", lifespan=lifespan)
    app.state.warroom = warroom
    for module in (
        webhooks,
        alerts,
        incidents,
        findings,
        approvals,
        postmortems,
        action_items,
        slack,
        status_page,
        health,
        web,
    ):
        app.include_router(module.router)

    app.add_exception_handler(ActionError, action_error_response)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "message": e["msg"]} for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        return JSONResponse({"detail": f"{first['field']}: {first['message']}", "errors": errors}, status_code=422)

    return app
