"""The building blocks of the crash scenarios: how to drive warroom to a point through its API,
and how to recognise that the work a crash interrupted was done after the restart."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.crash.scenario import Scenario

__all__ = [
    "approve",
    "first_alert",
    "graph_waits",
    "jobs_settled",
    "resolve_after_steady_ticks",
    "sends_settled",
    "severity_set",
]

Check = Callable[[Scenario], bool]
Drive = Callable[[Scenario], None]


def first_alert(s: Scenario) -> None:
    """The first error of the outage; the rest of the storm follows in the background."""
    s.storm.deliver_first()
    s.storm.start()


def severity_set(s: Scenario) -> bool:
    return s.probe.incident(s.incident_id).severity is not None


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
    """Approve the incident's first pending draft for `channel`, as a human would in the web UI."""

    def drive(s: Scenario) -> None:
        def pending() -> list[Any]:
            return [d for d in s.probe.drafts(s.incident_id, channel) if d.state == "pending" and d.kind == "initial"]

        if not s.until(lambda: bool(pending()), timeout=10):
            return
        response = s.api("POST", f"/api/approvals/{pending()[0].id}/approve", json={"actor": "founder"})
        assert response.status_code == 200, response.text

    return drive


def resolve_after_steady_ticks(periods: int, cadence: float, record: dict[str, Any]) -> Drive:
    """Watch the update clock for `periods` cadences with nothing crashing, then resolve.

    Records the ticks seen (number and time) and the most tick jobs ever pending at once."""

    def drive(s: Scenario) -> None:
        before = len(s.probe.timeline(s.incident_id, "update"))
        start = time.monotonic()
        most_pending = 0
        while time.monotonic() - start < periods * cadence and s.process.alive:
            ticks = s.probe.jobs("incident.event", f"incident:{s.incident_id}:tick:%")
            most_pending = max(most_pending, sum(j.state == "pending" for j in ticks))
            time.sleep(0.1)
        updates = s.probe.timeline(s.incident_id, "update")
        record["fired"] = len(updates) - before
        record["numbers"] = [u.dedup_key for u in updates]
        record["most_pending_ticks"] = most_pending
        s.api("POST", f"/api/incidents/{s.incident_id}/resolve", json={"actor": "founder"})

    return drive
