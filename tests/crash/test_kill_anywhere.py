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
    drafts_past,
    first_alert,
    incident_done,
    incident_past,
    jobs_settled,
    resolve_after_steady_ticks,
    sends_settled,
)

pytestmark = pytest.mark.crash

RESUME_WITHIN_SECONDS = 15.0
"""Under the 30 s lease: only the take-over of a dead process's leases at start-up passes it."""
GAP_SLACK = 2.5
"""An update is due one cadence after the last one ran, and the scheduler polls every second."""
STEADY_PERIODS = 3
TICK_TIMEOUT = CADENCE_SECONDS + 8


def _kill(service: str, method: str, needle: str = "") -> Any:
    """Arm `service` to kill warroom while it holds a matching request (acted on, not answered)."""

    def arm(s: Scenario) -> None:
        assert s.services is not None
        s.disarm.append(s.services.kill_during(service, lambda m, what: m == method and needle in what, s.kill_now))

    return arm


def _both(*checks: Any) -> Any:
    return lambda s: all(check(s) for check in checks)


def _resolved(s: Scenario) -> bool:
    return incident_done(s) and bool(s.probe.jobs("postmortem.draft"))


def _graph_steps(ticks: dict[str, Any], *, resolve_drive: Any = None) -> tuple[list[Step], list[Step]]:
    """The incident graph's steps, split around the sends that fall between them."""
    opening = [
        Step("incident.triage.end", arm="incident.triage.end", drive=first_alert, resumed=incident_past("triage")),
        Step("incident.respond.end", arm="incident.respond.end", resumed=incident_past("respond")),
    ]
    closing = [
        Step(
            "incident.update.end (a tick)",
            arm="incident.update.end",
            timeout=TICK_TIMEOUT,
            resumed=_both(incident_past("update"), jobs_settled("incident.event")),
        ),
        Step(
            "incident.monitor.end (an event taken)",
            arm="incident.monitor.end",
            timeout=TICK_TIMEOUT,
            resumed=_both(incident_past("monitor"), jobs_settled("incident.event")),
        ),
        Step(
            "incident.resolve.end",
            arm="incident.resolve.end",
            drive=resolve_drive or resolve_after_steady_ticks(STEADY_PERIODS, CADENCE_SECONDS, ticks),
            timeout=STEADY_PERIODS * CADENCE_SECONDS + 10,
            resumed=_resolved,
        ),
        Step(
            "job.postmortem.draft.done",
            arm="job.postmortem.draft.done",
            resumed=lambda s: s.probe.postmortem(s.incident_id) and jobs_settled("postmortem.draft")(s),
        ),
    ]
    return opening, closing


def _with_outside_services(ticks: dict[str, Any]) -> list[Step]:
    opening, closing = _graph_steps(ticks)
    sends = [
        Step(
            "statuspage POST incident in flight",
            kill_on=_kill("statuspage", "POST", "/incidents"),
            resumed=sends_settled("status_page.post"),
        ),
        Step(
            "slack conversations.create in flight",
            kill_on=_kill("slack", "conversations.create"),
            resumed=sends_settled("war_room.open"),
        ),
        Step("job.comms.prepare.done", arm="job.comms.prepare.done", resumed=jobs_settled("comms.prepare")),
        Step(
            "comms.review.end",
            arm="comms.review.end",
            resumed=_both(drafts_past("review"), jobs_settled("draft.start")),
        ),
        Step(
            "slack chat.postMessage in flight",
            kill_on=_kill("slack", "chat.postMessage"),
            resumed=sends_settled("war_room.post", "comms.war_room"),
        ),
        Step(
            "comms.send.end",
            arm="comms.send.end",
            drive=approve("discord"),
            resumed=_both(drafts_past("send"), jobs_settled("draft.wake")),
        ),
        Step("discord execute in flight", kill_on=_kill("discord", "POST"), resumed=sends_settled("comms.discord")),
        Step(
            "smtp DATA taken, 250 lost",
            kill_on=_kill("smtp", "DATA"),
            drive=approve("email"),
            resumed=sends_settled("comms.email"),
        ),
        Step(
            "x POST /2/tweets in flight",
            kill_on=_kill("x", "POST"),
            drive=approve("x"),
            resumed=sends_settled("comms.x"),
        ),
        Step(
            "statuspage PATCH update in flight",
            kill_on=_kill("statuspage", "PATCH", "/incidents/"),
            timeout=TICK_TIMEOUT,
            resumed=sends_settled("status_page.post"),
        ),
    ]
    return [*opening, *sends, *closing]


def _report(title: str, scenario: Scenario, ticks: dict[str, Any], capsys: Any) -> str:
    ready = sorted(scenario.ready_after[1:])  # the first start also imports warroom
    serving = f"serving after a restart: median {ready[len(ready) // 2]:.2f} s, max {ready[-1]:.2f} s" if ready else ""
    report = f"{scenario.crash_map()}\n{serving}\nsteady clock: {ticks}"
    with capsys.disabled():
        print(f"\ncrash map ({title}):\n{report}")
    return report


def _nothing_stuck_or_lost(scenario: Scenario, report: str, ticks: dict[str, Any]) -> None:
    """What every crash scenario must leave: each point reached and its work done after the
    restart, within seconds; the incident through to its postmortem; every alert stored once;
    one update clock, firing once per period; nothing given up."""
    assert all(o.reached for o in scenario.outcomes), report
    assert all(o.resumed_after is not None for o in scenario.outcomes), report
    assert max(o.resumed_after or 0 for o in scenario.outcomes) < RESUME_WITHIN_SECONDS, report
    incident = scenario.probe.incident(scenario.incident_id)
    assert (incident.severity, incident.status) == ("P0", "resolved")
    assert scenario.probe.postmortem(scenario.incident_id)
    assert len(scenario.storm.accepted) == len(scenario.storm.deliveries) == scenario.probe.alerts()
    assert ticks["most_waiting_ticks"] == 1, ticks
    assert ticks["fired"] >= STEADY_PERIODS - 1, ticks
    assert all(CADENCE_SECONDS - 0.1 <= gap <= CADENCE_SECONDS + GAP_SLACK for gap in ticks["gaps"]), ticks
    assert not [r for r in scenario.probe.outbox() if r.state == "failed"]
    assert not [j for j in scenario.probe.jobs() if j.state == "failed"]


def test_kill_at_every_step_and_send_with_every_outside_service(installation, services: Services, capsys):
    scenario = installation(env=services.env())
    scenario.services = services
    ticks: dict[str, Any] = {}
    scenario.run(_with_outside_services(ticks))
    scenario.storm.wait()
    left = scenario.settle()
    report = _report("SQLite; Slack, Statuspage, SMTP, Discord, X", scenario, ticks, capsys)
    assert not left, left
    _nothing_stuck_or_lost(scenario, report, ticks)

    [page_incident] = services.statuspage.incidents.values()
    assert page_incident["status"] == "resolved"
    posts = [r for r in scenario.probe.outbox("status_page.post") if r.state == "sent"]
    assert len(page_incident["incident_updates"]) == len(posts), "one public update per status post, none twice"
    [channel] = services.slack.channels.values()
    marks = Counter(m["metadata"]["event_payload"]["mark"] for m in channel.messages.values())
    assert len(marks) == len(channel.messages) and max(marks.values()) == 1, "a war-room message was posted twice"
    assert not [mid for mid, n in services.inbox.copies().items() if n > 1], "an email was sent twice"
    assert len(services.discord.messages) == 1 and services.x.duplicates == 0 and len(services.x.posts) == 1

    unknown = {r.kind for r in scenario.probe.outbox() if r.state == "unknown"}
    assert unknown == {"comms.email", "comms.discord", "comms.x"}, "each send killed in flight waits for a human"
    assert services.violations() == []


def _with_embedded_defaults(ticks: dict[str, Any]) -> list[Step]:
    opening, closing = _graph_steps(ticks)
    sends = [
        Step(
            "built-in page: post done, row not marked",
            arm="outbox.status_page.post.sent",
            resumed=sends_settled("status_page.post"),
        ),
        Step(
            "built-in room: opened, row not marked",
            arm="outbox.war_room.open.sent",
            resumed=sends_settled("war_room.open"),
        ),
        Step(
            "comms.review.end",
            arm="comms.review.end",
            resumed=_both(drafts_past("review"), jobs_settled("draft.start")),
        ),
        Step(
            ".eml written, row not marked",
            arm="outbox.comms.email.sent",
            drive=approve("email"),
            resumed=sends_settled("comms.email"),
        ),
        Step(
            "built-in page: update, row not marked",
            arm="outbox.status_page.post.sent",
            timeout=TICK_TIMEOUT,
            resumed=sends_settled("status_page.post"),
        ),
    ]
    return [*opening, *sends, *closing[:1], *closing[2:]]


def test_kill_at_every_step_and_send_on_postgres_with_the_embedded_defaults(
    installation, postgres_database_url, tmp_path, capsys
):
    scenario = installation(database_url=postgres_database_url)
    ticks: dict[str, Any] = {}
    scenario.run(_with_embedded_defaults(ticks))
    left = scenario.settle()
    report = _report("PostgreSQL; built-in page and room, .eml folder", scenario, ticks, capsys)
    assert not left, left
    _nothing_stuck_or_lost(scenario, report, ticks)

    posts = [r for r in scenario.probe.outbox("status_page.post") if r.state == "sent"]
    assert scenario.probe.page_updates() == len(posts), "one public update per status post, none twice"
    mails = [r for r in scenario.probe.outbox("comms.email") if r.state == "sent"]
    assert len(list((tmp_path / "data" / "outbox-email").glob("*.eml"))) == len(mails) > 0
    assert not [r for r in scenario.probe.outbox() if r.state == "unknown"], (
        "every built-in send can be repeated safely"
    )
