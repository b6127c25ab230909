"""Instatus (REST API v1) as a `StatusPage`.

Instatus speaks upper-case enums, has no incident impact (only per-component statuses), and
takes a new status and message as an incident *update* (`POST .../incident-updates`) rather than
a patch of the incident. It publishes no rate limit; a 429 is honoured through `Retry-After`.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import httpx

from tools.status_page.http import request_json
from warroom.clock import Clock, SystemClock
from warroom.incidents.models import IncidentStatus
from warroom.status_page.models import ComponentStatus, StatusPost

__all__ = ["Instatus", "instatus_component_status", "instatus_incident_status"]

_COMPONENT_STATUS = {
    ComponentStatus.OPERATIONAL: "OPERATIONAL",
    ComponentStatus.DEGRADED_PERFORMANCE: "DEGRADEDPERFORMANCE",
    ComponentStatus.PARTIAL_OUTAGE: "PARTIALOUTAGE",
    ComponentStatus.MAJOR_OUTAGE: "MAJOROUTAGE",
    ComponentStatus.UNDER_MAINTENANCE: "UNDERMAINTENANCE",
}


def instatus_incident_status(status: IncidentStatus) -> str:
    return status.value.upper()


def instatus_component_status(status: ComponentStatus) -> str:
    return _COMPONENT_STATUS[status]


class Instatus:
    """One Instatus page. `component_ids` maps our component names to Instatus component ids;
    unknown names are sent as they are. `clock` stamps each update's `started` time."""

    name = "instatus"

    def __init__(
        self,
        client: httpx.Client,
        page_id: str,
        api_key: str,
        component_ids: dict[str, str] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._client = client
        self._page_id = page_id
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._component_ids = {name.lower(): page_id for name, page_id in (component_ids or {}).items()}
        self._clock = clock or SystemClock()

    def create_incident(self, post: StatusPost) -> str:
        created = self._send("POST", f"/v1/{self._page_id}/incidents", {"name": post.title, **self._update(post)})
        return str(created["id"])

    def update_incident(self, page_incident_id: str, post: StatusPost) -> None:
        self._send("POST", f"/v1/{self._page_id}/incidents/{page_incident_id}/incident-updates", self._update(post))

    def _update(self, post: StatusPost) -> dict[str, Any]:
        statuses = [  # only components the page knows: an unknown id would fail the whole post
            {"id": self._component_ids[name.lower()], "status": instatus_component_status(status)}
            for name, status in post.components.items()
            if name.lower() in self._component_ids
        ]
        started = self._clock.now().astimezone(UTC)
        fields: dict[str, Any] = {
            "message": post.body,
            "started": started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "status": instatus_incident_status(post.status),
            "notify": True,
        }
        if statuses:
            fields["components"] = [entry["id"] for entry in statuses]
            fields["statuses"] = statuses
        return fields

    def _send(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return request_json(self._client, method, path, body, self._headers, "instatus")
