"""`/openapi.json` and `/docs`: the API's own description, for whoever may call it (the API
token, or a web UI session: the docs page fetches the document with the browser's cookie) or
for everyone when `WARROOM_PUBLIC_DOCS` is set. Not in the schema themselves. Swagger UI's own
files are served from here (fastapi-offline ships a Swagger UI 5 that reads OpenAPI 3.1), so the
page works on a machine with no internet."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from api.deps import WarroomDep, require_token
from api.web_sessions import signed_in

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
ASSETS = "/docs/assets"
router.mount(ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets")


def _may_read(request: Request, warroom: WarroomDep) -> None:
    if not (warroom.settings.public_docs or signed_in(request, warroom)):
        require_token(request, warroom)


@router.get("/openapi.json")
def openapi_json(request: Request, warroom: WarroomDep) -> JSONResponse:
    _may_read(request, warroom)
    return JSONResponse(request.app.openapi())


@router.get("/docs")
def docs(request: Request, warroom: WarroomDep) -> HTMLResponse:
    _may_read(request, warroom)
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="warroom API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon.png",
    )
