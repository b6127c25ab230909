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
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine, func, select

from tests.crash.process import WarroomProcess
from tests.crash.services import Services
from tests.crash.storm import Storm
from warroom.alerts.tables import AlertRow
from warroom.db import table_of
from warroom.drafts.tables import DraftRow
from warroom.incidents.tables import IncidentRow, TimelineRow
from warroom.outbox.tables import OutboxRow
from warroom.postmortems.tables import PostmortemVersionRow
from warroom.scheduler.tables import JobRow

__all__ = ["Outcome", "Probe", "Scenario", "Step"]

ALERTS, DRAFTS, INCIDENTS = table_of(AlertRow), table_of(DraftRow), table_of(IncidentRow)
JOBS, OUTBOX, POSTMORTEMS, TIMELINE = (
    table_of(JobRow),
    table_of(OutboxRow),
    table_of(PostmortemVersionRow),
    table_of(TimelineRow),
)


class Probe:
    """Reads the installation's database directly: what a crash left and what a restart did."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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
    resumed_after: float | None = None
    note: str = ""

    def row(self) -> str:
        reached = f"killed after {self.reached_after:.2f} s" if self.reached else "NOT REACHED"
        resumed = (
            f"resumed {self.resumed_after:.2f} s after restart" if self.resumed_after is not None else "NOT RESUMED"
        )
        return f"{self.point:<44} {reached:<22} {resumed}{(' - ' + self.note) if self.note else ''}"


@dataclass
class Scenario:
    process: WarroomProcess
    probe: Probe
    storm: Storm
    api_token: str
    services: Services | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    disarm: list[Callable[[], None]] = field(default_factory=list)

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
        self.process.kill()

    def run(self, steps: list[Step]) -> None:
        """Every step in a process of its own, then one more process that is left running."""
        previous: Step | None = None
        for step in steps:
            self._life(step, previous)
            previous = step
        self._life(None, previous)

    def _life(self, step: Step | None, previous: Step | None) -> None:
        """One process: started (with `step`'s crash point armed), watched for the previous step's
        work to resume, driven towards `step`'s point and, once it died there, recorded."""
        self.process.start(crash_at=step.arm if step else None)
        if step and step.kill_on:
            step.kill_on(self)
        check = previous.resumed if previous else None
        seen: list[float] = []
        stop = threading.Event()

        def watch() -> None:
            while check is not None and not stop.is_set():
                if _quietly(check, self):
                    seen.append(self.process.since_start())
                    return
                time.sleep(0.03)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        reached_after: float | None = None
        try:
            ready = self.process.wait_ready()
            if step is None:
                self.until(lambda: bool(seen) or check is None, timeout=30)
            else:
                if ready and step.drive:
                    try:
                        step.drive(self)
                    except httpx.HTTPError:
                        pass  # the crash point was reached during the call
                if self.process.wait_dead(step.timeout):
                    reached_after = self.process.since_start()
                else:
                    self.process.kill()
        finally:
            stop.set()
            watcher.join(5)
            for undo in self.disarm:
                undo()
            self.disarm.clear()
        if check is not None and self.outcomes:
            if not seen and _quietly(check, self):
                seen.append(reached_after if reached_after is not None else self.process.since_start())
            self.outcomes[-1].resumed_after = seen[0] if seen else None
        if step is not None:
            self.outcomes.append(Outcome(step.point, reached_after is not None and self.process.killed, reached_after))

    def crash_map(self) -> str:
        return "\n".join(o.row() for o in self.outcomes)


def _quietly(check: Callable[[Scenario], bool], scenario: Scenario) -> bool:
    """A check reads the database while warroom writes it; a passing lock error is a 'not yet'."""
    try:
        return bool(check(scenario))
    except Exception:  # noqa: BLE001 - any error here means "not observed yet"
        return False
