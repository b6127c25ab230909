"""Shared fixtures: a warroom on a temporary SQLite database, driven by a FakeClock; and, for
tests that must hold on both databases, one warroom per module on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.composition import Warroom
from api.scenarios import checkout_outage
from tools.webhooks.base import hmac_sha256_hex
from warroom.clock import FakeClock
from warroom.settings import Settings

pytest_plugins = ["tests.pg"]

SENTRY_SECRET = "sentry-client-secret"
API_TOKEN = "test-api-token"
WEBHOOK_TOKEN = "test-webhook-token"
PAGERDUTY_SECRET = "pd-secret"
SLACK_SECRET = "slack-signing-secret"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'warroom.db'}",
        data_dir=tmp_path / "data",
        sentry_client_secret=SENTRY_SECRET,
        api_token=API_TOKEN,
        webhook_token=WEBHOOK_TOKEN,
        pagerduty_secret=PAGERDUTY_SECRET,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def warroom(settings: Settings, clock: FakeClock) -> Iterator[Warroom]:
    instance = Warroom.build(settings, clock)
    yield instance
    instance.close()


@pytest.fixture
def client(warroom: Warroom) -> Iterator[TestClient]:
    with TestClient(create_app(warroom, run_worker=False)) as test_client:
        yield test_client


@pytest.fixture
def auth() -> dict[str, str]:
    return {"authorization": f"Bearer {API_TOKEN}"}


@pytest.fixture
def post_sentry(client: TestClient) -> Callable[..., Any]:
    """POST a Sentry delivery signed as Sentry signs it (or with the signature given)."""

    def post(payload: dict[str, Any] | bytes, resource: str = "event_alert", signature: str | None = None):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {
            "content-type": "application/json",
            "sentry-hook-resource": resource,
            "sentry-hook-signature": signature if signature is not None else hmac_sha256_hex(SENTRY_SECRET, body),
        }
        return client.post("/webhooks/sentry", content=body, headers=headers)

    return post


def open_outage(client: TestClient, warroom: Warroom, clock: FakeClock) -> int:
    """A P0 checkout outage (40 Sentry errors in a minute) sent through the API and worked until
    nothing is due: triaged, on the status page, war room open, drafts waiting. Its id."""
    for delivery in checkout_outage(SENTRY_SECRET, events=40, minutes=1, start=clock.now() - timedelta(minutes=1)):
        incident_id = client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers).json()[
            "incident_id"
        ]
    warroom.scheduler.run_pending()
    return int(incident_id)


@pytest.fixture
def p0_incident(client: TestClient, warroom: Warroom, clock: FakeClock) -> int:
    return open_outage(client, warroom, clock)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Module-scoped, once per database: tests using it run on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'warroom.db'}"
    return request.getfixturevalue("module_postgres_database_url")


@pytest.fixture(scope="module")
def db_warroom(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warroom]:
    """One warroom per module and database, every secret set; tests keep their keys unique."""
    settings = Settings(
        database_url=db_url,
        data_dir=tmp_path_factory.mktemp("data"),
        sentry_client_secret=SENTRY_SECRET,
        api_token=API_TOKEN,
        webhook_token=WEBHOOK_TOKEN,
        pagerduty_secret=PAGERDUTY_SECRET,
        slack_signing_secret=SLACK_SECRET,
    )
    instance = Warroom.build(settings, FakeClock())
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def db_client(db_warroom: Warroom) -> Iterator[TestClient]:
    with TestClient(create_app(db_warroom, run_worker=False)) as test_client:
        yield test_client
