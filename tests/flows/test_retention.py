"""Raw-payload retention: the worker prunes the raw payloads of alerts older than
`raw_payload_retention_days` in bounded batches, every hour, keeping the alerts, their counts and
everything shown; the pages and the investigation say the payload is gone instead of failing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from api.composition import Warroom
from api.scenarios import BROWSERS, sentry_event_alert
from flows.investigation.incident_reads import alert_facts
from flows.retention import PruneRun, RetentionFlow, prune
from tests.conftest import API_TOKEN
from warroom.alerts.retention import prune_raw_payloads, pruned_after_days
from warroom.alerts.tables import AlertRow
from warroom.clock import FakeClock
from warroom.kinds import JobKind
from warroom.scheduler.tables import JobRow
from warroom.settings import Settings

START = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def _send(post_sentry: Any, clock: FakeClock, issue: str, count: int, path: str = "/api/search") -> int:
    """`count` events of one Sentry issue, a second apart; the incident they opened."""
    incident_id = 0
    for n in range(count):
        at = clock.now() - timedelta(seconds=count - n)
        payload = sentry_event_alert(
            event_id=uuid.uuid4().hex,
            issue_id=issue,
            at=at,
            path=path,
            user_id=f"user-{issue}-{n}",
            browser=BROWSERS[n % len(BROWSERS)],
            region="eu-west-1",
            title=f"SearchTimeout {issue}: the index did not answer",
        )
        response = post_sentry(payload)
        assert response.status_code == 202, response.text
        incident_id = response.json()["incident_id"]
    return incident_id


def _rows(warroom: Warroom, incident_id: int) -> list[Any]:
    with warroom.engine.connect() as conn:
        return conn.execute(
            select(AlertRow.id, AlertRow.alert, AlertRow.raw_pruned_at)
            .where(AlertRow.incident_id == incident_id)
            .order_by(AlertRow.id)
        ).all()


def _counts(client: Any, auth: dict[str, str], incident_id: int) -> tuple[Any, ...]:
    found = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    return found["event_count"], found["alert_count"], found["users_affected"], found["endpoints"]


def _retention_jobs(warroom: Warroom, state: str = "pending") -> list[Any]:
    with warroom.engine.connect() as conn:
        return conn.execute(
            select(JobRow.key, JobRow.due_at).where(JobRow.kind == JobKind.RETENTION_PRUNE.value, JobRow.state == state)
        ).all()


def test_older_payloads_are_pruned_newer_kept_and_nothing_shown_changes(
    warroom, client, clock, post_sentry, auth
) -> None:
    old = _send(post_sentry, clock, "7001", 3)
    warroom.scheduler.run_pending()
    clock.advance(timedelta(days=60))
    new = _send(post_sentry, clock, "7002", 2, path="/api/catalog")
    warroom.scheduler.run_pending()
    before = {i: _counts(client, auth, i) for i in (old, new)}
    kept_before = {r.id: r.alert for r in _rows(warroom, old)}

    clock.advance(timedelta(days=31))  # the first incident's alerts are 91 days old, the second's 31
    RetentionFlow(warroom.context).seed()
    [(_, due)] = _retention_jobs(warroom)
    assert due == datetime(2026, 6, 1, 11, 0, tzinfo=UTC)  # the next whole hour
    clock.set(due)
    warroom.scheduler.run_pending()

    pruned = _rows(warroom, old)
    assert [r.raw_pruned_at for r in pruned] == [due] * 3
    for row in pruned:
        assert "raw" not in row.alert
        assert row.alert == {k: v for k, v in kept_before[row.id].items() if k != "raw"}
    assert all(r.raw_pruned_at is None and r.alert["raw"]["event_id"] for r in _rows(warroom, new))
    assert {i: _counts(client, auth, i) for i in (old, new)} == before
    # the next run is at the next hour, once
    assert [due for _, due in _retention_jobs(warroom)] == [due + timedelta(hours=1)]
    assert len(_retention_jobs(warroom, "done")) == 1


def test_a_batch_prunes_at_most_its_limit_oldest_first_and_a_run_goes_batch_by_batch(
    warroom, clock, post_sentry
) -> None:
    incident = _send(post_sentry, clock, "7101", 5)
    warroom.scheduler.run_pending()
    clock.advance(timedelta(days=91))
    with warroom.engine.begin() as conn:
        assert prune_raw_payloads(conn, received_before=clock.now() - timedelta(days=90), now=clock.now(), limit=2) == 2
    assert [r.raw_pruned_at is not None for r in _rows(warroom, incident)] == [True, True, False, False, False]

    run = prune(warroom.context, batch=2)
    assert run == PruneRun(pruned=3, batches=2, more=False)
    assert all(r.raw_pruned_at is not None for r in _rows(warroom, incident))


def test_pruning_is_idempotent(warroom, clock, post_sentry) -> None:
    incident = _send(post_sentry, clock, "7201", 2)
    warroom.scheduler.run_pending()
    clock.advance(timedelta(days=100))
    assert prune(warroom.context).pruned == 2
    first = _rows(warroom, incident)
    clock.advance(timedelta(hours=1))
    assert prune(warroom.context) == PruneRun(pruned=0, batches=0, more=False)
    assert _rows(warroom, incident) == first  # same JSON, same pruned_at


def test_a_run_that_spends_its_budget_continues_in_a_moment_as_a_new_job(warroom, clock, post_sentry) -> None:
    _send(post_sentry, clock, "7301", 3)
    warroom.scheduler.run_pending()
    clock.advance(timedelta(days=91))
    flow = RetentionFlow(warroom.context)
    assert prune(warroom.context, batch=1, budget_seconds=0) == PruneRun(pruned=1, batches=1, more=True)

    flow.seed()
    clock.set(_retention_jobs(warroom)[0].due_at)
    warroom.scheduler.run_pending()  # the hour's run prunes the remaining two
    with warroom.engine.connect() as conn:
        left = conn.execute(select(AlertRow.id).where(AlertRow.raw_pruned_at.is_(None))).all()
    assert left == []


def test_a_full_run_schedules_its_continuation_two_seconds_later(warroom, clock, post_sentry, monkeypatch) -> None:
    _send(post_sentry, clock, "7401", 2)
    warroom.scheduler.run_pending()
    clock.advance(timedelta(days=91))
    monkeypatch.setattr("flows.retention.prune", lambda ctx: PruneRun(pruned=1000, batches=1, more=True))
    RetentionFlow(warroom.context).seed()
    clock.set(_retention_jobs(warroom)[0].due_at)
    warroom.scheduler.run_pending()
    assert [due for _, due in _retention_jobs(warroom)] == [clock.now() + timedelta(seconds=2)]


def test_zero_days_keeps_every_payload_and_schedules_nothing(settings: Settings, clock, post_sentry) -> None:
    forever = Warroom.build(settings.model_copy(update={"raw_payload_retention_days": 0}), clock)
    try:
        flow = RetentionFlow(forever.context)
        flow.seed()
        assert _retention_jobs(forever) == []
        with forever.engine.begin() as conn:
            conn.execute(AlertRow.__table__.insert(), [_old_alert(clock.now() - timedelta(days=400))])
        assert prune(forever.context) == PruneRun(pruned=0, batches=0, more=False)
    finally:
        forever.close()


def _old_alert(at: datetime) -> dict[str, Any]:
    return {
        "delivery_key": f"api:{uuid.uuid4().hex}",
        "dedup_key": "api:old",
        "source": "api",
        "event_type": "",
        "status": "firing",
        "title": "old",
        "occurred_at": at,
        "received_at": at,
        "event_count": 1,
        "alert": {"source": "api", "raw": {"big": "x" * 100}},
    }


def test_a_worker_start_seeds_the_hourly_run(warroom) -> None:
    warroom.scheduler.start(poll_seconds=60)
    warroom.scheduler.stop()
    [(key, due)] = _retention_jobs(warroom)
    assert key == f"retention:raw:{due.isoformat()}" and due.minute == 0 and due > warroom.clock.now()


def test_the_incident_page_and_the_investigation_say_the_payload_was_pruned(
    warroom, client, clock, post_sentry
) -> None:
    incident = _send(post_sentry, clock, "7501", 2, path="/api/checkout")
    warroom.scheduler.run_pending()
    with warroom.engine.connect() as conn:
        [fact] = alert_facts(conn, [incident])
    assert fact.exception and fact.release and fact.payload_pruned_days is None
    clock.advance(timedelta(days=90, hours=2))
    prune(warroom.context)

    with warroom.engine.connect() as conn:
        [fact] = alert_facts(conn, [incident])
        assert pruned_after_days(conn, incident) == 90
    assert (fact.exception, fact.release, fact.culprit, fact.payload_pruned_days) == (None, None, None, 90)
    assert "(payload pruned after 90 days)" in fact.summary()
    assert client.post("/login", data={"token": API_TOKEN, "next": "/incidents"}, follow_redirects=False).is_redirect
    page = client.get(f"/incidents/{incident}")
    assert page.status_code == 200
    assert "Raw payloads pruned after 90 days" in page.text
    assert json.dumps(fact.tags)  # the normalised fields (tags, title, counts) are all still there
