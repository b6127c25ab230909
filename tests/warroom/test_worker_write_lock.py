"""The worker's polls take SQLite's write lock only when they have something to claim: the API
process writes every webhook under that lock (`BEGIN IMMEDIATE`), and each poll that took it for
nothing was one more wait on the ingest path (`bench/README.md`, 200/s with the worker in its own
process)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from warroom.clock import FakeClock
from warroom.db import make_engine
from warroom.migrations import upgrade
from warroom.outbox.store import enqueue
from warroom.outbox.worker import OutboxWorker
from warroom.scheduler.engine import Scheduler
from warroom.scheduler.store import Job, claim_due, schedule


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'lock.db'}"
    upgrade(url)
    return make_engine(url)


def _write_transactions(engine: Engine) -> list[str]:
    """Every `BEGIN IMMEDIATE` SQLite runs from now on: what waits for, then holds, the write lock."""
    begun: list[str] = []
    engine.dispose()  # connections opened from here on are traced

    @event.listens_for(engine, "connect")
    def _trace(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.set_trace_callback(lambda sql: begun.append(sql) if sql.startswith("BEGIN IMMEDIATE") else None)

    return begun


def test_a_poll_with_nothing_due_takes_no_write_lock(engine: Engine) -> None:
    clock = FakeClock()
    scheduler = Scheduler(engine, clock, OutboxWorker(engine, clock))
    ran: list[str] = []
    scheduler.register("noop", lambda job: ran.append(job.key))
    with engine.begin() as conn:
        schedule(conn, key="later", kind="noop", due_at=clock.now() + timedelta(minutes=5))
        enqueue(
            conn,
            key="mail-later",
            kind="noop",
            payload={},
            now=clock.now(),
            not_before=clock.now() + timedelta(minutes=5),
        )
    writes = _write_transactions(engine)

    assert scheduler.run_pending() == 0
    assert writes == [], "an idle poll took the write lock"

    clock.advance(timedelta(minutes=5))
    scheduler.outbox.register("noop", lambda item: None)
    assert scheduler.run_pending() == 2
    assert ran == ["later"]
    assert writes, "due work is still claimed in a write transaction"


def test_a_job_whose_lane_is_busy_is_not_claimed_and_takes_no_write_lock(engine: Engine) -> None:
    """The read that decides whether to claim uses the claim's own conditions, lanes included."""
    clock = FakeClock()
    scheduler = Scheduler(engine, clock, OutboxWorker(engine, clock))
    seen: list[Job] = []
    scheduler.register("noop", seen.append)
    with engine.begin() as conn:
        schedule(conn, key="first", kind="noop", due_at=clock.now(), lane="incident:1")
        schedule(conn, key="second", kind="noop", due_at=clock.now(), lane="incident:1")
        [held] = claim_due(conn, clock.now(), "another-process")
    assert held.key == "first"
    writes = _write_transactions(engine)

    assert scheduler.run_pending() == 0
    assert writes == [] and seen == []
