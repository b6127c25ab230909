"""Leases name their process: a restart takes over a dead process's leases at once, never a live
one's, and a working process keeps its own alive with a heartbeat."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from warroom.db import make_engine
from warroom.migrations import upgrade
from warroom.outbox.worker import OutboxWorker
from warroom.processes import ProcessLocks
from warroom.scheduler.engine import Scheduler
from warroom.scheduler.store import claim_due, get_job, schedule

HOLD = (
    "import sys, time; from pathlib import Path; from warroom.processes import ProcessLocks; "
    "ProcessLocks(Path(sys.argv[1]), sys.argv[2]).enter(); print('held', flush=True); time.sleep(60)"
)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'leases.db'}"
    upgrade(url)
    return make_engine(url)


def _holder(folder: Path, boot_id: str) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(folder), boot_id], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def _leased_job(engine: Engine, clock, owner: str) -> int:
    with engine.begin() as conn:
        schedule(conn, key="work", kind="noop", due_at=clock.now())
        [job] = claim_due(conn, clock.now(), owner)
    return job.id


def _state(engine: Engine, job_id: int) -> str:
    with engine.connect() as conn:
        job = get_job(conn, job_id)
    assert job is not None
    return job.state


def _eventually(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    """For the scheduler's own thread, which no FakeClock drives."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _scheduler(engine: Engine, clock, folder: Path) -> Scheduler:
    scheduler = Scheduler(engine, clock, OutboxWorker(engine, clock), ProcessLocks(folder))
    scheduler.register("noop", lambda job: None)
    return scheduler


def test_a_starting_scheduler_takes_over_the_leases_of_a_killed_process(engine, clock, tmp_path):
    folder = tmp_path / "processes"
    holder = _holder(folder, "gone")
    job_id = _leased_job(engine, clock, "gone")
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)

    scheduler = _scheduler(engine, clock, folder)
    scheduler.start(poll_seconds=3600)  # one round at once, then none for an hour
    try:
        assert _eventually(lambda: _state(engine, job_id) == "done"), "run at once, not when the lease ran out"
        assert not (folder / "gone.lock").exists()
    finally:
        scheduler.stop()


def test_a_live_process_keeps_its_leases_when_another_starts(engine, clock, tmp_path):
    folder = tmp_path / "processes"
    holder = _holder(folder, "alive")
    try:
        _leased_job(engine, clock, "alive")
        scheduler = _scheduler(engine, clock, folder)
        scheduler.start(poll_seconds=3600)
        try:
            assert scheduler.run_pending() == 0
        finally:
            scheduler.stop()
    finally:
        holder.kill()
        holder.wait(10)


def test_the_heartbeat_keeps_a_working_process_leases_alive(engine, clock, tmp_path):
    scheduler = _scheduler(engine, clock, tmp_path / "processes")
    _leased_job(engine, clock, scheduler.owner)
    clock.advance(timedelta(seconds=25))
    scheduler.renew()
    clock.advance(timedelta(seconds=25))
    with engine.begin() as conn:
        assert claim_due(conn, clock.now(), "another") == [], "renewed at 25 s, so still held at 50 s"
    clock.advance(timedelta(seconds=10))
    with engine.begin() as conn:
        assert len(claim_due(conn, clock.now(), "another")) == 1, "not renewed again: free after 30 s"
