"""Approved comms leave through every configured channel exactly once: SMTP (a real aiosmtpd
server on loopback), a Discord webhook and the X API (fakes checked against their specs)."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.composition import Warroom
from api.scenarios import checkout_outage
from tests.conftest import SENTRY_SECRET
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.routing import RoutingTransport
from tests.fakes.x_server import FakeX
from warroom.scheduler.store import schedule
from warroom.settings import Settings


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default))
        )
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def channels(settings: Settings, clock, inbox) -> Iterator[tuple[Warroom, TestClient, FakeDiscord, FakeX]]:
    discord, x = FakeDiscord(), FakeX()
    configured = settings.model_copy(
        update={
            "smtp_url": SecretStr(f"smtp://127.0.0.1:{inbox[1]}"),
            "discord_webhook_url": SecretStr(discord.webhook_url),
            "x_bearer_token": SecretStr(x.user_token),
        }
    )
    warroom = Warroom.build(
        configured, clock, transport=RoutingTransport({"discord.com": discord.transport, "api.x.com": x.transport})
    )
    with TestClient(create_app(warroom, run_worker=False)) as client:
        yield warroom, client, discord, x
    warroom.close()
    assert discord.violations == [] and x.violations == []


def test_each_channel_sends_each_approved_draft_exactly_once(channels, inbox, clock, auth):
    warroom, client, discord, x = channels
    for delivery in checkout_outage(SENTRY_SECRET, events=30, minutes=1, start=clock.now() - timedelta(minutes=1)):
        incident_id = client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers).json()[
            "incident_id"
        ]
    warroom.scheduler.run_pending()
    drafts = {
        d["channel"]: d for d in client.get("/api/approvals", params={"incident_id": incident_id}, headers=auth).json()
    }
    assert {"email", "discord", "x"} <= set(drafts)
    for channel in ("email", "discord", "x"):
        assert (
            client.post(
                f"/api/approvals/{drafts[channel]['id']}/approve", json={"actor": "founder"}, headers=auth
            ).status_code
            == 200
        )
    warroom.scheduler.run_pending()

    with warroom.engine.begin() as conn:
        for channel in ("email", "discord", "x"):
            schedule(
                conn,
                key=f"replay:{channel}",
                kind="draft.wake",
                due_at=clock.now(),
                payload={"draft_id": drafts[channel]["id"]},
            )
    warroom.scheduler.run_pending()
    clock.advance(timedelta(minutes=5))
    warroom.scheduler.run_pending()

    recipients = sorted(to for tos, _ in inbox[0].received for to in tos)
    assert recipients == sorted(drafts["email"]["recipients"])
    assert len(discord.messages) == 1 and discord.messages[0]["content"] == drafts["discord"]["body"][:2000]
    assert [p["text"] for p in x.posts.values()] == [drafts["x"]["body"]]
    states = {
        d["channel"]: d["state"]
        for d in client.get(
            "/api/approvals", params={"incident_id": incident_id, "state": ["sent"]}, headers=auth
        ).json()
    }
    assert states["email"] == states["discord"] == states["x"] == "sent"


def test_a_rate_limited_discord_post_is_retried_not_lost(channels, clock, auth):
    warroom, client, discord, _ = channels
    discord.rate_limit_next(1, retry_after=2.0)
    for delivery in checkout_outage(SENTRY_SECRET, events=30, minutes=1, start=clock.now() - timedelta(minutes=1)):
        incident_id = client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers).json()[
            "incident_id"
        ]
    warroom.scheduler.run_pending()
    [draft] = [
        d
        for d in client.get("/api/approvals", params={"incident_id": incident_id}, headers=auth).json()
        if d["channel"] == "discord"
    ]
    client.post(f"/api/approvals/{draft['id']}/approve", json={"actor": "founder"}, headers=auth)
    warroom.scheduler.run_pending()
    assert discord.messages == []
    clock.advance(timedelta(seconds=2))
    warroom.scheduler.run_pending()
    assert len(discord.messages) == 1
