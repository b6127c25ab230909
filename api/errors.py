"""How every refusal looks, and how the OpenAPI document says so.

Every 4xx answers with a `Problem`: one sentence in `detail` that names the field when a field is
at fault, plus the machine-readable parts where there are some. The project's refusals
(`warroom.errors`) map to their statuses here; `documented(...)` gives a route's `responses=`
for the refusals it can make, so the schema lists exactly those (FastAPI's own 422 schema, whose
`detail` is an array, is never used).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from tools.webhooks.base import error_path
from warroom.errors import ActionError, Conflict, Expired, Forbidden, Invalid, NotFound

__all__ = [
    "PROBLEM_REF",
    "FieldProblem",
    "Problem",
    "action_error_response",
    "documented",
    "install_error_handlers",
    "status_of",
    "wants_page",
]

PROBLEM_REF = "#/components/schemas/Problem"
_STATUS: dict[type[ActionError], int] = {
    NotFound: status.HTTP_404_NOT_FOUND,
    Conflict: status.HTTP_409_CONFLICT,
    Invalid: status.HTTP_422_UNPROCESSABLE_CONTENT,
    Forbidden: status.HTTP_403_FORBIDDEN,
    Expired: status.HTTP_410_GONE,
}
_MEANINGS = {
    400: "The body is not JSON warroom will read (not UTF-8, not JSON, nested too deep).",
    401: "Missing or wrong credentials (bearer token or signature).",
    403: "The link or form is not valid.",
    404: "No such resource.",
    409: "The resource is not in a state that allows this (already resolved, already decided).",
    410: "The link has expired.",
    413: "The request body is larger than the configured limit.",
    422: "A field is missing, of the wrong kind or out of range; `detail` names it.",
    503: "The database does not answer.",
}


_NOT_PAGES = ("/api/", "/webhooks/", "/slack/", "/status.json", "/status/feed", "/openapi.json", "/healthz", "/readyz")
_PAGE_TITLES = {
    403: "This link or form is not valid",
    404: "Not found",
    405: "Not here",
    409: "Not now",
    410: "This link has expired",
    413: "Too large",
    422: "Something in the address is not right",
}


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not the API, a webhook or a machine-read document): it gets
    its refusals as a page to read, and a missing sign-in as the sign-in form."""
    return "text/html" in request.headers.get("accept", "") and not request.url.path.startswith(_NOT_PAGES)


def _error_page(request: Request, code: int, detail: str) -> Response:
    if code == status.HTTP_401_UNAUTHORIZED:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(here, safe='/')}", status_code=status.HTTP_303_SEE_OTHER)
    from api.routers.web.render import render  # the web layer's templates, only for a browser

    title = _PAGE_TITLES.get(code, "Something went wrong")
    return render(request, "error.html", {"code": code, "title": title, "detail": detail}, status_code=code)


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """The body of every refusal."""

    detail: str = Field(description="what is wrong, naming the field when one is at fault")
    field: str | None = Field(default=None, description="the field at fault, as a dotted path")
    errors: list[FieldProblem] | None = Field(default=None, description="every field at fault")
    problems: list[str] | None = Field(default=None, description="what to fix, e.g. what the facts check found")


def documented(*codes: int, html: bool = False, json: bool = True) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route that can refuse with these codes: as a `Problem` (`json`), as
    an HTML page (`html`), or either. The content is spelled out rather than given as a model,
    because FastAPI files a model under the route's own media type (text/html on a page)."""
    content: dict[str, Any] = {"application/json": {"schema": {"$ref": PROBLEM_REF}}} if json else {}
    if html:
        content["text/html"] = {"schema": {"type": "string"}}
    return {code: {"description": _MEANINGS[code], "content": content} for code in codes}


def status_of(error: ActionError) -> int:
    return next((code for kind, code in _STATUS.items() if isinstance(error, kind)), status.HTTP_400_BAD_REQUEST)


async def action_error_response(_: Request, error: Exception) -> JSONResponse:
    """Registered for `ActionError` on the app: a REST route just lets the action raise."""
    assert isinstance(error, ActionError)
    return JSONResponse({"detail": error.message, "problems": error.problems}, status_code=status_of(error))


def install_error_handlers(app: FastAPI) -> None:
    """The project's refusals by their status; validation failures as a `Problem` naming the
    first field (every field in `errors`)."""
    app.add_exception_handler(ActionError, action_error_response)

    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: HTTPException) -> Response:
        if wants_page(request) and exc.status_code >= 400 and "HX-Redirect" not in (exc.headers or {}):
            return _error_page(request, exc.status_code, str(exc.detail))
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            FieldProblem(field=error_path(tuple(p for p in e["loc"] if p != "body")), message=e["msg"])
            for e in exc.errors()
        ] or [FieldProblem(field="body", message="invalid")]
        first = errors[0]
        problem = Problem(detail=f"{first.field}: {first.message}", field=first.field, errors=errors)
        if wants_page(request):
            return _error_page(request, 422, problem.detail)
        return JSONResponse(problem.model_dump(exclude_none=True), status_code=422)
