"""`POST /api/alerts`: a normalised alert from anything that has no webhook module of its own."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from api.deps import WarroomDep
from api.routers.webhooks import handle_delivery
from tools.webhooks import generic
from warroom.alerts.models import IngestResult

__all__ = ["router"]

router = APIRouter(tags=["alerts"])


@router.post(
    "/api/alerts",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=IngestResult,
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": generic.GenericAlertIn.model_json_schema()}}}
    },
)
async def post_alert(request: Request, warroom: WarroomDep) -> JSONResponse:
    return await handle_delivery("api", generic, warroom.api_token, request, warroom)
