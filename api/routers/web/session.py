"""Signing in to the web UI with the API token, and the session that proves it.

The session is a signed HttpOnly SameSite=Lax cookie holding a CSRF token that every
state-changing form sends back (`CheckedDep`); a missing or forged cookie sends the browser to
/login. After signing in, only our own pages are redirected to.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel, ValidationError

from api.composition import Warroom
from api.deps import WarroomDep
from api.routers.web.render import render, see

__all__ = ["SESSION_COOKIE", "CheckedDep", "Session", "SessionDep", "router"]

SESSION_COOKIE = "warroom_session"
SESSION_HOURS = 12
router = APIRouter(tags=["web"], include_in_schema=False)


class Session(BaseModel):
    csrf: str


def _signer(warroom: Warroom) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(warroom.secret_key, salt="warroom.web.session")


def current_session(request: Request, warroom: WarroomDep) -> Session:
    """A missing or forged cookie sends the browser to /login (htmx gets HX-Redirect instead)."""
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        try:
            return Session.model_validate(_signer(warroom).loads(raw, max_age=SESSION_HOURS * 3600))
        except (BadSignature, ValidationError):
            pass
    target = f"/login?next={request.url.path}"
    if request.headers.get("hx-request"):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in again", headers={"HX-Redirect": target})
    raise HTTPException(status.HTTP_303_SEE_OTHER, "sign in first", headers={"Location": target})


SessionDep = Annotated[Session, Depends(current_session)]


def checked_session(session: SessionDep, csrf: Annotated[str, Form()] = "") -> Session:
    if not hmac.compare_digest(csrf.encode(), session.csrf.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this form is stale or not ours; reload the page")
    return session


CheckedDep = Annotated[Session, Depends(checked_session)]


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
    if not hmac.compare_digest(token.strip().encode(), warroom.api_token.encode()):
        return render(
            request,
            "login.html",
            {"next": _local(next), "error": "That is not the API token."},
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    response = see(_local(next))
    cookie = _signer(warroom).dumps(Session(csrf=secrets.token_urlsafe(24)).model_dump())
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(_: CheckedDep) -> RedirectResponse:
    response = see("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
