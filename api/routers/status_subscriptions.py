"""Subscribing to the public status page by email: the page's form, the confirmation link, the
one-click unsubscribe. Public, no session; every answer is a small HTML page under the page's CSP.

Opening a link (GET) never changes anything: it checks the token and shows one button that
POSTs. Mail security scanners open every link in a message they receive, so a GET that
unsubscribed would silently stop a customer's outage emails, and a GET that confirmed would
subscribe an address whose owner never asked. Mail clients' RFC 8058 one-click unsubscribe is a
POST to the same address and acts at once.

The form answers "check your email" whatever the address's state (new, pending, confirmed), so
it tells nobody who is subscribed; each client may submit it a few times per window (`api.rate_limit`).
Addresses are never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import WarroomDep
from api.routers.status_page import templates
from api.status_cache import PAGE_CSP
from flows.status_subscriptions import read_confirm_token, read_unsubscribe_token, request_subscription
from warroom.errors import ActionError, Expired, Invalid
from warroom.status_page import subscribers

__all__ = ["router"]

router = APIRouter(tags=["status page"], include_in_schema=False)
"""Pages for a browser (and a mail client's one-click POST), like the web UI: not in the API schema."""


def _page(
    warroom: WarroomDep, heading: str, message: str, status_code: int = 200, *, button: tuple[str, str] | None = None
) -> HTMLResponse:
    """`button`: (label, address) of the one form the page holds, a POST."""
    html = templates.get_template("status_message.html").render(
        name=warroom.settings.status_page_title, heading=heading, message=message, button=button
    )
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


def _refused(warroom: WarroomDep, error: ActionError) -> HTMLResponse:
    status_code = 410 if isinstance(error, Expired) else 422 if isinstance(error, Invalid) else 403
    return _page(warroom, "That did not work", error.message, status_code)


def _ask(
    request: Request, warroom: WarroomDep, check: Callable[[], object], heading: str, message: str, label: str
) -> HTMLResponse:
    """A link opened (GET): the token checked, and one button that POSTs it to the same address."""
    try:
        check()
    except ActionError as error:
        return _refused(warroom, error)
    token = request.query_params.get("token", "")
    return _page(warroom, heading, message, button=(label, f"{request.url.path}?{urlencode({'token': token})}"))


@router.post("/status/subscribe", response_class=HTMLResponse)
def subscribe(request: Request, warroom: WarroomDep, email: Annotated[str, Form(max_length=320)] = "") -> Response:
    now = warroom.clock.now()
    if not warroom.subscribe_limiter.allow(request.client.host if request.client else "-", now):
        return _page(warroom, "Too many requests", "Please try again in a few minutes.", 429)
    try:
        with warroom.engine.begin() as conn:
            request_subscription(conn, email, settings=warroom.settings, secret_key=warroom.secret_key, now=now)
    except Invalid as error:
        return _refused(warroom, error)
    return _page(
        warroom,
        "Check your email",
        "If that address is not subscribed yet, a message with a confirmation link is on its way. "
        "Updates start once you open it.",
    )


@router.get("/status/subscribe/confirm", response_class=HTMLResponse)
def confirm_page(request: Request, warroom: WarroomDep, token: Annotated[str, Query(max_length=1000)] = "") -> Response:
    return _ask(
        request,
        warroom,
        lambda: read_confirm_token(warroom.secret_key, token, warroom.clock.now()),
        "Confirm your subscription",
        "Get an email whenever this page posts an update.",
        "Confirm subscription",
    )


@router.post("/status/subscribe/confirm", response_class=HTMLResponse)
def confirm(warroom: WarroomDep, token: Annotated[str, Query(max_length=1000)] = "") -> Response:
    now = warroom.clock.now()
    try:
        subscriber_id, nonce = read_confirm_token(warroom.secret_key, token, now)
    except ActionError as error:
        return _refused(warroom, error)
    with warroom.engine.begin() as conn:
        if not subscribers.confirm(conn, subscriber_id, nonce, now):
            return _page(warroom, "That did not work", "This subscription no longer exists; subscribe again.", 410)
    return _page(warroom, "You are subscribed", "You will get an email whenever this page posts an update.")


@router.get("/status/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(
    request: Request, warroom: WarroomDep, token: Annotated[str, Query(max_length=1000)] = ""
) -> Response:
    """The link in every email: asks, so that a mail scanner opening it unsubscribes nobody."""
    return _ask(
        request,
        warroom,
        lambda: read_unsubscribe_token(warroom.secret_key, token),
        "Unsubscribe from updates?",
        "This address will get no more emails from this page.",
        "Unsubscribe",
    )


@router.post("/status/unsubscribe", response_class=HTMLResponse)
def unsubscribe(warroom: WarroomDep, token: Annotated[str, Query(max_length=1000)] = "") -> Response:
    """The button on that page, and mail clients' RFC 8058 one-click POST."""
    try:
        subscriber_id, nonce = read_unsubscribe_token(warroom.secret_key, token)
    except ActionError as error:
        return _refused(warroom, error)
    with warroom.engine.begin() as conn:
        subscribers.unsubscribe(conn, subscriber_id, nonce)
    return _page(warroom, "You are unsubscribed", "This address will get no more emails from this page.")
