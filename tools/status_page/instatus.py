"""Instatus (REST API v1) as a `StatusPage`.

Instatus speaks upper-case enums, has no incident impact (only per-component statuses), and
takes a new status and message as an incident *update* (`POST .../incident-updates`) rather than
a patch of the incident. It publishes no rate limit; a 429 is honoured through `Retry-After`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from tools.status_page.http import request_json
from tools.status_page.port import PostMark, StatusPageError, page_components
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
    """One Instatus page. `component_ids` maps service or component names to Instatus component ids;
    unknown names are sent as they are."""

    name = "instatus"

    def __init__(
        self,
        client: httpx.Client,
        page_id: str,
        api_key: str,
        component_ids: dict[str, str] | None = None,
    ) -> None:
        self._client = client
        self._page_id = page_id
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._component_ids = {name.lower(): page_id for name, page_id in (component_ids or {}).items()}

    def create_incident(self, post: StatusPost, mark: PostMark) -> str:
        """Instatus keeps no metadata, so our mark is the headline plus the `started` time, which
        is when the post was queued: an unresolved incident with both is ours from an earlier
        attempt whose answer was lost, and is returned instead of a duplicate."""
        for found in self._send("GET", f"/v1/{self._page_id}/incidents"):
            if (
                found.get("status") != "RESOLVED"
                and found.get("name") == post.title
                and _at(found.get("started")) == _ms(mark.at)
            ):
                return str(found["id"])
        created = self._send("POST", f"/v1/{self._page_id}/incidents", {"name": post.title, **self._update(post, mark)})
        return str(created["id"])

    def update_incident(self, page_incident_id: str, post: StatusPost, mark: PostMark, *, recheck: bool) -> None:
        """Instatus documents no way to read an incident's updates back, so an update that may
        have arrived is not sent again: the outbox leaves it to a human."""
        if recheck:
            raise StatusPageError("instatus cannot show whether this update arrived", outcome_unknown=True)
        path = f"/v1/{self._page_id}/incidents/{page_incident_id}/incident-updates"
        self._send("POST", path, self._update(post, mark))

    def _update(self, post: StatusPost, mark: PostMark) -> dict[str, Any]:
        statuses = [
            {"id": page_id, "status": instatus_component_status(status)}
            for page_id, status in page_components(post, self._component_ids).items()
        ]
        fields: dict[str, Any] = {
            "message": post.body,
            "started": _ms(mark.at).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "status": instatus_incident_status(post.status),
            "notify": True,
        }
        if statuses:
            fields["components"] = [entry["id"] for entry in statuses]
            fields["statuses"] = statuses
        return fields

    def _send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return request_json(self._client, method, path, body, self._headers, "instatus")


def _ms(moment: datetime) -> datetime:
    """To the millisecond, as Instatus keeps times."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _at(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return _ms(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None
