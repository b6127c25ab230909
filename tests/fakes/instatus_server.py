"""An in-process Instatus that judges each request against the API summary we keep of its docs.

Instatus publishes no OpenAPI, so the JSON schemas below are built from
`instatus-api-summary.json` (its enums are read from the file, not copied). Use as
`httpx.Client(base_url="https://api.instatus.com", transport=fake.transport)`.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import datetime
from typing import Any

import httpx

from tests.fakes.spec import FailurePlan, Recorded, load_spec, schema_errors

__all__ = ["FakeInstatus"]


def _schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    summary = load_spec("instatus-api-summary.json")
    enums = summary["enums"]
    update_fields: dict[str, Any] = {
        "message": {"type": "string"},
        "components": {"type": "array", "items": {"type": "string"}},
        "started": {"type": "string"},
        "status": {"type": "string", "enum": enums["incident_status"]},
        "notify": {"type": "boolean"},
        "statuses": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "status": {"type": "string", "enum": enums["component_status_api_docs"]},
                },
                "required": ["id", "status"],
                "additionalProperties": False,
            },
        },
    }
    documented = set(summary["endpoints"]["create_incident"]["body_fields"])
    assert set(update_fields) <= documented, "fake schema drifted from the summary"
    create = {
        "type": "object",
        "properties": {**update_fields, "name": {"type": "string"}},
        "required": ["name", "message", "status"],
        "additionalProperties": False,
    }
    example_keys = set(summary["endpoints"]["add_incident_update"]["official_example_request"])
    update_properties = {**update_fields, "translations": {"type": "object"}}
    update = {
        "type": "object",
        "properties": update_properties,
        "required": ["message", "status"],
        "additionalProperties": False,
    }
    assert set(update_properties) == example_keys, "fake schema drifted from the official example"
    return create, update


_INCIDENTS = re.compile(r"^/v1/(?P<page_id>[^/]+)/incidents$")
_UPDATES = re.compile(r"^/v1/(?P<page_id>[^/]+)/incidents/(?P<incident_id>[^/]+)/incident-updates$")


class FakeInstatus:
    def __init__(self, page_id: str = "ckf01fonve9i40a32oas5b0uw", api_key: str = "instatus-test-key") -> None:
        self.page_id = page_id
        self.api_key = api_key
        self.create_schema, self.update_schema = _schemas()
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.incidents: dict[str, dict[str, Any]] = {}
        self.components: dict[str, str] = {}
        self.failures = FailurePlan()
        self._ids = (f"ckf1ew8mol{n:05d}" for n in itertools.count(1))

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def fail_next(self, times: int = 1, *, status: int = 429, retry_after: int | None = 30) -> None:
        self.failures.add(times, status=status, retry_after=retry_after)

    def handle(self, request: httpx.Request) -> httpx.Response:
        body: Any = json.loads(request.content) if request.content else None
        path = request.url.path
        query = {key: request.url.params.get_list(key) for key in request.url.params}
        self.requests.append(Recorded(request.method, path, dict(request.headers), query, body))
        create, update = _INCIDENTS.match(path), _UPDATES.match(path)
        if request.method == "GET" and create:
            return self._list(create["page_id"], request)
        problems: list[str] = []
        if request.method != "POST" or not (create or update):
            problems.append(f"{request.method} {path}: not an Instatus endpoint we expect to call")
        elif not request.headers.get("content-type", "").startswith("application/json"):
            problems.append("Instatus requires Content-Type: application/json")
        else:
            problems += schema_errors(self.create_schema if create else self.update_schema, body)
            problems += self._started_problems(body)
        if problems:
            self.violations += problems
            return self._error(400, "invalid_request", "; ".join(problems))
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self._error(401, "forbidden", "Not authorized")
        failure = self.failures.take(path)
        if failure is not None:
            return self._failed(failure)
        match = create or update
        assert match is not None
        if match["page_id"] != self.page_id:
            return self._error(404, "not_found", "Page not found")
        if create:
            return httpx.Response(200, json=self._create(body))
        incident = self.incidents.get(match["incident_id"])
        if incident is None:
            return self._error(404, "not_found", "Incident not found")
        return httpx.Response(200, json=self._add_update(incident, body))

    def _list(self, page_id: str, request: httpx.Request) -> httpx.Response:
        """`GET /v1/:page_id/incidents`: each incident in the shape of the `incident` object of the
        documented incident-update answer (id, name, started, status)."""
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self._error(401, "forbidden", "Not authorized")
        if page_id != self.page_id:
            return self._error(404, "not_found", "Page not found")
        failure = self.failures.take(request.url.path)
        if failure is not None:
            return self._failed(failure)
        listed = [{k: i[k] for k in ("id", "name", "started", "status")} for i in self.incidents.values()]
        return httpx.Response(200, json=listed)

    @staticmethod
    def _failed(failure: dict[str, Any]) -> httpx.Response:
        headers = {"Retry-After": str(failure["retry_after"])} if failure["retry_after"] is not None else {}
        return httpx.Response(
            failure["status"], headers=headers, json={"error": {"code": "rate_limited", "message": "Too many requests"}}
        )

    @staticmethod
    def _error(status: int, code: str, message: str) -> httpx.Response:
        return httpx.Response(status, json={"error": {"code": code, "message": message}})

    @staticmethod
    def _started_problems(body: Any) -> list[str]:
        started = body.get("started") if isinstance(body, dict) else None
        if started is None:
            return []
        try:
            datetime.fromisoformat(started.replace("Z", "+00:00"))
        except ValueError:
            return [f"started={started!r} is not an ISO-8601 datetime"]
        return []

    def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        incident_id = next(self._ids)
        incident = {
            "id": incident_id,
            "name": body["name"],
            "status": body["status"],
            "started": body.get("started"),
            "updates": [],
        }
        self.incidents[incident_id] = incident
        self._add_update(incident, body)
        return incident

    def _add_update(self, incident: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        incident["status"] = body["status"]
        for entry in body.get("statuses", []):
            self.components[entry["id"]] = entry["status"]
        update = {
            "id": f"{incident['id']}-u{len(incident['updates']) + 1}",
            "message": body["message"],
            "status": body["status"],
            "notify": body.get("notify", False),
            "started": body.get("started"),
        }
        incident["updates"].append(update)
        return {
            **update,
            "incident": {"id": incident["id"], "name": incident["name"], "status": incident["status"]},
        }
