"""Atlassian Statuspage (REST API v1) as a `StatusPage`.

Our vocabulary is Statuspage's own for incident status, impact and component status, so the
mapping is mostly the identity; what this module adds is the request shape (`{"incident": ...}`),
the `Authorization: OAuth <key>` header, and errors that say when to retry (Statuspage answers
420 or 429 when a token exceeds 1 request/s over a rolling minute). Retrying is the outbox's job.
"""

from __future__ import annotations

from typing import Any

import httpx

from tools.status_page.http import request_json
from tools.status_page.port import PostMark, page_components
from warroom.status_page.models import ComponentStatus, StatusPost

__all__ = ["AtlassianStatuspage"]


class AtlassianStatuspage:
    """One Statuspage page. `component_ids` maps service or component names to the page's ids;
    a name it does not know is sent as it is, so callers may also use page ids directly."""

    name = "statuspage"

    def __init__(
        self,
        client: httpx.Client,
        page_id: str,
        api_key: str,
        component_ids: dict[str, str] | None = None,
    ) -> None:
        self._client = client
        self._page_id = page_id
        self._headers = {"Authorization": f"OAuth {api_key}"}
        self._component_ids = {name.lower(): page_id for name, page_id in (component_ids or {}).items()}

    def create_incident(self, post: StatusPost, mark: PostMark) -> str:
        """Our mark rides in the incident's metadata; an unresolved incident carrying it is ours
        from an earlier attempt whose answer was lost, and is returned instead of a duplicate."""
        unresolved = self._send("GET", f"/pages/{self._page_id}/incidents/unresolved", params={"per_page": 100})
        for found in unresolved:
            if ((found.get("metadata") or {}).get("warroom") or {}).get("key") == mark.key:
                return str(found["id"])
        incident = self._incident_fields(post)
        incident["metadata"] = {"warroom": {"incident_id": str(post.incident_id), "key": mark.key}}
        created = self._send("POST", f"/pages/{self._page_id}/incidents", {"incident": incident})
        return str(created["id"])

    def update_incident(self, page_incident_id: str, post: StatusPost, mark: PostMark, *, recheck: bool) -> None:
        """On a recheck, the incident's latest update already saying this (same status and
        words) means the earlier attempt arrived."""
        path = f"/pages/{self._page_id}/incidents/{page_incident_id}"
        if recheck:
            latest = (self._send("GET", path).get("incident_updates") or [{}])[0]
            if latest.get("body") == post.body and latest.get("status") == post.status.value:
                return
        self._send("PATCH", path, {"incident": self._incident_fields(post)})

    def set_component_status(self, component_id: str, status: ComponentStatus) -> None:
        """Set one component outside any incident (e.g. back to operational after the all-clear)."""
        page_component = self._component_ids.get(component_id, component_id)
        self._send(
            "PATCH",
            f"/pages/{self._page_id}/components/{page_component}",
            {"component": {"status": status.value}},
        )

    def _incident_fields(self, post: StatusPost) -> dict[str, Any]:
        """Component fields are sent only when the post names components: an empty
        `component_ids` on an update would detach the ones the incident already has."""
        fields: dict[str, Any] = {
            "name": post.title,
            "status": post.status.value,
            "body": post.body,
            "impact_override": post.impact.value,
        }
        # Only components the page knows: an unknown id would make Statuspage refuse the whole post.
        components = {page_id: status.value for page_id, status in page_components(post, self._component_ids).items()}
        if components:
            fields["component_ids"] = list(components)
            fields["components"] = components
        return fields

    def _send(
        self, method: str, path: str, body: dict[str, Any] | None = None, params: dict[str, Any] | None = None
    ) -> Any:
        return request_json(self._client, method, path, body, self._headers, "statuspage", params)
