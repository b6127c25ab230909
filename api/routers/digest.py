"""`/api/digest`: the weekly engineering digest of an ISO week (default: the week just ended), or
of the last `days` days; JSON, or Markdown with `format=markdown`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import PlainTextResponse

from agents.coo.digest import Digest
from agents.coo.trends import Trend
from api.deps import Authorized, WarroomDep
from api.errors import documented
from flows.tickets import build_digest, build_trend

__all__ = ["digest_for", "router", "trend_for"]

router = APIRouter(tags=["action items"], responses=documented(401, 404, 422))

Week = Annotated[str | None, Query(pattern=r"^\d{4}-W\d{2}$", description="an ISO week, e.g. 2026-W48")]
Month = Annotated[
    str | None, Query(pattern=r"^\d{4}-\d{2}$", description="a calendar month, e.g. 2026-11: the monthly report")
]
Days = Annotated[
    int | None, Query(ge=1, le=366, description="instead of a week: the last N days up to now (wins over `week`)")
]


def digest_for(warroom: WarroomDep, week: str | None, days: int | None, month: str | None = None) -> Digest:
    """A well-formed week or month no calendar has (2026-W60, W53 of a 52-week year, 2026-13) is a
    404 naming it."""
    try:
        return build_digest(warroom.context, week=None if days or month else week, days=days, month=month)
    except ValueError as exc:
        asked = f"month {month!r}" if month else f"week {week!r}"
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{asked} does not exist") from exc


@router.get("/api/digest", response_model=Digest, responses={200: {"content": {"text/markdown": {}}}})
def digest(
    warroom: WarroomDep,
    _: Authorized,
    week: Week = None,
    days: Days = None,
    month: Month = None,
    format: Literal["json", "markdown"] = "json",  # noqa: A002 (the query parameter's public name)
) -> Digest | PlainTextResponse:
    """The weekly digest of `week`, the monthly report of `month` (wins over `week`), or the last `days`."""
    found = digest_for(warroom, week, days, month)
    if format == "markdown":
        return PlainTextResponse(found.markdown, media_type="text/markdown; charset=utf-8")
    return found


def trend_for(warroom: WarroomDep, week: str | None, weeks: int) -> Trend:
    try:
        return build_trend(warroom.context, weeks=weeks, week=week)
    except ValueError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"week {week!r} does not exist") from exc


@router.get("/api/digest/trend", response_model=Trend)
def digest_trend(
    warroom: WarroomDep,
    _: Authorized,
    week: Week = None,
    weeks: Annotated[int, Query(ge=2, le=52, description="how many weeks, ending with `week`")] = 12,
) -> Trend:
    """Incidents per week by severity, median time to resolve, action items open vs closed at each
    week's end: the digest's own figures, week by week."""
    return trend_for(warroom, week, weeks)
