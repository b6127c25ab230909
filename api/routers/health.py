"""`/healthz` (the database answers, and what needs a human), `/readyz` (the scheduler and the
outbox are moving) and `/metrics` (Prometheus text
format: what arrives, from which source, how it ended; behind the API token unless
`WARROOM_PUBLIC_METRICS` is set)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from api.deps import WarroomDep, require_token
from api.errors import documented
from warroom.attention import Attention, attention
from warroom.queue_health import QueueHealth, queue_health

__all__ = ["router"]

router = APIRouter(tags=["health"])


class Health(Attention):
    status: Literal["ok", "attention"]
    """`attention` while work gave up or a send's outcome is unknown; the process itself is
    fine (200): restarting it would not help, a human would."""


@router.get("/healthz", response_model=Health, responses=documented(503))
def healthz(warroom: WarroomDep) -> Health:
    try:
        with warroom.engine.connect() as conn:
            found = attention(conn)
    except SQLAlchemyError as exc:
        raise HTTPException(503, f"database unavailable: {type(exc).__name__}") from exc
    return Health(status="ok" if found.clear else "attention", **found.model_dump())


class Readiness(QueueHealth):
    status: Literal["ready"]


@router.get("/readyz", response_model=Readiness, responses=documented(503))
def readyz(warroom: WarroomDep) -> Readiness:
    """503 while the scheduler is stalled or the outbox stuck: nothing would be posted or paged.
    Run it against the process that runs the scheduler (`serve`, or `worker --health-port`)."""
    try:
        with warroom.engine.connect() as conn:
            health = queue_health(conn, warroom.clock.now())
    except SQLAlchemyError as exc:
        raise HTTPException(503, f"database unavailable: {type(exc).__name__}") from exc
    if health.problems:
        raise HTTPException(503, "; ".join(health.problems))
    return Readiness(status="ready", **health.model_dump())


def _queue_metrics(health: QueueHealth) -> bytes:
    lines = []
    for name, value, what in (
        ("warroom_jobs_pending", health.jobs_pending, "Scheduled jobs not yet done"),
        ("warroom_jobs_failed", health.jobs_failed, "Jobs that gave up and wait for a human"),
        ("warroom_scheduler_lag_seconds", health.scheduler_lag_seconds, "How long the oldest due job has waited"),
        ("warroom_outbox_pending", health.outbox_pending, "Sends not yet made"),
        ("warroom_outbox_failed", health.outbox_failed, "Sends that gave up and wait for a human"),
        (
            "warroom_outbox_oldest_due_seconds",
            health.outbox_oldest_due_seconds,
            "How long the oldest due send has waited",
        ),
    ):
        lines += [f"# HELP {name} {what}", f"# TYPE {name} gauge", f"{name} {float(value)}"]
    return ("\n".join(lines) + "\n").encode()


@router.get("/metrics", response_class=PlainTextResponse, responses=documented(401))
def metrics(request: Request, warroom: WarroomDep) -> PlainTextResponse:
    if not warroom.settings.public_metrics:
        require_token(request, warroom)
    with warroom.engine.connect() as conn:
        health = queue_health(conn, warroom.clock.now())
    return PlainTextResponse(generate_latest() + _queue_metrics(health), media_type=CONTENT_TYPE_LATEST)
