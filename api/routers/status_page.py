"""The public built-in status page: `/status` (HTML), `/status.json` and `/status/feed.atom`. No
auth: it is public. Each is rendered once per change of the page (`api.status_cache`) and served
with validators, so a refresh surge during an outage costs one small query per request and a
conditional GET is answered 304."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from agents.cto.status_posts import headline
from api.deps import WarroomDep
from api.status_cache import Rendered, atom_feed, conditional, last_modified
from warroom.durations import spell_duration
from warroom.status_page.models import StatusSummary
from warroom.status_page.store import summary, version
from warroom.status_page.uptime import day_cells, outages_of

__all__ = ["router", "templates"]

Render = Callable[[StatusSummary, datetime], tuple[bytes, str]]
"""One form of the page, from its summary at a moment."""

router = APIRouter(tags=["status page"])
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
templates.env.filters["headline"] = headline  # the one-click approval page names what broke
templates.env.filters["impact"] = lambda impact: IMPACT_LABELS.get(impact, impact)
templates.env.filters["percent"] = lambda p: "100%" if p >= 100 else f"{p:.2f}%"
templates.env.filters["duration"] = lambda delta: (
    spell_duration(delta, ("day", "hour", "minute")) if delta.total_seconds() >= 30 else "less than a minute"
)
HISTORY_DAYS = 90
"""The uptime bars' days."""
LISTED_DAYS = 15
"""Past incidents listed with their updates, as Atlassian Statuspage lists them."""
IMPACT_LABELS = {"none": "No impact", "minor": "Minor impact", "major": "Major impact", "critical": "Critical impact"}


def moment(at: datetime) -> Markup:
    """A moment in UTC as text (right without script), marked for `status-time.js` to show in the
    viewer's own time."""
    utc = at.astimezone(UTC)
    return Markup('<time datetime="{}">{}</time>').format(utc.isoformat(), f"{utc.day} {utc:%b %Y, %H:%M} UTC")


templates.env.filters["moment"] = moment


def _rendered(warroom: WarroomDep, form: str, render: Render) -> Rendered:
    """The cached rendering while the page is unchanged, for ten minutes at most: resolved incidents
    leave the page after `history_days`, and an ongoing one's minutes grow on the uptime bars."""
    now = warroom.clock.now()
    settings = warroom.settings

    def key() -> tuple[object, ...]:
        with warroom.engine.connect() as conn:
            return (
                settings.status_page_title,
                settings.status_page_logo_url,
                settings.public_url,
                version(conn),
                now.replace(minute=now.minute - now.minute % 10, second=0, microsecond=0),
            )

    def build() -> tuple[bytes, str, datetime]:
        with warroom.engine.connect() as conn:
            page = summary(
                conn,
                name=settings.status_page_title,
                now=now,
                logo_url=settings.status_page_logo_url,
                configured_components=settings.services,
                history_days=HISTORY_DAYS,
                listed_days=LISTED_DAYS,
            )
        body, media_type = render(page, now)
        return body, media_type, last_modified(page, now)

    return warroom.status_cache.check(form, key, build)


async def _serve(request: Request, warroom: WarroomDep, form: str, render: Render) -> Response:
    """Reached when `StatusFastPath` had no rendering to serve from memory (none yet, a post
    dropped it, or this request is the one checking after a second): the database is asked (off
    the event loop) whether the page changed, and the page rebuilt only if it did."""
    return conditional(request, await run_in_threadpool(_rendered, warroom, form, render))


def _json(page: StatusSummary, now: datetime) -> tuple[bytes, str]:
    return page.model_dump_json().encode(), "application/json"


def _html(page: StatusSummary, now: datetime) -> tuple[bytes, str]:
    incidents = page.history or [*page.active_incidents, *page.recent_incidents]
    bars = {
        c.name: day_cells(outages_of(incidents, c.name), now=now, first_record=page.first_record, days=HISTORY_DAYS)
        for c in page.components
    }
    html = templates.get_template("status.html").render(
        page=page, history_days=HISTORY_DAYS, listed_days=LISTED_DAYS, bars=bars
    )
    return html.encode(), "text/html; charset=utf-8"


@router.get("/status.json", response_model=StatusSummary)
async def status_json(request: Request, warroom: WarroomDep) -> Response:
    return await _serve(request, warroom, "json", _json)


@router.get("/status", response_class=Response)
async def status_html(request: Request, warroom: WarroomDep) -> Response:
    return await _serve(request, warroom, "html", _html)


@router.get("/status/feed.atom", response_class=Response)
async def status_feed(request: Request, warroom: WarroomDep) -> Response:
    base = warroom.settings.public_url.rstrip("/")

    def atom(page: StatusSummary, now: datetime) -> tuple[bytes, str]:
        return atom_feed(page, base, now), "application/atom+xml"

    return await _serve(request, warroom, "atom", atom)
