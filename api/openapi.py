"""The OpenAPI document: FastAPI's, plus the schemas routes name by reference without FastAPI
seeing the model (the `Problem` of every refusal, the raw-read body of `POST /api/alerts`), so
no `$ref` dangles. Built once per app."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

__all__ = ["REF_TEMPLATE", "openapi_document"]

REF_TEMPLATE = "#/components/schemas/{model}"


def openapi_document(app: FastAPI, models: tuple[type[BaseModel], ...]) -> dict[str, Any]:
    if app.openapi_schema is None:
        document = get_openapi(title=app.title, version=app.version, routes=app.routes)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for model in models:
            schema = model.model_json_schema(ref_template=REF_TEMPLATE)
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        app.openapi_schema = document
    return app.openapi_schema
