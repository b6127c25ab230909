"""FastAPI dependencies declared once: the warroom container and bearer-token auth for /api."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from api.composition import Warroom

__all__ = ["Authorized", "WarroomDep", "get_warroom", "require_token"]


async def get_warroom(request: Request) -> Warroom:
    """Async so FastAPI resolves it on the event loop, not with a thread hop per request."""
    return request.app.state.warroom


WarroomDep = Annotated[Warroom, Depends(get_warroom)]


def require_token(request: Request, warroom: WarroomDep) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), warroom.api_token.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
    return "api"


Authorized = Annotated[str, Depends(require_token)]
