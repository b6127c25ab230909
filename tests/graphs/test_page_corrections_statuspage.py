"""The corrections reach Atlassian Statuspage (the fake checks each request against its spec): the component
follows every level a person sets, and the all-clear makes it operational."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.composition import Warroom
from tests.fakes.routing import RoutingTransport
from tests.graphs.steps import set_level
from tests.graphs.test_integrations import fakes  # noqa: F401
from tests.graphs.test_lowered_page import CHECKOUT_DOWN, _open


def test_every_correction_reaches_atlassian_statuspage_components(settings, clock, fakes, auth):  # noqa: F811
    statuspage, _, _ = fakes
    configured = settings.model_copy(
        update={
            "statuspage_api_key": SecretStr(statuspage.api_key),
            "statuspage_page_id": statuspage.page_id,
            "status_page_components": {"checkout": "8kbf7d35c070"},
        }
    )
    warroom = Warroom.build(configured, clock, transport=RoutingTransport({"api.statuspage.io": statuspage.transport}))
    try:
        with TestClient(create_app(warroom, run_worker=False)) as client:
            incident_id = _open(client, warroom, auth, CHECKOUT_DOWN, "P0")
            seen = [statuspage.components["8kbf7d35c070"]]
            for level in ("P1", "P2", "P3", "P1"):
                set_level(client, warroom, auth, incident_id, level)
                seen.append(statuspage.components["8kbf7d35c070"])
            [incident] = statuspage.incidents.values()
            assert incident.get("impact_override") == "major"
            client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=auth)
            warroom.scheduler.run_pending()
            seen.append(statuspage.components["8kbf7d35c070"])
            assert seen == [
                "major_outage",
                "partial_outage",
                "degraded_performance",
                "operational",
                "partial_outage",
                "operational",
            ]
    finally:
        warroom.close()
