"""The weekly digest posted to the team's Slack channel (`digest_slack_channel`), through the outbox,
once per week: a rate-limited first attempt is retried and still posts one message (the fake
checks every call against Slack's Web API spec)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.composition import Warroom
from tests.conftest import open_outage
from tests.fakes.slack_server import FakeSlack
from warroom.clock import FakeClock
from warroom.settings import Settings


@pytest.fixture
def digest_to_slack(settings: Settings, slack: FakeSlack) -> Iterator[tuple[Warroom, TestClient, FakeClock]]:
    clock = FakeClock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))  # Tuesday of 2026-W48
    configured = settings.model_copy(
        update={
            "slack_bot_token": SecretStr(slack.token),
            "slack_api_url": slack.base_url,
            "digest_slack_channel": "#eng",
        }
    )
    warroom = Warroom.build(configured, clock)
    with TestClient(create_app(warroom, run_worker=False)) as client:
        yield warroom, client, clock
    warroom.close()


def test_the_monday_digest_is_posted_to_the_chosen_channel_once(digest_to_slack, slack: FakeSlack, auth):
    warroom, client, clock = digest_to_slack
    eng = slack.add_channel("eng")
    incident_id = open_outage(client, warroom, clock)
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=auth)
    warroom.scheduler.run_pending()

    slack.fail_next(method="chat.postMessage")  # rate limited once: retried after Retry-After
    clock.set(datetime(2026, 11, 30, 9, 0, 5, tzinfo=UTC))
    warroom.scheduler.run_pending()
    clock.advance(timedelta(minutes=2))
    warroom.scheduler.run_pending()
    digests = [m for m in eng.messages.values() if "warroom weekly digest 2026-W48" in (m["text"] or "")]
    assert len(digests) == 1
    assert "Incidents opened: 1 (1 P0)" in digests[0]["text"]
    clock.advance(timedelta(hours=1))
    warroom.scheduler.run_pending()
    assert len([m for m in eng.messages.values() if "weekly digest 2026-W48" in (m["text"] or "")]) == 1
