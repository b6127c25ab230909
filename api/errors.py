"""The project's refusals (`warroom.errors`) as HTTP: which status each one is, and the JSON body
the REST API answers with (`detail`, plus `problems` to fix)."""

from __future__ import annotations

from fastapi import Request, status
from fastapi.responses import JSONResponse

from warroom.errors import ActionError, Conflict, Expired, Forbidden, Invalid, NotFound

__all__ = ["action_error_response", "status_of"]

_STATUS: dict[type[ActionError], int] = {
    NotFound: status.HTTP_404_NOT_FOUND,
    Conflict: status.HTTP_409_CONFLICT,
    Invalid: status.HTTP_422_UNPROCESSABLE_CONTENT,
    Forbidden: status.HTTP_403_FORBIDDEN,
    Expired: status.HTTP_410_GONE,
}


def status_of(error: ActionError) -> int:
    return next((code for kind, code in _STATUS.items() if isinstance(error, kind)), status.HTTP_400_BAD_REQUEST)


async def action_error_response(_: Request, error: Exception) -> JSONResponse:
    """Registered for `ActionError` on the app: a REST route just lets the action raise."""
    assert isinstance(error, ActionError)
    return JSONResponse({"detail": error.message, "problems": error.problems}, status_code=status_of(error))
