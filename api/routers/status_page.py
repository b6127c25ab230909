"""The public built-in status page: `/status` (HTML) and `/status.json`. No auth: it is public."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import WarroomDep
from warroom.status_page.models import StatusSummary
from warroom.status_page.store import summary

__all__ = ["router", "templates"]

router = APIRouter(tags=["status page"])
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")


def _summary(warroom: WarroomDep) -> StatusSummary:
    with warroom.engine.connect() as conn:
        return summary(conn, name=warroom.settings.status_page_name, now=warroom.clock.now())


@router.get("/status.json", response_model=StatusSummary)
def status_json(warroom: WarroomDep) -> StatusSummary:
    return _summary(warroom)


@router.get("/status", response_class=HTMLResponse)
def status_html(request: Request, warroom: WarroomDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "status.html", {"page": _summary(warroom)})
