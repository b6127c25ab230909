"""An in-process Atlassian Statuspage that judges each request against the published OpenAPI.

Use as `httpx.Client(base_url="https://api.statuspage.io/v1", transport=fake.transport)`.
Every request is recorded; one that breaks the spec is answered 400 and listed in
`violations`, which the tests assert is empty.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx

from tests.fakes.spec import FailurePlan, OpenAPISpec, Recorded, load_spec

__all__ = ["FakeStatuspage"]

_NAME_MAX = 255
_BODY_MAX = 25_000


class FakeStatuspage:
    def __init__(self, page_id: str = "gytm4qzbx9t6", api_key: str = "sp-test-key") -> None:
        self.page_id = page_id
        self.api_key = api_key
        self.spec = OpenAPISpec(load_spec("statuspage-openapi.json"), base_path="/v1")
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.incidents: dict[str, dict[str, Any]] = {}
        self.components: dict[str, str] = {}
        self.failures = FailurePlan()
        self._ids = (f"p31zjtct{n:04d}" for n in itertools.count(1))

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def fail_next(self, times: int = 1, *, status: int = 429, retry_after: int | None = 7) -> None:
        """Answer the next `times` requests with `status` (420/429 carry `Retry-After`)."""
        self.failures.add(times, status=status, retry_after=retry_after)

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        query = {key: request.url.params.get_list(key) for key in request.url.params}
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), query, body))
        problems = self.spec.check(
            request.method,
            request.url.path,
            query=query,
            content_type=request.headers.get("content-type"),
            body=body,
        )
        problems += self._semantic_problems(request, body)
        if problems:
            self.violations += problems
            return httpx.Response(400, json={"message": "; ".join(problems)})
        if request.headers.get("authorization") != f"OAuth {self.api_key}":
            return httpx.Response(401, json={"message": "Could not authenticate"})
        failure = self.failures.take(request.url.path)
        if failure is not None:
            headers = {"Retry-After": str(failure["retry_after"])} if failure["retry_after"] is not None else {}
            return httpx.Response(failure["status"], headers=headers, json={"message": "Rate limit exceeded"})
        return self._route(request, body)

    def _semantic_problems(self, request: httpx.Request, body: Any) -> list[str]:
        """Limits the spec states in prose rather than in the schema."""
        incident = body.get("incident") if isinstance(body, dict) else None
        if not isinstance(incident, dict):
            return []
        problems = []
        if len(incident.get("name", "")) > _NAME_MAX:
            problems.append(f"incident.name longer than {_NAME_MAX}")
        if len(incident.get("body", "")) > _BODY_MAX:
            problems.append(f"incident.body longer than {_BODY_MAX}")
        for key, value in (incident.get("metadata") or {}).items():
            if not isinstance(value, dict):
                problems.append(f"incident.metadata.{key}: top-level values must be objects")
        components = incident.get("components") or {}
        allowed = load_spec("statuspage-api-summary.json")["enums"]["component_status"]
        for component_id, status in components.items():
            if status not in allowed:
                problems.append(f"incident.components.{component_id}={status!r} not one of {allowed}")
        if request.method == "POST" and "name" not in incident:
            problems.append("incident.name is required")
        return problems

    def _route(self, request: httpx.Request, body: Any) -> httpx.Response:
        op = self.spec.operation(request.method, request.url.path)
        assert op is not None
        if op.path_params.get("page_id") != self.page_id:
            return httpx.Response(404, json={"message": "The requested resource could not be found."})
        if op.template == "/pages/{page_id}/incidents" and request.method == "POST":
            return httpx.Response(201, json=self._create(body["incident"]))
        if op.template == "/pages/{page_id}/incidents/unresolved" and request.method == "GET":
            return httpx.Response(200, json=[i for i in self.incidents.values() if i["status"] != "resolved"])
        if op.template == "/pages/{page_id}/incidents/{incident_id}" and request.method == "GET":
            incident = self.incidents.get(op.path_params["incident_id"])
            if incident is None:
                return httpx.Response(404, json={"message": "The requested resource could not be found."})
            return httpx.Response(200, json=incident)
        if op.template == "/pages/{page_id}/incidents/{incident_id}" and request.method in {"PATCH", "PUT"}:
            incident = self.incidents.get(op.path_params["incident_id"])
            if incident is None:
                return httpx.Response(404, json={"message": "The requested resource could not be found."})
            return httpx.Response(200, json=self._update(incident, body["incident"]))
        if op.template == "/pages/{page_id}/components/{component_id}" and request.method in {"PATCH", "PUT"}:
            component_id = op.path_params["component_id"]
            status = body["component"].get("status", self.components.get(component_id, "operational"))
            self.components[component_id] = status
            return httpx.Response(200, json={"id": component_id, "page_id": self.page_id, "status": status})
        return httpx.Response(404, json={"message": "not faked"})

    def _create(self, fields: dict[str, Any]) -> dict[str, Any]:
        incident_id = next(self._ids)
        incident = {
            "id": incident_id,
            "page_id": self.page_id,
            "name": fields["name"],
            "status": fields.get("status", "investigating"),
            "impact": fields.get("impact_override", "none"),
            "impact_override": fields.get("impact_override"),
            "metadata": fields.get("metadata", {}),
            "incident_updates": [],
        }
        self.incidents[incident_id] = incident
        return self._update(incident, fields)

    def _update(self, incident: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
        for key in ("name", "status", "impact_override"):
            if key in fields:
                incident[key] = fields[key]
        self.components.update(fields.get("components") or {})
        if "body" in fields:
            incident["incident_updates"].insert(
                0,
                {
                    "incident_id": incident["id"],
                    "status": incident["status"],
                    "body": fields["body"],
                    "affected_components": [
                        {"code": cid, "new_status": st} for cid, st in (fields.get("components") or {}).items()
                    ],
                },
            )
        return incident
