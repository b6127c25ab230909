"""A person's lowering and raising corrects the page once each, even when the triage node is replayed after a
crash at its writes or at its checkpoint."""

from __future__ import annotations

from datetime import timedelta

import pytest

from graphs.runner import CommsRunner, IncidentRunner
from tests.crash.faults import FlakySaver
from tests.graphs.test_lowered_page import LOGIN_DEGRADED, _open, _page, _room


@pytest.fixture
def flaky(warroom) -> FlakySaver:
    saver = FlakySaver(warroom.runner.graph.checkpointer)
    IncidentRunner(warroom.runner.context, saver).register(warroom.scheduler)
    CommsRunner(warroom.comms.context, saver).register(warroom.scheduler)
    return saver


def _settle(warroom, clock, rounds=6):
    for _ in range(rounds):
        warroom.scheduler.run_pending()
        clock.advance(timedelta(seconds=5))
    warroom.scheduler.run_pending()


@pytest.mark.parametrize("stage", ["writes", "checkpoint"])
def test_each_correction_is_posted_once_when_triage_is_replayed_after_a_crash(
    flaky, client, warroom, clock, auth, stage
):
    incident_id = _open(client, warroom, auth, LOGIN_DEGRADED, "P1")
    for level in ("P2", "P1", "P3"):
        flaky.fail(stage, "triage")
        client.post(f"/api/incidents/{incident_id}/severity", json={"severity": level, "actor": "dana"}, headers=auth)
        _settle(warroom, clock)
    bodies = [u["body"][:60] for u in _page(client)[0]["updates"]]
    assert len(bodies) == 4
    room = [t for t in _room(client, auth, incident_id) if "public status page" in t]
    assert len(room) == 3
