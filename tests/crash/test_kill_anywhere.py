"""`kill -9` of `warroom serve` at each step of both graphs and around each kind of send, during a
checkout storm, then a restart on the same database: no incident stuck, no alert lost, nothing
sent twice, the update clock firing once per period, and the work resumed within seconds."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.crash.conftest import CADENCE_SECONDS
from tests.crash.scenario import Scenario, Step
from tests.crash.services import Services
from tests.crash.steps import (
    approve,
    first_alert,
    graph_waits,
    jobs_settled,
    resolve_after_steady_ticks,
    sends_settled,
    severity_set,
)

pytestmark = pytest.mark.crash

RESUME_WITHIN_SECONDS = 5.0
STEADY_PERIODS = 4


def _kill(service: str, method: str, needle: str = "") -> Any:
    def arm(s: Scenario) -> None:
        assert s.services is not None
        s.disarm.append(s.services.kill_during(service, lambda m, what: m == method and needle in what, s.kill_now))

    return arm


def _status_posts_settled(s: Scenario) -> bool:
    return sends_settled("status_page.post")(s)


def _resolved(s: Scenario) -> bool:
    return s.probe.incident(s.incident_id).status == "resolved" and bool(s.probe.jobs("postmortem.draft"))


def _lifecycle(ticks: dict[str, Any]) -> list[Step]:
    tick_timeout = CADENCE_SECONDS + 8
    return [
        Step("incident.triage.end", arm="incident.triage.end", drive=first_alert, resumed=severity_set),
        Step(
            "incident.respond.end",
            arm="incident.respond.end",
            resumed=lambda s: bool(s.probe.outbox("status_page.post")) and bool(s.probe.outbox("war_room.open")),
        ),
        Step(
            "statuspage POST incident in flight",
            kill_on=_kill("statuspage", "POST", "/incidents"),
            resumed=_status_posts_settled,
        ),
        Step("job.comms.prepare.done", arm="job.comms.prepare.done", resumed=jobs_settled("comms.prepare")),
        Step("comms.review.end", arm="comms.review.end", resumed=jobs_settled("draft.start")),
        Step(
            "slack conversations.create in flight",
            kill_on=_kill("slack", "conversations.create"),
            resumed=sends_settled("war_room.open"),
        ),
        Step(
            "slack chat.postMessage in flight",
            kill_on=_kill("slack", "chat.postMessage", "awaits approval"),
            resumed=sends_settled("war_room.post"),
        ),
        Step(
            "comms.send.end (email approved)",
            arm="comms.send.end",
            drive=approve("email"),
            resumed=lambda s: bool(s.probe.outbox("comms.email")),
        ),
        Step("smtp DATA accepted, answer lost", kill_on=_kill("smtp", "DATA"), resumed=sends_settled("comms.email")),
        Step(
            "discord execute in flight",
            kill_on=_kill("discord", "POST"),
            drive=approve("discord"),
            resumed=sends_settled("comms.discord"),
        ),
        Step(
            "x POST /2/tweets in flight",
            kill_on=_kill("x", "POST"),
            drive=approve("x"),
            resumed=sends_settled("comms.x"),
        ),
        Step(
            "incident.update.end (a tick)",
            arm="incident.update.end",
            timeout=tick_timeout,
            resumed=graph_waits(jobs_settled("incident.event")),
        ),
        Step(
            "statuspage PATCH update in flight",
            kill_on=_kill("statuspage", "PATCH", "/incidents/"),
            timeout=tick_timeout,
            resumed=_status_posts_settled,
        ),
        Step(
            "incident.monitor.end (event taken)",
            arm="incident.monitor.end",
            timeout=tick_timeout,
            resumed=jobs_settled("incident.event"),
        ),
        Step(
            "incident.resolve.end",
            arm="incident.resolve.end",
            drive=resolve_after_steady_ticks(STEADY_PERIODS, CADENCE_SECONDS, ticks),
            timeout=STEADY_PERIODS * CADENCE_SECONDS + 10,
            resumed=_resolved,
        ),
        Step(
            "job.postmortem.draft.done",
            arm="job.postmortem.draft.done",
            resumed=lambda s: s.probe.postmortem(s.incident_id) and jobs_settled("postmortem.draft")(s),
        ),
    ]


def test_kill_at_every_step_with_every_outside_service(installation, services: Services, capsys):
    scenario = installation(env=services.env())
    scenario.services = services
    ticks: dict[str, Any] = {}
    scenario.run(_lifecycle(ticks))
    scenario.storm.wait()
    report = scenario.crash_map()
    with capsys.disabled():
        print(f"\ncrash map (SQLite, outside services):\n{report}\nticks: {ticks}")

    assert all(o.reached for o in scenario.outcomes), report
    assert all(o.resumed_after is not None for o in scenario.outcomes), report
    assert max(o.resumed_after or 0 for o in scenario.outcomes) < RESUME_WITHIN_SECONDS, report

    incident = scenario.probe.incident(scenario.incident_id)
    assert (incident.severity, incident.status) == ("P0", "resolved")
    assert scenario.probe.postmortem(scenario.incident_id)
    assert len(scenario.storm.accepted) == len(scenario.storm.deliveries) == scenario.probe.alerts()

    [page_incident] = services.statuspage.incidents.values()
    assert page_incident["status"] == "resolved"
    bodies = [u["body"] for u in page_incident["incident_updates"]]
    assert len(bodies) == len(set(bodies)), "a status update was posted twice"

    [channel] = services.slack.channels.values()
    texts = Counter(m["text"] for m in channel.messages.values())
    assert not [t for t, n in texts.items() if n > 1], "a war-room message was posted twice"

    assert not [mid for mid, n in services.inbox.copies().items() if n > 1], "an email was sent twice"
    assert len(services.discord.messages) == 1
    assert len(services.x.requests) == 1
    assert services.violations() == []

    assert ticks["most_pending_ticks"] == 1, ticks
    assert STEADY_PERIODS - 1 <= ticks["fired"] <= STEADY_PERIODS + 1, ticks
