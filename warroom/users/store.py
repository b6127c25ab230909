"""Adding, finding and removing users. A user signs in to the web UI with a personal token shown
once when they are added (only its SHA-256 is kept); removing a user ends their sessions, since a
session is checked against the user it was opened for."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import Connection, delete, select

from warroom.db import table_of
from warroom.errors import Conflict, Invalid, NotFound
from warroom.users.tables import UserRow

__all__ = ["Role", "User", "add_user", "find_by_token", "get_user", "list_users", "remove_user", "token_digest"]

USERS = table_of(UserRow)


class Role(StrEnum):
    RESPONDER = "responder"
    VIEWER = "viewer"


class User(BaseModel):
    id: int
    name: str
    email: str | None
    role: Role
    token_digest: str
    created_at: datetime


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def add_user(conn: Connection, *, name: str, email: str | None, role: Role, now: datetime) -> tuple[User, str]:
    """The new user and their sign-in token (shown once; a second user of the same name is a Conflict)."""
    name = " ".join(name.split())
    if not name or len(name) > 255:
        raise Invalid("a user needs a name of 1 to 255 characters")
    if email is not None and ("@" not in email or len(email) > 254):
        raise Invalid(f"{email!r} is not an email address")
    if conn.execute(select(USERS.c.id).where(USERS.c.name == name)).first() is not None:
        raise Conflict(f"there is already a user called {name!r}")
    token = "wr_" + secrets.token_urlsafe(24)
    conn.execute(
        USERS.insert().values(name=name, email=email, role=role.value, token_digest=token_digest(token), created_at=now)
    )
    user = find_by_token(conn, token)
    assert user is not None
    return user, token


def find_by_token(conn: Connection, token: str) -> User | None:
    row = conn.execute(select(USERS).where(USERS.c.token_digest == token_digest(token))).one_or_none()
    return User.model_validate(row._mapping) if row is not None else None


def get_user(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(USERS).where(USERS.c.id == user_id)).one_or_none()
    return User.model_validate(row._mapping) if row is not None else None


def list_users(conn: Connection) -> list[User]:
    return [User.model_validate(row._mapping) for row in conn.execute(select(USERS).order_by(USERS.c.name))]


def remove_user(conn: Connection, name: str) -> None:
    if not conn.execute(delete(USERS).where(USERS.c.name == " ".join(name.split()))).rowcount:
        raise NotFound(f"no user called {name!r}")
