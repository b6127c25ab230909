"""Answering with a page: the templates (only http(s) URLs become links), the security headers
every page carries, redirects, form texts, and a browser's plain post told from an htmx request."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from agents.cto.status_posts import headline
from flows import needs_you
from warroom.untrusted import clean_text, http_url

__all__ = ["API_DIR", "SECURITY_HEADERS", "form_text", "htmx", "render", "see", "templates"]

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
API_DIR = Path(__file__).resolve().parent.parent.parent
templates = Jinja2Templates(directory=API_DIR / "templates")
templates.env.filters["when"] = lambda at: at.strftime("%Y-%m-%d %H:%M:%S UTC") if isinstance(at, datetime) else ""


def _ago(at: object) -> Markup:
    """A moment a responder reads as "3 min ago" (the viewer's local time on hover; `countdown.js`
    writes both), with UTC as the text until the script runs or where it cannot."""
    if not isinstance(at, datetime):
        return Markup("")
    utc = at.strftime("%Y-%m-%d %H:%M:%S UTC")
    iso = at.isoformat() if at.tzinfo else f"{at.isoformat()}+00:00"  # stored times are UTC
    return Markup('<time datetime="{}" data-relative title="{}">{}</time>').format(iso, utc, utc)


def _stamp(at: object) -> Markup:
    """A moment in a list a person scans, "14:05 UTC, 3 Dec"; the full time with its year on hover."""
    if not isinstance(at, datetime):
        return Markup("")
    iso = at.isoformat() if at.tzinfo else f"{at.isoformat()}+00:00"  # stored times are UTC
    full = at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(iso, full, f"{at:%H:%M} UTC, {at.day} {at:%b}")


templates.env.filters["ago"] = _ago
templates.env.filters["stamp"] = _stamp
templates.env.filters["http_url"] = http_url
templates.env.filters["headline"] = headline


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    if not name.startswith("_") and "csrf" in context and "waiting_count" not in context:
        # a whole page for a signed-in person: the header's count (pages that read the asks pass it)
        context = {**context, "waiting_count": _waiting_count(request)}
    session = getattr(request.state, "session", None)
    if "csrf" in context and session is not None and session.user and "me" not in context:
        context = {**context, "me": session.user + (" (viewer)" if session.role == "viewer" else "")}
    response = templates.TemplateResponse(request, f"web/{name}", context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def _waiting_count(request: Request) -> int:
    """Drafts waiting for a decision across open incidents (the header's "Approvals (n)")."""
    warroom = getattr(request.app.state, "warroom", None)
    if warroom is None:
        return 0
    with warroom.engine.connect() as conn:
        return sum(len(n.waiting) for n in needs_you.open_needs(conn, warroom.settings))


def see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def form_text(value: str) -> str:
    """Browsers submit textareas with CRLF line ends; the stored texts use LF (and no NUL): form
    texts are normalised like every other input."""
    return clean_text(value).replace("\r\n", "\n")


def htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
