"""Group commit on ingest (issue 15), on SQLite and on PostgreSQL: deliveries queued while a
transaction is written share the next one; each request is answered once, after its own rows
are committed; a failed batch fails only its bad delivery; idempotency and correlation hold
within a batch; the scheduler is woken once per batch that scheduled work."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select

from api.app import create_app
from api.composition import Warroom
from api.scenarios import checkout_outage
from tests.api.test_webhooks_sources import PATHS, credentials, firing_payload
from tests.conftest import API_TOKEN, PAGERDUTY_SECRET, SENTRY_SECRET, WEBHOOK_TOKEN
from tools.webhooks import sentry
from warroom.alerts import group_commit, store
from warroom.alerts.group_commit import GroupCommit
from warroom.alerts.models import Alert
from warroom.alerts.store import IngestOutcome
from warroom.alerts.tables import AlertRow
from warroom.clock import FakeClock
from warroom.incidents.tables import IncidentRow
from warroom.kinds import JobKind
from warroom.scheduler.tables import JobRow
from warroom.settings import Settings


@pytest.fixture(params=["sqlite", "postgresql"])
def warroom(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Iterator[Warroom]:
    """A fresh database per test: every test here opens its own incidents."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'warroom.db'}"
    else:
        url = request.getfixturevalue("postgres_database_url")
    settings = Settings(
        database_url=url,
        data_dir=tmp_path / "data",
        api_token=API_TOKEN,
        sentry_client_secret=SENTRY_SECRET,
        webhook_token=WEBHOOK_TOKEN,
        pagerduty_secret=PAGERDUTY_SECRET,
    )
    instance = Warroom.build(settings, clock)
    yield instance
    instance.close()


class Wakes:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def wakes() -> Wakes:
    return Wakes()


@pytest.fixture
def commit(warroom: Warroom, clock: FakeClock, wakes: Wakes) -> GroupCommit:
    """The warroom's group commit, with the scheduler's wake counted instead."""
    return GroupCommit(warroom.engine, clock, warroom.settings, wake=wakes)


@pytest.fixture
def transactions(warroom: Warroom) -> Iterator[list[int]]:
    """One entry per commit on the warroom's engine while the test runs."""
    seen: list[int] = []

    def committed(_conn: Any) -> None:
        seen.append(1)

    event.listen(warroom.engine, "commit", committed)
    yield seen
    event.remove(warroom.engine, "commit", committed)


def sentry_alerts(clock: FakeClock, events: int, seed: int = 1) -> list[Alert]:
    """`events` events of one new Sentry issue on /api/checkout, one alert per delivery."""
    deliveries = checkout_outage(
        SENTRY_SECRET, events=events, minutes=1, start=clock.now() - timedelta(minutes=1), seed=seed
    )
    return [
        sentry.normalise(json.loads(d.body), {k.lower(): v for k, v in d.headers.items()}, clock.now())[0]
        for d in deliveries
    ]


def count(warroom: Warroom, table: Any, *where: Any) -> int:
    with warroom.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def run(coroutine: Any) -> Any:
    """Run on a fresh loop whose unhandled errors (a future answered twice) fail the test."""
    errors: list[dict[str, Any]] = []

    async def main() -> Any:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, context: errors.append(context))
        return await coroutine

    result = asyncio.run(main())
    assert errors == []
    return result


def test_deliveries_queued_together_are_one_transaction_and_all_committed_before_any_answer(
    warroom, commit, transactions, clock
):
    alerts = sentry_alerts(clock, 12)
    stored_when_answered: list[int] = []

    async def deliver(alert: Alert) -> list[IngestOutcome]:
        outcomes = await commit.submit([alert])
        stored_when_answered.append(count(warroom, AlertRow.__table__))
        return outcomes

    async def all_at_once() -> list[list[IngestOutcome]]:
        return await asyncio.gather(*(deliver(alert) for alert in alerts))

    results = run(all_at_once())
    assert len(transactions) == 1
    assert stored_when_answered == [len(alerts)] * len(alerts)
    assert [len(r) for r in results] == [1] * len(alerts)
    assert len({r[0].alert_id for r in results}) == len(alerts)


def test_ten_events_of_a_new_issue_in_one_batch_open_one_incident_and_wake_the_scheduler_once(
    warroom, commit, wakes, clock
):
    written = commit.write([[alert] for alert in sentry_alerts(clock, 10)])

    assert not any(isinstance(w, Exception) for w in written)
    assert len({w[0].incident_id for w in written if not isinstance(w, Exception)}) == 1
    assert count(warroom, IncidentRow.__table__) == 1
    assert count(warroom, JobRow.__table__, JobRow.kind == JobKind.INCIDENT_START) == 1
    assert wakes.count == 1
    with warroom.engine.connect() as conn:
        assert tuple(conn.execute(select(IncidentRow.event_count, IncidentRow.alert_count)).one()) == (10, 10)


def test_a_redelivery_in_the_same_batch_as_its_original_is_a_duplicate(warroom, commit, clock):
    first, second = sentry_alerts(clock, 2)
    again = first.model_copy()

    original, other, redelivered = commit.write([[first], [second], [again]])

    assert not isinstance(original, Exception) and not isinstance(redelivered, Exception)
    assert not isinstance(other, Exception)
    assert original[0].deduplicated is False and redelivered[0].deduplicated is True
    assert redelivered[0].alert_id == original[0].alert_id
    assert count(warroom, AlertRow.__table__) == 2


def test_a_batch_that_scheduled_nothing_does_not_wake_the_scheduler(warroom, commit, wakes, clock):
    alerts = sentry_alerts(clock, 2)
    commit.write([[alert] for alert in alerts])
    wakes.count = 0

    commit.write([[alert] for alert in alerts])  # both redeliveries

    assert wakes.count == 0


def test_a_failed_batch_fails_only_the_bad_request_and_answers_each_once(
    warroom, commit, monkeypatch, transactions, clock
):
    alerts = sentry_alerts(clock, 5)
    bad = alerts[2].delivery_key
    real = store.correlation_keys

    def correlation_keys(alert: Alert) -> list[str]:
        if alert.delivery_key == bad:
            raise ValueError("this delivery cannot be stored")
        return real(alert)

    monkeypatch.setattr(store, "correlation_keys", correlation_keys)

    async def all_at_once() -> list[Any]:
        return await asyncio.gather(*(commit.submit([alert]) for alert in alerts), return_exceptions=True)

    results = run(all_at_once())

    assert [isinstance(r, ValueError) for r in results] == [False, False, True, False, False]
    assert [r[0].deduplicated for r in results if isinstance(r, list)] == [False] * 4
    assert count(warroom, AlertRow.__table__) == 4
    assert count(warroom, AlertRow.__table__, AlertRow.delivery_key == bad) == 0
    assert len(transactions) == 4  # the batch rolled back, then each delivery alone
    with warroom.engine.connect() as conn:
        assert conn.execute(select(IncidentRow.event_count)).scalar_one() == 4  # nothing counted twice


def test_a_batch_whose_transaction_fails_once_is_written_delivery_by_delivery(warroom, commit, monkeypatch, clock):
    alerts = sentry_alerts(clock, 4)
    real = group_commit.lock_correlation_keys
    failures: list[int] = []

    def lock_once_failing(conn: Any, batch: list[Alert]) -> None:
        if not failures:
            failures.append(len(batch))
            raise ConnectionError("the database went away for a moment")
        real(conn, batch)

    monkeypatch.setattr(group_commit, "lock_correlation_keys", lock_once_failing)

    written = commit.write([[alert] for alert in alerts])

    assert failures == [4]
    assert [isinstance(w, Exception) for w in written] == [False] * 4
    assert count(warroom, AlertRow.__table__) == 4
    assert count(warroom, IncidentRow.__table__) == 1


def test_a_cancelled_request_is_still_written_once_and_its_redelivery_recognised(warroom, commit, clock):
    alerts = sentry_alerts(clock, 3)

    async def cancel_one() -> tuple[bool, list[IngestOutcome]]:
        tasks = [asyncio.create_task(commit.submit([alert])) for alert in alerts]
        await asyncio.sleep(0)  # every task has queued its delivery; the write has not run yet
        tasks[0].cancel()
        done = await asyncio.gather(*tasks, return_exceptions=True)
        return isinstance(done[0], asyncio.CancelledError), await commit.submit([alerts[0].model_copy()])

    cancelled, redelivered = run(cancel_one())

    assert cancelled
    assert count(warroom, AlertRow.__table__) == 3
    assert count(warroom, AlertRow.__table__, AlertRow.delivery_key == alerts[0].delivery_key) == 1
    assert redelivered[0].deduplicated is True


def test_every_source_delivered_at_once_shares_one_transaction(warroom, transactions):
    """Sentry, PagerDuty, Alertmanager, Grafana, Datadog and `POST /api/alerts` through the real
    routes on one event loop: each answered 202 with its own alerts, all written together."""
    app = create_app(warroom, run_worker=False)
    sentry_body = checkout_outage(SENTRY_SECRET, events=1, start=warroom.clock.now())[0]
    requests = [("sentry", sentry_body.body, sentry_body.headers)]
    for source in ("pagerduty", "alertmanager", "grafana", "datadog", "api"):
        body = json.dumps(firing_payload(source)).encode()
        requests.append((source, body, {"content-type": "application/json", **credentials(source, body)}))

    async def all_at_once() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://warroom") as client:
            return await asyncio.gather(
                *(client.post(PATHS[source], content=body, headers=headers) for source, body, headers in requests)
            )

    answers = run(all_at_once())

    assert [a.status_code for a in answers] == [202] * len(requests)
    stored = {a.json()["alert_id"] for a in answers} | {
        alert["alert_id"] for a in answers for alert in a.json().get("alerts", [])
    }
    assert count(warroom, AlertRow.__table__) == len(stored)
    assert {row for (row,) in _sources(warroom)} == {"sentry", "pagerduty", "alertmanager", "grafana", "datadog", "api"}
    assert len(transactions) == 1


def _sources(warroom: Warroom) -> list[Any]:
    with warroom.engine.connect() as conn:
        return conn.execute(select(AlertRow.source).distinct()).all()
