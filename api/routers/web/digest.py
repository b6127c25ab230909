"""The web UI's `/digest`: the weekly engineering digest of a week, with the weeks around it."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import WarroomDep
from api.routers.digest import Month, Week, digest_for, trend_for
from api.routers.web.charts import TREND_CHARTS, trend_svg
from api.routers.web.render import SECURITY_HEADERS, render
from api.web_sessions import SessionDep
from flows.tickets import last_week

__all__ = ["router"]

router = APIRouter(tags=["web"], include_in_schema=False)


def _shift(week: str, weeks: int) -> str:
    from agents.coo.digest import week_window

    start, _ = week_window(week)
    year, number, _ = (start + timedelta(weeks=weeks)).isocalendar()
    return f"{year}-W{number:02d}"


@router.get("/digest", response_class=HTMLResponse)
def digest_page(request: Request, warroom: WarroomDep, session: SessionDep, week: Week = None) -> HTMLResponse:
    label = week or last_week(warroom.clock.now())
    found = digest_for(warroom, label, None)
    return render(
        request,
        "digest.html",
        {
            "digest": found,
            "previous": _shift(label, -1),
            "next": _shift(label, 1),
            "csrf": session.csrf,
            "charts": TREND_CHARTS,
        },
    )


@router.get("/digest.md")
def digest_markdown(warroom: WarroomDep, _: SessionDep, week: Week = None, month: Month = None) -> Response:
    """The week's digest (or a month's report) as a Markdown file, for a signed-in browser (the API
    wants the token)."""
    label = week or last_week(warroom.clock.now())
    found = digest_for(warroom, label, None, month)
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="digest-{found.label}.md"'}
    return Response(found.markdown, media_type="text/markdown; charset=utf-8", headers=headers)


@router.get("/digest/trend.svg")
def digest_trend_chart(
    warroom: WarroomDep,
    _: SessionDep,
    chart: Literal["incidents", "resolve", "items"],
    week: Week = None,
) -> Response:
    """The twelve weeks up to `week` as one of the digest's trend charts (an image: nothing in it runs)."""
    svg = trend_svg(trend_for(warroom, week, 12), chart)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
