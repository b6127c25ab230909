"""`POST /api/alerts`: a normalised alert from anything that has no webhook module of its own;
`GET /api/ignored-deliveries`: what was received but not turned into an alert, and why."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse

from api.deps import Authorized, WarroomDep
from api.errors import documented
from api.openapi import REF_TEMPLATE
from api.routers.webhooks import INGEST_REFUSALS, handle_delivery
from tools.webhooks import generic
from warroom.alerts.ignored import IgnoredDelivery, recent_ignored
from warroom.alerts.models import IngestResult

__all__ = ["router"]

router = APIRouter(tags=["alerts"])


@router.post(
    "/api/alerts",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=IngestResult,
    responses=INGEST_REFUSALS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="GenericAlertIn")}}},
        }
    },
)
async def post_alert(request: Request, warroom: WarroomDep) -> JSONResponse:
    return await handle_delivery("api", generic, warroom.api_token, request, warroom)


@router.get("/api/ignored-deliveries", response_model=list[IgnoredDelivery], responses=documented(401, 422))
def ignored_deliveries(
    warroom: WarroomDep,
    _: Authorized,
    source: str | None = None,
    quarantined: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[IgnoredDelivery]:
    """Authentic deliveries that became no alert, newest first, with the reason why: ignored
    (read, and not an alert) or quarantined (could not be read or normalised)."""
    with warroom.engine.connect() as conn:
        return recent_ignored(conn, source=source, quarantined=quarantined, limit=limit)
