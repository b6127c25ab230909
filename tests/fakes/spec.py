"""Checks that a request we send matches what a service publishes about its API.

The fakes call these on every request they receive and collect the problems; a test fixture
then asserts there were none, so a request that strays from the published spec fails the test
even when the fake could still answer it.

Specs live in `tests/specs/` (copied with their provenance, see its README): a clone of the
repository alone has everything its tests check against. Every test reads them through here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = [
    "FailurePlan",
    "OpenAPISpec",
    "Recorded",
    "SwaggerFormSpec",
    "load_spec",
    "schema_errors",
    "spec_bytes",
    "spec_path",
    "spec_payload",
    "specs_dir",
]


SPECS_DIR = Path(__file__).resolve().parents[1] / "specs"


def specs_dir() -> Path:
    return SPECS_DIR


@cache
def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def spec_path(name: str) -> Path:
    """The file `name` in `tests/specs/`; a missing file is an error, never a silent pass."""
    path = specs_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"spec {name} not found in {path.parent}: copy it there with its provenance")
    return path


def load_spec(name: str) -> Any:
    """The parsed JSON spec file `name` (cached: treat it as read-only)."""
    return _load(spec_path(name))


def spec_payload(name: str) -> Any:
    """A fresh parsed copy of the payload sample `name`, for a test to change at will."""
    return json.loads(spec_bytes(name))


def spec_bytes(name: str) -> bytes:
    """The payload sample `name` exactly as published, for signature tests over raw bodies."""
    return spec_path(name).read_bytes()


def _deref(node: Any, root: Any, seen: frozenset[str] = frozenset()) -> Any:
    """Inline local `$ref`s; a reference cycle becomes an open schema."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in seen:
                return {}
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return _deref(target, root, seen | {ref})
        return {key: _deref(value, root, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [_deref(item, root, seen) for item in node]
    return node


def _openapi30_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 says `nullable: true` where JSON Schema says `type: [t, "null"]`."""
    if isinstance(node, dict):
        out = {key: _openapi30_to_jsonschema(value) for key, value in node.items()}
        if out.pop("nullable", False) and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        return out
    if isinstance(node, list):
        return [_openapi30_to_jsonschema(item) for item in node]
    return node


def schema_errors(schema: Mapping[str, Any], instance: Any, where: str = "body") -> list[str]:
    """Every way `instance` breaks `schema`, as readable lines (empty when it conforms)."""
    validator = Draft4Validator(_openapi30_to_jsonschema(schema))
    return [
        f"{where}/{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    ]


def _scalar_errors(name: str, schema: Mapping[str, Any], raw: str, where: str = "query") -> list[str]:
    kind = schema.get("type", "string")
    if kind == "integer" and not re.fullmatch(r"-?\d+", raw):
        return [f"{where} {name}={raw!r}: not an integer"]
    if kind == "number" and not re.fullmatch(r"-?\d+(\.\d+)?", raw):
        return [f"{where} {name}={raw!r}: not a number"]
    if kind == "boolean" and raw not in {"true", "false", "1", "0"}:
        return [f"{where} {name}={raw!r}: not a boolean"]
    if "enum" in schema and raw not in schema["enum"]:
        return [f"{where} {name}={raw!r}: not one of {schema['enum']}"]
    return []


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def _deepest(error: ValidationError) -> ValidationError:
    """For an `anyOf`/`oneOf` nothing matched, the failure deepest in the instance: it comes from
    the branch that matched the most (the block type that was meant), where "is not valid under
    any of the given schemas" says nothing."""
    if not error.context:
        return error
    return max((_deepest(e) for e in error.context), key=lambda e: len(e.absolute_path))


def _error_lines(errors: list[ValidationError], where: str) -> list[str]:
    lines = []
    for error in sorted(errors, key=lambda e: list(map(str, e.absolute_path))):
        cause = _deepest(error)
        path = "/".join(str(p) for p in cause.absolute_path)
        message = cause.message if len(cause.message) <= 300 else f"{cause.message[:120]} … {cause.message[-160:]}"
        lines.append(f"{where}/{path}: {message}")
    return lines


@dataclass(frozen=True)
class Operation:
    template: str
    method: str
    spec: dict[str, Any]
    path_params: dict[str, str]
    #: JSON pointer of the operation inside the document, e.g. `/paths/~1v1~1pages/post`.
    pointer: str = ""


class OpenAPISpec:
    """An OpenAPI 3.0 or 3.1 document that can judge one request (path, method, query, headers
    and JSON body) and a fake's answer.

    A 3.0 document's operations are returned with every `$ref` inlined. A 3.1 document (Notion's)
    is plain JSON Schema 2020-12 and so recursive that inlining one operation gives tens of
    megabytes: there only the parameters are inlined, and bodies are validated by reference
    against the document itself.
    """

    def __init__(self, document: Mapping[str, Any], *, base_path: str = "") -> None:
        self._doc = document
        self._base_path = base_path.rstrip("/")
        self._routes = [(self._pattern(template), template, methods) for template, methods in document["paths"].items()]
        self._json_schema_dialect = str(document.get("openapi", "")).startswith("3.1")
        self._validators: dict[str, Draft202012Validator] = {}

    @staticmethod
    def _pattern(template: str) -> re.Pattern[str]:
        parts = re.split(r"(\{[^}]+\})", template)
        regex = "".join(f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part) for part in parts)
        return re.compile(f"^{regex}$")

    def operation(self, method: str, path: str) -> Operation | None:
        if self._base_path:
            if not path.startswith(self._base_path):
                return None
            path = path[len(self._base_path) :]
        for pattern, template, methods in self._routes:
            match = pattern.match(path)
            if match and method.lower() in methods:
                raw = methods[method.lower()]
                if self._json_schema_dialect:
                    spec = {**raw, "parameters": _deref(raw.get("parameters", []), self._doc)}
                else:
                    spec = _deref(raw, self._doc)
                pointer = _pointer("paths", template, method.lower())
                return Operation(template, method.upper(), spec, match.groupdict(), pointer)
        return None

    def errors_at(self, pointer: str, instance: Any, where: str = "body") -> list[str]:
        """Every way `instance` breaks the schema at `pointer` in a 3.1 document."""
        validator = self._validators.get(pointer)
        if validator is None:
            resource = Resource.from_contents(self._doc, default_specification=DRAFT202012)
            registry: Registry = Registry().with_resource("urn:spec", resource)
            validator = Draft202012Validator({"$ref": f"urn:spec#{pointer}"}, registry=registry)
            self._validators[pointer] = validator
        return _error_lines(list(validator.iter_errors(instance)), where)

    def response_errors(self, op: Operation, status: int, payload: Any) -> list[str]:
        """How a fake's JSON answer strays from what the spec says `op` returns with `status`."""
        if self._json_schema_dialect:
            return self.errors_at(
                op.pointer + _pointer("responses", str(status), "content", "application/json", "schema"),
                payload,
                "response",
            )
        schema = op.spec["responses"][str(status)]["content"]["application/json"]["schema"]
        return schema_errors(schema, payload, "response")

    def check(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, list[str]] | None = None,
        content_type: str | None = None,
        body: Any = None,
        extra_query: frozenset[str] = frozenset(),
        headers: Mapping[str, str] | None = None,
    ) -> list[str]:
        """Problems with the request; `extra_query` names parameters documented outside the spec.
        Header parameters are judged only when `headers` is given."""
        op = self.operation(method, path)
        if op is None:
            return [f"{method} {path}: no such operation in the spec"]
        problems: list[str] = []
        if headers is not None:
            problems += self._header_errors(op, headers)
        declared = {p["name"]: p for p in op.spec.get("parameters", []) if p["in"] == "query"}
        for name, values in (query or {}).items():
            if name in extra_query:
                continue
            param = declared.get(name)
            if param is None:
                problems.append(f"query {name}: not a parameter of {op.method} {op.template}")
                continue
            schema = param.get("schema", {})
            if schema.get("type") != "array" and len(values) > 1:
                problems.append(f"query {name}: repeated but not an array")
            item_schema = schema.get("items", {}) if schema.get("type") == "array" else schema
            for raw in values:
                problems += _scalar_errors(name, item_schema, raw)
        for name, param in declared.items():
            if param.get("required") and name not in (query or {}):
                problems.append(f"query {name}: required by {op.method} {op.template}")
        request_body = op.spec.get("requestBody")
        if request_body is None:
            if body is not None:
                problems.append(f"{op.method} {op.template} takes no body")
            return problems
        if body is None:
            if request_body.get("required"):
                problems.append(f"{op.method} {op.template}: body required")
            return problems
        media = (content_type or "").split(";")[0].strip()
        content = request_body.get("content", {})
        if media not in content:
            return [*problems, f"content type {media!r} not one of {sorted(content)}"]
        if self._json_schema_dialect:
            return problems + self.errors_at(op.pointer + _pointer("requestBody", "content", media, "schema"), body)
        return problems + schema_errors(content[media].get("schema", {}), body)

    @staticmethod
    def _header_errors(op: Operation, headers: Mapping[str, str]) -> list[str]:
        sent = {name.lower(): value for name, value in headers.items()}
        problems = []
        for param in op.spec.get("parameters", []):
            if param["in"] != "header":
                continue
            value = sent.get(param["name"].lower())
            if value is None:
                if param.get("required"):
                    problems.append(f"header {param['name']}: required by {op.method} {op.template}")
                continue
            problems += _scalar_errors(param["name"], param.get("schema", {}), value, "header")
        return problems


_SWAGGER_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
}


class SwaggerFormSpec:
    """Slack's Swagger 2.0 extract: method names and their form/query parameters.

    Its response schemas are over-strict (the spec's own README says so), so only what we send is
    judged: every parameter must be declared for the method, required ones present, and values
    of the declared type. `token` is modelled as a header and Slack also accepts it as
    `Authorization: Bearer`, which the fake checks itself.
    """

    #: Slack documents these as "a JSON-based array ... URL-encoded string" in a form body and
    #: as plain JSON arrays in an `application/json` body (which slack-sdk uses for chat.*).
    JSON_STRUCTURED = frozenset({"blocks", "attachments"})

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._doc = document
        self._base_path = document.get("basePath", "")

    def method_name(self, path: str) -> str | None:
        if not path.startswith(self._base_path + "/"):
            return None
        return path[len(self._base_path) + 1 :]

    def operation(self, http_method: str, path: str) -> dict[str, Any] | None:
        """The method's spec. Slack serves every Web API method over POST as well (slack-sdk
        only ever POSTs), so a POST to a GET-documented method is judged by the GET entry."""
        ops = self._doc["paths"].get(path[len(self._base_path) :]) if path.startswith(self._base_path) else None
        if not ops:
            return None
        op = ops.get(http_method.lower())
        if op is None and http_method.upper() == "POST":
            op = ops.get("get")
        return _deref(op, self._doc) if op else None

    def error_codes(self, http_method: str, path: str) -> list[str]:
        op = self.operation(http_method, path) or {}
        schema = op.get("responses", {}).get("default", {}).get("schema", {})
        return list(schema.get("properties", {}).get("error", {}).get("enum", []))

    def check(self, http_method: str, path: str, params: Mapping[str, Any], *, json_body: bool) -> list[str]:
        op = self.operation(http_method, path)
        if op is None:
            return [f"{http_method} {path}: no such Web API method in the spec"]
        declared = {p["name"]: p for p in op.get("parameters", []) if p["name"] != "token"}
        problems: list[str] = []
        for name, value in params.items():
            param = declared.get(name)
            if param is None:
                problems.append(f"{path}: parameter {name!r} is not in the spec")
                continue
            problems += self._value_errors(path, name, param.get("type", "string"), value, json_body)
        for name, param in declared.items():
            if param.get("required") and name not in params:
                problems.append(f"{path}: required parameter {name!r} missing")
        return problems

    def _value_errors(self, path: str, name: str, kind: str, value: Any, json_body: bool) -> list[str]:
        if json_body:
            if name in self.JSON_STRUCTURED and isinstance(value, list | str):
                return []
            expected = _SWAGGER_TYPES.get(kind, str)
            if (isinstance(value, bool) and kind != "boolean") or not isinstance(value, expected):
                return [f"{path}: {name}={value!r} is not a {kind}"]
            return []
        if kind == "boolean" and value not in {"true", "false", "1", "0"}:
            return [f"{path}: {name}={value!r} is not a boolean"]
        if kind == "integer" and not re.fullmatch(r"-?\d+", str(value)):
            return [f"{path}: {name}={value!r} is not an integer"]
        if name in self.JSON_STRUCTURED:
            try:
                json.loads(value)
            except ValueError:
                return [f"{path}: {name} is not URL-encoded JSON"]
        return []


@dataclass
class Recorded:
    """One request a fake received, after parsing, for assertions."""

    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, list[str]]
    body: Any


@dataclass
class FailurePlan:
    """Failures a test asked a fake to answer with, consumed one per matching request."""

    queue: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)

    def add(self, times: int, *, only: str | None = None, **failure: Any) -> None:
        self.queue.extend((only, dict(failure)) for _ in range(times))

    def take(self, key: str) -> dict[str, Any] | None:
        for index, (only, failure) in enumerate(self.queue):
            if only is None or only == key:
                del self.queue[index]
                return failure
        return None
