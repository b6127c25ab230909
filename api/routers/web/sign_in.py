"""Signing in to the web UI with the API token, and signing out.

Signing in opens a server-side session (`api.web_sessions`); after it, only our own pages are
redirected to (no open redirect). Signing out is a state-changing form like any other, so it
carries the session's CSRF token.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import web_sessions
from api.deps import WarroomDep
from api.routers.web.render import render, see
from api.web_sessions import FormDep
from warroom.users import store as users

__all__ = ["router"]

router = APIRouter(tags=["web"], include_in_schema=False)


def _local(path: str) -> str:
    """Only redirect to our own pages after login (no open redirect)."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/incidents"


@router.get("/")
def home() -> RedirectResponse:
    return see("/incidents")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/incidents") -> HTMLResponse:
    return render(request, "login.html", {"next": _local(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    warroom: WarroomDep,
    token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/incidents",
) -> Response:
    presented = token.strip()
    user = None
    if not hmac.compare_digest(presented.encode("utf-8", "surrogateescape"), warroom.api_token.encode()):
        with warroom.engine.connect() as conn:
            user = users.find_by_token(conn, presented) if presented else None
        if user is None:
            return render(
                request,
                "login.html",
                {"next": _local(next), "error": "That is not the API token or a user's sign-in token."},
                status_code=status.HTTP_401_UNAUTHORIZED,
            )
    response = see(_local(next))
    web_sessions.start(request, warroom, response, user)
    return response


@router.post("/logout")
def logout(session: FormDep, warroom: WarroomDep) -> RedirectResponse:
    response = see("/login")
    web_sessions.end(session, warroom, response)
    return response
