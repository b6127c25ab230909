"""An API process and a worker process of one installation, in one interpreter (two `Warroom`s on
one database and data folder, as `warroom serve` lays them out): the worker runs a new incident's
triage at once although it polls only once a minute, because the API nudged it; and the API's
public status page shows the worker's post on the next request although its cache would not
recheck the database for a minute, because the worker nudged it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.composition import Warroom
from api.scenarios import checkout_outage
from api.status_cache import StatusPageCache
from tests.conftest import SENTRY_SECRET
from warroom.clock import utcnow
from warroom.kinds import TimelineKind
from warroom.settings import Settings

POLL_SECONDS = 60.0


@pytest.fixture
def api_and_worker(settings: Settings) -> Iterator[tuple[Warroom, Warroom, TestClient]]:
    api, worker = Warroom.build(settings), Warroom.build(settings)
    api.status_cache = StatusPageCache(recheck_seconds=POLL_SECONDS)
    api.listen("api")
    worker.listen("worker")
    worker.scheduler.start(poll_seconds=POLL_SECONDS)
    try:
        with TestClient(create_app(api, run_worker=False)) as client:
            time.sleep(0.2)  # the worker's first round (nothing due) is behind it
            yield api, worker, client
    finally:
        worker.close()
        api.close()


def _wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_the_worker_triages_at_once_when_the_api_nudges_it(api_and_worker) -> None:
    api, _, client = api_and_worker
    before = client.get("/status.json").json()
    assert before["active_incidents"] == []
    deliveries = checkout_outage(SENTRY_SECRET, events=30, minutes=1, start=utcnow() - timedelta(minutes=1))
    sent = time.monotonic()
    for delivery in deliveries:
        incident_id = client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers).json()[
            "incident_id"
        ]

    def posted() -> bool:
        incident = client.get(f"/api/incidents/{incident_id}", headers={"authorization": "Bearer test-api-token"})
        return any(entry["kind"] == TimelineKind.STATUS_PAGE for entry in incident.json()["timeline"])

    assert _wait_for(posted), "the worker never triaged the incident"
    assert time.monotonic() - sent < POLL_SECONDS / 4  # the nudge, not the poll

    def on_the_page() -> bool:
        return len(client.get("/status.json").json()["active_incidents"]) == 1

    # The API's cache held the empty page and would not look again for a minute on its own.
    assert _wait_for(on_the_page, 5), "the status page kept the stale rendering"
