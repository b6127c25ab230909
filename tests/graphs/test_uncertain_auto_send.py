"""Auto-send to a customer channel weighs the level below one the on-call is asked about: an uncertain P0 reaches
Discord (auto-send at P0) once a person confirms it, never before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.composition import Warroom
from tests.api.test_severity_question import UNPLACED_P0
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.routing import RoutingTransport
from tests.graphs.steps import set_level
from warroom.settings import ChannelConfig, Settings
from warroom.severity import Severity


@pytest.fixture
def wired(settings: Settings, clock) -> Iterator[tuple[Warroom, TestClient, FakeDiscord]]:
    discord = FakeDiscord()
    configured = settings.model_copy(
        update={
            "discord_webhook_url": SecretStr(discord.webhook_url),
            "channels": {"discord": ChannelConfig(auto_send_at_or_above=Severity.P0)},
        }
    )
    warroom = Warroom.build(configured, clock, transport=RoutingTransport({"discord.com": discord.transport}))
    with TestClient(create_app(warroom, run_worker=False)) as client:
        yield warroom, client, discord
    warroom.close()


def test_an_uncertain_p0_reaches_an_auto_send_customer_channel_only_once_a_person_confirms(wired, clock, auth):
    warroom, client, discord = wired
    incident_id = client.post("/api/alerts", json=UNPLACED_P0, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    c = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["classification"]
    assert (c["severity"], c["confidence"], c["asks_confirmation"]) == ("P0", "uncertain", True)
    assert discord.messages == [], "a one-click 'lower' could not take back a message already posted"
    set_level(client, warroom, auth, incident_id, "P0")
    clock.advance(timedelta(minutes=1))
    warroom.scheduler.run_pending()
    assert len(discord.messages) == 1
