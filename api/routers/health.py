"""`/healthz` (the database answers) and `/metrics` (Prometheus text format: what arrives, from
which source, how it ended; behind the API token unless `WARROOM_PUBLIC_METRICS` is set)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import WarroomDep, require_token
from api.errors import documented

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz", responses=documented(503))
def healthz(warroom: WarroomDep) -> dict[str, str]:
    try:
        with warroom.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise HTTPException(503, f"database unavailable: {type(exc).__name__}") from exc
    return {"status": "ok"}


@router.get("/metrics", response_class=PlainTextResponse, responses=documented(401))
def metrics(request: Request, warroom: WarroomDep) -> PlainTextResponse:
    if not warroom.settings.public_metrics:
        require_token(request, warroom)
    return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)
