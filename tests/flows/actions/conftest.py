"""A P0 checkout outage, triaged and responded to, for the actions to work on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.scenarios import checkout_outage
from tests.conftest import SENTRY_SECRET


@pytest.fixture
def incident_id(client, warroom, clock) -> int:
    for delivery in checkout_outage(SENTRY_SECRET, events=40, minutes=1, start=clock.now() - timedelta(minutes=1)):
        found = client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers).json()["incident_id"]
    warroom.scheduler.run_pending()
    return found
