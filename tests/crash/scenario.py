"""A crash scenario: one warroom installation taken through an incident by a series of processes,
each killed at one chosen point and the next started on the same database.

A step names its crash point, arms it (`WARROOM_CRASH_AT`, or a fake service that kills warroom
while one of its requests is in flight), drives warroom towards it through the HTTP API, and says
how to recognise, after the restart, that the interrupted work was done. Every step's outcome
(reached? resumed, and how many seconds after the restart?) becomes one row of the crash map.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select

from graphs.checkpoints import open_checkpointer
from graphs.comms import build_comms_graph, comms_thread
from graphs.incident import build_incident_graph, thread_config
from tests.crash.process import WarroomProcess
from tests.crash.services import Services
from tests.crash.storm import Storm
from warroom.alerts.tables import AlertRow
from warroom.clock import utcnow
from warroom.db import make_engine, table_of
from warroom.drafts.tables import DraftRow
from warroom.incidents.tables import IncidentRow, TimelineRow
from warroom.outbox.tables import OutboxRow
from warroom.postmortems.tables import PostmortemVersionRow
from warroom.scheduler.tables import JobRow
from warroom.settings import Settings
from warroom.status_page.tables import PageUpdateRow

__all__ = ["Outcome", "Probe", "Scenario", "Step"]

ALERTS, DRAFTS, INCIDENTS = table_of(AlertRow), table_of(DraftRow), table_of(IncidentRow)
PAGE_UPDATES = table_of(PageUpdateRow)
JOBS, OUTBOX, POSTMORTEMS, TIMELINE = (
    table_of(JobRow),
    table_of(OutboxRow),
    table_of(PostmortemVersionRow),
    table_of(TimelineRow),
)


class Probe:
    """Reads the installation's database directly: what a crash left and what a restart did,
    graph checkpoints included."""

    def __init__(self, database_url: str) -> None:
        self.engine = make_engine(database_url)
        self._stack = ExitStack()
        saver = self._stack.enter_context(
            open_checkpointer(Settings(database_url=database_url).resolved_checkpoint_url)
        )
        self._incident = build_incident_graph(saver)
        self._comms = build_comms_graph(saver)

    def close(self) -> None:
        self._stack.close()
        self.engine.dispose()

    def incident_thread(self, incident_id: int) -> str:
        """Where the incident's graph stands: `waiting` (at `monitor`), `done`, or the node it
        would run next (a step a crash cut short)."""
        return _where(self._incident.get_state(thread_config(incident_id)))

    def draft_thread(self, draft_id: int) -> str:
        return _where(self._comms.get_state(comms_thread(draft_id)))

    def rows(self, statement: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(statement).all())

    def incident(self, incident_id: int) -> Any:
        return self.rows(select(INCIDENTS).where(INCIDENTS.c.id == incident_id))[0]

    def timeline(self, incident_id: int, kind: str) -> list[Any]:
        return self.rows(
            select(TIMELINE)
            .where(TIMELINE.c.incident_id == incident_id, TIMELINE.c.kind == kind)
            .order_by(TIMELINE.c.id)
        )

    def outbox(self, kind: str | None = None, key: str | None = None) -> list[Any]:
        query = select(OUTBOX).order_by(OUTBOX.c.id)
        if kind:
            query = query.where(OUTBOX.c.kind == kind)
        if key:
            query = query.where(OUTBOX.c.idempotency_key.like(key))
        return self.rows(query)

    def jobs(self, kind: str | None = None, key: str | None = None) -> list[Any]:
        query = select(JOBS).order_by(JOBS.c.id)
        if kind:
            query = query.where(JOBS.c.kind == kind)
        if key:
            query = query.where(JOBS.c.key.like(key))
        return self.rows(query)

    def drafts(self, incident_id: int, channel: str | None = None) -> list[Any]:
        query = select(DRAFTS).where(DRAFTS.c.incident_id == incident_id).order_by(DRAFTS.c.id)
        if channel:
            query = query.where(DRAFTS.c.channel == channel)
        return self.rows(query)

    def alerts(self) -> int:
        return int(self.rows(select(func.count()).select_from(ALERTS))[0][0])

    def page_updates(self) -> int:
        """Updates on the built-in status page."""
        return int(self.rows(select(func.count()).select_from(PAGE_UPDATES))[0][0])

    def postmortem(self, incident_id: int) -> bool:
        return bool(self.rows(select(POSTMORTEMS.c.version).where(POSTMORTEMS.c.incident_id == incident_id)))


@dataclass
class Step:
    point: str
    arm: str | None = None
    kill_on: Callable[[Scenario], None] | None = None
    """Sets a fake service to kill warroom while a request is in flight (instead of `arm`)."""
    drive: Callable[[Scenario], None] | None = None
    resumed: Callable[[Scenario], bool] | None = None
    timeout: float = 12.0


@dataclass
class Outcome:
    point: str
    reached: bool
    reached_after: float | None = None
    """Seconds from its process's start to the kill at this point."""
    resumed_after: float | None = None
    """Seconds from the restart after the kill to the interrupted work being seen done."""

    def row(self) -> str:
        reached = f"killed {self.reached_after:5.2f} s in" if self.reached_after is not None else "NOT REACHED"
        resumed = f"done {self.resumed_after:5.2f} s after restart" if self.resumed_after is not None else "NOT RESUMED"
        return f"{self.point:<40} {reached:<18} {resumed}"


@dataclass
class _Waiting:
    outcome: Outcome
    check: Callable[[Scenario], bool]
    since: float = 0.0


@dataclass
class Scenario:
    process: WarroomProcess
    probe: Probe
    storm: Storm
    api_token: str
    services: Services | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    disarm: list[Callable[[], None]] = field(default_factory=list)
    ready_after: list[float] = field(default_factory=list)
    """Seconds from each start to `/healthz` answering."""
    _waiting: list[_Waiting] = field(default_factory=list)
    _unfinished: Callable[[Scenario], None] | None = None

    @property
    def incident_id(self) -> int:
        assert self.storm.incident_id is not None, "no alert accepted yet"
        return self.storm.incident_id

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with httpx.Client(base_url=self.process.url, timeout=10.0) as client:
            return client.request(method, path, headers={"authorization": f"Bearer {self.api_token}"}, **kwargs)

    def until(self, check: Callable[[], bool], timeout: float = 15.0, what: str = "") -> bool:
        """Polls `check` while warroom runs; False when it died or the time ran out first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return True
            if not self.process.alive:
                return check()
            time.sleep(0.03)
        return False

    def kill_now(self) -> None:
        """For fakes: `kill -9` warroom at once, from the fake's own thread."""
        self.process.kill_from_another_thread()

    def run(self, steps: list[Step]) -> None:
        """Every step in a process of its own, then one more process that is left running until
        every interrupted piece of work was seen done."""
        for step in steps:
            self._life(step)
        self._life(None)

    def _life(self, step: Step | None) -> None:
        """One process: started (with `step`'s crash point armed), driven towards that point and,
        once it died there, recorded. Meanwhile it is watched for the work earlier crashes
        interrupted: each is timed from the first restart after its crash, through any further
        crashes. A drive cut short by an early death is done again in the next process."""
        self.process.start(crash_at=step.arm if step else None)
        restarted = self.process.started_at
        for waiting in self._waiting:
            waiting.since = waiting.since or restarted
        if step and step.kill_on:
            step.kill_on(self)
        stop = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(stop,), daemon=True)
        watcher.start()
        reached_after: float | None = None
        try:
            if self.process.wait_ready():
                self.ready_after.append(self.process.since_start())
            drives = [d for d in (self._unfinished, step.drive if step else None) if d is not None]
            self._unfinished = None
            for drive in drives:
                if not self._drive(drive):
                    break
            if step is None:
                self.until(lambda: not self._waiting, timeout=30)
            elif self.process.wait_dead(step.timeout):
                reached_after = self.process.since_start()
            else:
                self.process.kill()
        finally:
            stop.set()
            watcher.join(5)
            for undo in self.disarm:
                undo()
            self.disarm.clear()
        if step is not None:
            reached = reached_after is not None and self.process.killed
            outcome = Outcome(step.point, reached, reached_after if reached else None)
            self.outcomes.append(outcome)
            if step.resumed is not None:
                self._waiting.append(_Waiting(outcome, step.resumed))

    def _watch(self, stop: threading.Event) -> None:
        while not stop.is_set() and self._waiting:
            for waiting in list(self._waiting):
                if waiting.since and _quietly(waiting.check, self):
                    waiting.outcome.resumed_after = time.monotonic() - waiting.since
                    self._waiting.remove(waiting)
            time.sleep(0.05)

    def _drive(self, drive: Callable[[Scenario], None]) -> bool:
        """False (and kept for the next process) when this one died before or during it."""
        if not self.process.alive:
            self._unfinished = drive
            return False
        try:
            drive(self)
        except httpx.HTTPError:
            self._unfinished = drive
            return False
        return True

    def crash_map(self) -> str:
        return "\n".join(o.row() for o in self.outcomes)

    def due_work(self) -> list[str]:
        """Jobs and sends due by now and still pending (later ticks and deadlines may wait)."""
        now = utcnow()
        jobs = [
            f"job {j.key} ({j.attempts} attempts)"
            for j in self.probe.jobs()
            if j.state == "pending" and j.due_at <= now
        ]
        sends = [
            f"send {r.idempotency_key} ({r.attempts} attempts; {r.last_error})"
            for r in self.probe.outbox()
            if r.state == "pending" and r.next_attempt_at <= now
        ]
        return jobs + sends

    def settle(self, timeout: float = 30.0) -> list[str]:
        """Wait until nothing is due; what is still due then."""
        self.until(lambda: not _quietly(lambda _: bool(self.due_work()), self), timeout=timeout)
        return self.due_work()


def _where(snapshot: Any) -> str:
    if not snapshot.values:
        return "absent"
    if not snapshot.tasks:
        return "done"
    if snapshot.interrupts:
        return "waiting"
    return ",".join(task.name for task in snapshot.tasks)


def _quietly(check: Callable[[Scenario], bool], scenario: Scenario) -> bool:
    """A check reads the database while warroom writes it; a passing lock error is a 'not yet'."""
    try:
        return bool(check(scenario))
    except Exception:  # any error here means "not observed yet"
        return False
