"""Web UI sessions: what the cookie means, and the dependencies that read it.

Signing in with the API token (or a user's own token, `warroom users add`) opens a session row (`warroom.web_sessions`) and sets a cookie
holding only its random id (HttpOnly, SameSite=Lax, Secure over https). Every request looks the
session up: signing out deletes it, it expires after `SESSION_HOURS`, and it was opened with a
keyed digest of the API token, so restarting with a rotated `WARROOM_API_TOKEN` ends every
session opened with the old one. The CSRF token every state-changing form sends back lives in
the row, never in a form the browser could forge. A user's session acts under their name, is
checked against that user on every request (removing the user signs them out), and a viewer's
session may look but not act.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, HTTPException, Request, Response, status
from pydantic import BaseModel

from api.composition import Warroom
from api.deps import WarroomDep
from warroom.actors import Actor, ActorKind
from warroom.users import store as users
from warroom.users.store import Role, User
from warroom.web_sessions import store

__all__ = [
    "SESSION_COOKIE",
    "SESSION_HOURS",
    "CheckedDep",
    "FormDep",
    "Session",
    "SessionDep",
    "current_session",
    "end",
    "signed_in",
    "start",
]

SESSION_COOKIE = "warroom_session"
SESSION_HOURS = 12


class Session(BaseModel):
    id_digest: str
    csrf: str
    user: str | None = None
    email: str | None = None
    role: Role = Role.RESPONDER

    @property
    def actor(self) -> Actor:
        """Who the timeline says acted: the user by name, or "web" for the shared API token."""
        return Actor(kind=ActorKind.WEB, name=self.user or "web", email=self.email)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogateescape")).hexdigest()


def _credential(warroom: Warroom, user: User | None = None) -> str:
    """The API token as this server holds it now (or the user's token digest), keyed so the table
    does not hold its hash."""
    secret = user.token_digest if user is not None else warroom.api_token
    return hmac.new(warroom.secret_key.encode(), secret.encode(), hashlib.sha256).hexdigest()


def _lookup(request: Request, warroom: Warroom) -> Session | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    id_digest = _digest(raw)
    with warroom.engine.connect() as conn:
        found = store.find_session(conn, id_digest, warroom.clock.now())
        user = users.get_user(conn, found.user_id) if found is not None and found.user_id is not None else None
    if found is None or (found.user_id is not None and user is None):
        return None
    if not hmac.compare_digest(found.credential, _credential(warroom, user)):
        return None
    if user is None:
        return Session(id_digest=id_digest, csrf=found.csrf)
    return Session(id_digest=id_digest, csrf=found.csrf, user=user.name, email=user.email, role=user.role)


def signed_in(request: Request, warroom: Warroom) -> bool:
    return _lookup(request, warroom) is not None


def current_session(request: Request, warroom: WarroomDep) -> Session:
    """A missing, ended, expired or foreign session sends the browser to /login (htmx gets
    HX-Redirect instead)."""
    session = _lookup(request, warroom)
    if session is not None:
        request.state.session = session  # the page's header names who is signed in
        return session
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = f"/login?next={quote(here, safe='/')}"
    if request.headers.get("hx-request"):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in again", headers={"HX-Redirect": target})
    raise HTTPException(status.HTTP_303_SEE_OTHER, "sign in first", headers={"Location": target})


SessionDep = Annotated[Session, Depends(current_session)]


def form_session(session: SessionDep, csrf: Annotated[str, Form()] = "") -> Session:
    """A form of ours: it carries the session's CSRF token."""
    if not hmac.compare_digest(csrf.encode("utf-8", "surrogateescape"), session.csrf.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this form is stale or not ours; reload the page")
    return session


FormDep = Annotated[Session, Depends(form_session)]


def checked_session(session: FormDep) -> Session:
    """A state-changing form: ours, and sent by someone who may act (not a viewer)."""
    if session.role is Role.VIEWER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"{session.user} is a viewer: viewers can look, not act")
    return session


CheckedDep = Annotated[Session, Depends(checked_session)]


def start(request: Request, warroom: Warroom, response: Response, user: User | None = None) -> None:
    """Open a session for a browser that just presented the API token, or `user`'s own token;
    sweep expired ones."""
    session_id = secrets.token_urlsafe(32)
    now = warroom.clock.now()
    with warroom.engine.begin() as conn:
        store.end_expired(conn, now)
        store.open_session(
            conn,
            id_digest=_digest(session_id),
            csrf=secrets.token_urlsafe(24),
            credential=_credential(warroom, user),
            now=now,
            expires_at=now + timedelta(hours=SESSION_HOURS),
            user_id=user.id if user is not None else None,
        )
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def end(session: Session, warroom: Warroom, response: Response) -> None:
    with warroom.engine.begin() as conn:
        store.end_session(conn, session.id_digest)
    response.delete_cookie(SESSION_COOKIE, path="/")
