"""Failures you can see: `/readyz` fails while the scheduler or the outbox stands still, `/metrics`
carries the backlog and the lag, and every failed send attempt is a log line with its reason."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.conftest import open_outage
from warroom.outbox.store import enqueue
from warroom.scheduler.store import schedule
from warroom.settings import Person, Settings


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    return settings.model_copy(update=getattr(request, "param", {}))


def _metric(text: str, name: str) -> float:
    [line] = [line for line in text.splitlines() if line.startswith(f"{name} ")]
    return float(line.split()[1])


def test_readyz_fails_when_due_work_is_not_taken_and_recovers_once_it_runs(client, warroom, clock, auth):
    assert client.get("/readyz").status_code == 200
    with warroom.engine.begin() as conn:
        schedule(conn, key="due", kind="incident.enrich", due_at=clock.now(), payload={"incident_id": 1})
    clock.advance(timedelta(seconds=100))
    assert client.get("/readyz").status_code == 200  # due, but not for long
    clock.advance(timedelta(seconds=30))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "scheduler stalled: a job has been due for 130 s" in response.text
    metrics = client.get("/metrics", headers=auth).text
    assert _metric(metrics, "warroom_scheduler_lag_seconds") == 130.0
    assert _metric(metrics, "warroom_jobs_pending") == 1.0
    warroom.scheduler.run_pending()  # the scheduler moves again (the job fails: no such incident; retried later)
    assert client.get("/readyz").status_code == 200


def test_a_stuck_outbox_fails_readiness(client, warroom, clock):
    with warroom.engine.begin() as conn:
        enqueue(conn, key="stuck-send", kind="comms.discord", now=clock.now(), payload={"body": "d", "draft_id": 1})
    clock.advance(timedelta(minutes=3))
    response = client.get("/readyz")
    assert response.status_code == 503 and "outbox stuck" in response.text


def test_each_failed_send_attempt_is_logged_with_its_reason_and_counted(warroom, clock, caplog, client, auth):
    with warroom.engine.begin() as conn:
        enqueue(conn, key="page-down", kind="page.email", now=clock.now(), payload={"to": "a@b.example"})

    def smtp_down(item):
        raise ConnectionRefusedError("SMTP server at mail.example:587 refused the connection")

    warroom.scheduler.outbox.register("page.email", smtp_down)
    with caplog.at_level(logging.WARNING, logger="warroom.outbox.worker"):
        warroom.scheduler.run_pending()
    [record] = [r for r in caplog.records if "page-down" in r.getMessage()]
    assert "attempt 1 failed, retrying in" in record.getMessage()
    assert "refused the connection" in record.getMessage()
    metrics = client.get("/metrics", headers=auth).text
    assert 'warroom_outbox_send_failures_total{final="false",kind="page.email"}' in metrics


def test_the_worker_serves_health_readiness_and_metrics(warroom, clock):
    from fastapi.testclient import TestClient

    from api.app import health_app

    with TestClient(health_app(warroom)) as worker:
        assert worker.get("/healthz").json()["status"] == "ok"
        assert worker.get("/readyz").json()["status"] == "ready"
        assert worker.get("/api/incidents").status_code == 404  # nothing but health


@pytest.mark.parametrize("settings", [{"on_call": Person(name="dana", email="dana@example.com")}], indirect=True)
def test_an_incident_opening_and_its_page_are_log_lines(client, warroom, clock, caplog):
    with caplog.at_level(logging.INFO):
        incident_id = open_outage(client, warroom, clock)
    lines = [r.getMessage() for r in caplog.records]
    assert f"incident #{incident_id} rated P0 by rules" in lines
    assert any(line.startswith(f"incident #{incident_id} opened at P0: ") for line in lines)
    assert f"paging dana (email) for incident #{incident_id}" in lines
