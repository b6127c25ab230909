"""The public status page under a refresh surge: `/status`, `/status.json` and the Atom feed are
rendered once per change of the page (`status_page.store.version`) and day, not per request, and
carry `ETag`, `Last-Modified` and `Cache-Control` so browsers and proxies revalidate with a
conditional GET answered `304` without a body."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from xml.etree import ElementTree as ET

from fastapi import Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from warroom.status_page.models import StatusSummary

__all__ = ["FORMS", "Rendered", "StatusFastPath", "StatusPageCache", "atom_feed", "conditional"]

PAGE_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https: http:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""The HTML page's: its own script and form only; the logo may live on any http(s) host."""

MAX_AGE_SECONDS = 10
"""Short: customers refreshing during an outage must see a new post within seconds."""


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    media_type: str
    etag: str
    last_modified: datetime


@dataclass(slots=True)
class _Held:
    key: object
    rendered: Rendered
    checked: float
    """When the last check that confirmed `key` began (monotonic seconds)."""


class StatusPageCache:
    """One rendering per (page version, day, form); thread-safe, process-local.

    A rendering confirmed less than `recheck_seconds` ago is served without asking the database;
    this process's own page posts drop it at once (`invalidate`, from the outbox), and another
    process's (a separate `warroom worker`, whose nudge may be lost) show within `recheck_seconds`.
    When that time lapses during a surge, one request asks the database and the others keep
    being served the held rendering meanwhile, for `grace_seconds` at most: without that, every
    request in flight at the lapse queued for its own database check (a 100-200 ms stall of the
    whole page at 64 readers, `bench/README.md`)."""

    def __init__(
        self,
        recheck_seconds: float = 1.0,
        grace_seconds: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Held] = {}
        self._checking: dict[str, float] = {}
        self._checks: dict[str, threading.Lock] = {}
        self._generation = 0
        self._recheck = recheck_seconds
        self._grace = grace_seconds
        self._now = monotonic

    def recent(self, form: str) -> Rendered | None:
        """The rendering to serve without asking the database, or None: ask it (`check`; this
        caller is then the one checking, until its check ends or `grace_seconds` pass)."""
        now = self._now()
        with self._lock:
            held = self._entries.get(form)
            if held is None:
                return None
            if now - held.checked < self._recheck:
                return held.rendered
            since = self._checking.get(form)
            if since is not None and now - since < self._grace:
                return held.rendered
            self._checking[form] = now
            return None

    def invalidate(self) -> None:
        with self._lock:
            self._entries.clear()
            self._checking.clear()
            self._generation += 1

    def check(
        self, form: str, key_of: Callable[[], object], build: Callable[[], tuple[bytes, str, datetime]]
    ) -> Rendered:
        """Ask the database for the page's key (`key_of`) and rebuild only if it changed. One
        check per form at a time: a request that waited behind a check begun after it arrived
        takes that check's answer instead of asking again, so the surge after a post costs one
        query and one rendering, not one per request in flight. A rendering whose key was read
        before an `invalidate` is answered but not kept."""
        arrived = self._now()
        with self._lock:
            one_at_a_time = self._checks.setdefault(form, threading.Lock())
        with one_at_a_time:
            with self._lock:
                held = self._entries.get(form)
                if held is not None and held.checked >= arrived:
                    return held.rendered
                begun, generation = self._now(), self._generation
            key = key_of()
            with self._lock:
                held = self._entries.get(form)
                if held is not None and held.key == key:
                    held.checked = begun
                    self._checking.pop(form, None)
                    return held.rendered
            body, media_type, modified = build()
            rendered = Rendered(body, media_type, f'"{hashlib.sha256(body).hexdigest()[:32]}"', modified)
            with self._lock:
                if generation == self._generation:
                    self._entries[form] = _Held(key, rendered, begun)
                    self._checking.pop(form, None)
            return rendered


def last_modified(page: StatusSummary, fallback: datetime) -> datetime:
    moments = [c.updated_at for c in page.components if c.updated_at is not None] + [
        i.updated_at for i in (*page.active_incidents, *page.recent_incidents)
    ]
    return max(moments, default=fallback).astimezone(UTC).replace(microsecond=0)


FORMS = {"/status": "html", "/status.json": "json", "/status/feed.atom": "atom"}


class StatusFastPath:
    """Pure ASGI, ahead of the router: a GET of the public page whose rendering is fresh in the
    cache is answered from memory without routing or dependencies (the surge case); anything
    else goes on to the app, which checks and rebuilds."""

    def __init__(self, app: ASGIApp, cache: StatusPageCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        form = FORMS.get(scope.get("path", "")) if scope["type"] == "http" and scope.get("method") == "GET" else None
        rendered = self.cache.recent(form) if form else None
        if rendered is None:
            await self.app(scope, receive, send)
            return
        await conditional(Request(scope), rendered)(scope, receive, send)


def conditional(request: Request, rendered: Rendered) -> Response:
    """The rendering, or `304 Not Modified` when the client's copy is current."""
    headers = {
        "ETag": rendered.etag,
        "Last-Modified": format_datetime(rendered.last_modified, usegmt=True),
        "Cache-Control": f"public, max-age={MAX_AGE_SECONDS}",
        "X-Content-Type-Options": "nosniff",
    }
    if rendered.media_type.startswith("text/html"):
        headers["Content-Security-Policy"] = PAGE_CSP
    match = request.headers.get("if-none-match")
    if match is not None:
        if match.strip() == "*" or rendered.etag in [t.strip().removeprefix("W/") for t in match.split(",")]:
            return Response(status_code=304, headers=headers)
    elif (since := request.headers.get("if-modified-since")) is not None:
        try:
            if rendered.last_modified <= parsedate_to_datetime(since):
                return Response(status_code=304, headers=headers)
        except (TypeError, ValueError):
            pass  # an unreadable date is no condition
    return Response(content=rendered.body, media_type=rendered.media_type, headers=headers)


def atom_feed(page: StatusSummary, base_url: str, fallback: datetime) -> bytes:
    """Every update of the page's incidents as an Atom entry (RFC 4287), newest first."""
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    feed = ET.Element(f"{{{ns}}}feed")
    ET.SubElement(feed, f"{{{ns}}}title").text = f"{page.name}: incident updates"
    ET.SubElement(feed, f"{{{ns}}}id").text = f"{base_url}/status"
    ET.SubElement(feed, f"{{{ns}}}updated").text = last_modified(page, fallback).isoformat()
    ET.SubElement(feed, f"{{{ns}}}link", href=f"{base_url}/status")
    ET.SubElement(feed, f"{{{ns}}}link", rel="self", href=f"{base_url}/status/feed.atom")
    entries = [(u, i) for i in (*page.active_incidents, *page.recent_incidents) for u in i.updates]
    for update, incident in sorted(entries, key=lambda e: e[0].at, reverse=True):
        entry = ET.SubElement(feed, f"{{{ns}}}entry")
        ET.SubElement(entry, f"{{{ns}}}title").text = f"{incident.title}: {update.status}"
        ET.SubElement(entry, f"{{{ns}}}id").text = f"{base_url}/status#incident-{incident.id}-{update.at.isoformat()}"
        ET.SubElement(entry, f"{{{ns}}}updated").text = update.at.astimezone(UTC).isoformat()
        ET.SubElement(entry, f"{{{ns}}}link", href=f"{base_url}/status")
        ET.SubElement(entry, f"{{{ns}}}author").append(_name(ns, page.name))
        ET.SubElement(entry, f"{{{ns}}}content", type="text").text = update.body
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _name(ns: str, text: str) -> ET.Element:
    name = ET.Element(f"{{{ns}}}name")
    name.text = text
    return name
