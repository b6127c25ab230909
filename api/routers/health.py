"""`/healthz` (the database answers, and what needs a human) and `/metrics` (Prometheus text
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


@router.get("/metrics", response_class=PlainTextResponse, responses=documented(401))
def metrics(request: Request, warroom: WarroomDep) -> PlainTextResponse:
    if not warroom.settings.public_metrics:
        require_token(request, warroom)
    return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)
