"""The outbox: each effect sent once, retried on the wait the service asked for, permanent
failures kept visible, and one incident's status-page posts sent in order."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from warroom.clock import FakeClock
from warroom.db import make_engine
from warroom.migrations import upgrade
from warroom.outbox.store import OutboxItem, enqueue
from warroom.outbox.tables import OutboxRow
from warroom.outbox.worker import OutboxWorker


class Refused(Exception):
    def __init__(self, status: int, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    upgrade(url)
    return make_engine(url)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _states(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        table = OutboxRow.__table__
        return dict(conn.execute(select(table.c.idempotency_key, table.c.state)).all())


def test_the_same_effect_enqueued_twice_is_sent_once(engine, clock):
    sent: list[str] = []
    worker = OutboxWorker(engine, clock)
    worker.register("x", lambda item: sent.append(item.idempotency_key))
    with engine.begin() as conn:
        assert enqueue(conn, key="k1", kind="x", payload={}, now=clock.now()) is True
        assert enqueue(conn, key="k1", kind="x", payload={}, now=clock.now()) is False
    worker.run_due()
    worker.run_due()
    assert sent == ["k1"]


def test_a_rate_limited_send_waits_exactly_as_long_as_asked(engine, clock):
    calls: list[float] = []

    def flaky(item: OutboxItem) -> None:
        calls.append(clock.now().timestamp())
        if len(calls) == 1:
            raise Refused(429, retry_after=30)

    worker = OutboxWorker(engine, clock)
    worker.register("x", flaky)
    with engine.begin() as conn:
        enqueue(conn, key="k", kind="x", payload={}, now=clock.now())
    worker.run_due()
    clock.advance(29)
    worker.run_due()
    assert len(calls) == 1
    clock.advance(1)
    worker.run_due()
    assert len(calls) == 2 and _states(engine) == {"k": "sent"}


def test_a_permanent_refusal_is_kept_as_failed_not_retried(engine, clock):
    calls: list[int] = []

    def gone(item: OutboxItem) -> None:
        calls.append(1)
        raise Refused(404)

    worker = OutboxWorker(engine, clock)
    worker.register("x", gone)
    with engine.begin() as conn:
        enqueue(conn, key="k", kind="x", payload={}, now=clock.now())
    worker.run_due()
    clock.advance(3600)
    worker.run_due()
    assert calls == [1] and _states(engine) == {"k": "failed"}


def test_one_incidents_status_posts_go_out_in_order_even_when_the_first_is_retried(engine, clock):
    order: list[str] = []
    attempts = {"first": 0}

    def page(item: OutboxItem) -> None:
        if item.idempotency_key == "first":
            attempts["first"] += 1
            if attempts["first"] == 1:
                raise Refused(503)
        order.append(item.idempotency_key)

    worker = OutboxWorker(engine, clock)
    worker.register("status_page.post", page)
    with engine.begin() as conn:
        enqueue(conn, key="first", kind="status_page.post", payload={}, now=clock.now(), incident_id=1)
        enqueue(conn, key="second", kind="status_page.post", payload={}, now=clock.now(), incident_id=1)
        enqueue(conn, key="other-incident", kind="status_page.post", payload={}, now=clock.now(), incident_id=2)
    worker.run_due()
    assert order == ["other-incident"]
    clock.advance(timedelta(seconds=1))
    worker.run_due()
    worker.run_due()
    assert order == ["other-incident", "first", "second"]
