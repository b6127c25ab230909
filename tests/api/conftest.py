"""A warroom wired to the fake Slack (signing secret, bot token, Web API URL) for the Slack door's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.composition import Warroom
from tests.fakes.slack_server import FakeSlack
from warroom.settings import Settings

SLACK_SECRET = "slack-signing-secret"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake
    assert fake.violations == []


@pytest.fixture
def slack_warroom(settings: Settings, clock, slack: FakeSlack) -> Iterator[tuple[Warroom, TestClient]]:
    configured = settings.model_copy(
        update={
            "slack_signing_secret": SecretStr(SLACK_SECRET),
            "slack_bot_token": SecretStr(slack.token),
            "slack_api_url": slack.base_url,
        }
    )
    warroom = Warroom.build(configured, clock)
    with TestClient(create_app(warroom, run_worker=False)) as client:
        yield warroom, client
    warroom.close()
