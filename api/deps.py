"""FastAPI dependencies declared once: the warroom container, bearer-token auth for /api, and the
id parameters (within the databases' 64-bit range, so a larger one is a 422, not an overflow)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request, status

from api.composition import Warroom
from warroom.untrusted import MAX_ID

__all__ = ["Authorized", "Id", "IdFilter", "WarroomDep", "get_warroom", "require_token"]

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
IdFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]


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
