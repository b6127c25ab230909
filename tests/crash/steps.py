"""The building blocks of the crash scenarios: how to drive warroom to a point through its API,
and how to recognise that the work a crash interrupted was done after the restart."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.crash.scenario import Scenario
from warroom.clock import utcnow

__all__ = [
    "approve",
    "first_alert",
    "graph_waits",
    "jobs_settled",
    "resolve_after_steady_ticks",
    "sends_settled",
    "drafts_past",
    "drafts_settled",
    "incident_done",
    "incident_past",
    "incident_waits",
]

Check = Callable[[Scenario], bool]
Drive = Callable[[Scenario], None]


def first_alert(s: Scenario) -> None:
    """The first error of the outage; the rest of the storm follows in the background."""
    s.storm.deliver_first()
    s.storm.start()


def incident_past(node: str) -> Check:
    """The incident's graph got past `node`: the step a crash interrupted there was finished."""

    def check(s: Scenario) -> bool:
        return s.probe.incident_thread(s.incident_id) not in ("absent", node)

    return check


def incident_waits(s: Scenario) -> bool:
    """The incident's graph is back at `monitor`, waiting for the next event: not stuck in a step."""
    return s.probe.incident_thread(s.incident_id) == "waiting"


def incident_done(s: Scenario) -> bool:
    return s.probe.incident_thread(s.incident_id) == "done" and s.probe.incident(s.incident_id).status == "resolved"


def drafts_past(node: str) -> Check:
    """No draft's thread is stuck at `node`: the step a crash interrupted there was finished."""

    def check(s: Scenario) -> bool:
        return all(s.probe.draft_thread(d.id) != node for d in s.probe.drafts(s.incident_id))

    return check


def drafts_settled(channel: str | None = None) -> Check:
    """Every draft's thread (of `channel`) waits for a human or has finished."""

    def check(s: Scenario) -> bool:
        drafts = s.probe.drafts(s.incident_id, channel)
        return bool(drafts) and all(s.probe.draft_thread(d.id) in ("waiting", "done") for d in drafts)

    return check


def sends_settled(*kinds: str) -> Check:
    """No row of these kinds is left half-done: attempted, yet neither sent nor set aside."""

    def check(s: Scenario) -> bool:
        rows = [r for kind in kinds for r in s.probe.outbox(kind)]
        return bool(rows) and not any(r.state == "pending" and r.attempts > 0 for r in rows)

    return check


def jobs_settled(kind: str, key: str | None = None) -> Check:
    """Every job of `kind` that was started has finished."""

    def check(s: Scenario) -> bool:
        rows = s.probe.jobs(kind, key)
        return bool(rows) and not any(r.state == "pending" and r.attempts > 0 for r in rows)

    return check


def graph_waits(*checks: Check) -> Check:
    def check(s: Scenario) -> bool:
        return all(c(s) for c in checks)

    return check


def approve(channel: str) -> Drive:
    """Approve the incident's current draft for `channel`, as a human would in the web UI. A
    newer round replaces an undecided draft (it is withdrawn, and approving it is refused with
    409), so the human approves whichever is current, as the web UI shows it."""

    def drive(s: Scenario) -> None:
        def current() -> list[Any]:
            return [d for d in s.probe.drafts(s.incident_id, channel) if d.kind in ("initial", "update")]

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if not s.until(lambda: bool(current()), timeout=10):
                raise AssertionError(f"no {channel} draft to approve")
            drafts = current()
            if any(d.state in ("approved", "sent") for d in drafts):
                return  # approved by an earlier process, which died before that was seen here
            pending = [d for d in drafts if d.state == "pending_approval"]
            if not pending:
                time.sleep(0.1)
                continue
            response = s.api("POST", f"/api/approvals/{pending[-1].id}/approve", json={"actor": "founder"})
            if response.status_code == 200:
                return
            assert response.status_code == 409, response.text  # replaced a moment ago: take the newer one
        raise AssertionError(f"no {channel} draft could be approved within 20 s")

    return drive


def resolve_after_steady_ticks(periods: int, cadence: float, record: dict[str, Any]) -> Drive:
    """Once the storm is over, watch the update clock for `periods` cadences with nothing
    crashing, then resolve. Records the gaps between updates and the most ticks ever waiting at
    once (one clock: one; a clock doubled by a replayed step: two)."""

    def drive(s: Scenario) -> None:
        s.storm.wait()
        start_at = utcnow()
        start = time.monotonic()
        most_waiting = 0
        while time.monotonic() - start < periods * cadence and s.process.alive:
            now = utcnow()
            ticks = s.probe.jobs("incident.event", f"incident:{s.incident_id}:tick:%")
            waiting = [j for j in ticks if j.state == "pending" and not (j.lease_until and j.lease_until > now)]
            most_waiting = max(most_waiting, len(waiting))
            time.sleep(0.1)
        times = [u.at for u in s.probe.timeline(s.incident_id, "update")]
        seen = [t for t in times if t >= start_at]
        record["fired"] = len(seen)
        record["gaps"] = [
            round((b - a).total_seconds(), 2) for a, b in zip(times[-len(seen) - 1 :], seen, strict=False)
        ]
        record["most_waiting_ticks"] = most_waiting
        s.api("POST", f"/api/incidents/{s.incident_id}/resolve", json={"actor": "founder"})

    return drive
