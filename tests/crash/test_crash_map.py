"""The crash map at the component level, for the moments a real kill cannot hit reliably: the
checkpoint write of each graph step failing (after the step's effects committed, or after its
output was saved), and each kind of send failing before the receiver acted, after it acted but
before our own write, and with its outcome never recorded (the process gone between the two)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from api.app import create_app
from api.composition import Warroom
from api.scenarios import checkout_outage
from flows.effects import post_status
from graphs.runner import CommsRunner, IncidentRunner
from tests.conftest import SENTRY_SECRET
from tests.crash.faults import FlakySaver, failing_statement
from tests.crash.services import Services
from tests.fakes.instatus_server import FakeInstatus
from tests.fakes.routing import RoutingTransport
from warroom import keys
from warroom.db import table_of
from warroom.drafts import store as drafts
from warroom.incidents.models import IncidentStatus
from warroom.outbox.store import enqueue
from warroom.outbox.tables import OutboxRow
from warroom.settings import Settings
from warroom.status_page.models import Impact, StatusPost
from warroom.war_room.models import RoomSetup

pytestmark = pytest.mark.crash
OUTBOX = table_of(OutboxRow)


def _settle(warroom: Warroom, clock: Any, rounds: int = 6) -> None:
    """Run everything due, letting the retry backoff of failed jobs pass."""
    for _ in range(rounds):
        warroom.scheduler.run_pending()
        clock.advance(timedelta(seconds=5))
    warroom.scheduler.run_pending()


def _storm(client: TestClient, clock: Any) -> int:
    for delivery in checkout_outage(SENTRY_SECRET, events=40, minutes=1, start=clock.now() - timedelta(minutes=1)):
        incident_id = client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers).json()[
            "incident_id"
        ]
    return int(incident_id)


@pytest.fixture
def flaky(warroom: Warroom) -> FlakySaver:
    """Both graphs of `warroom` run on a checkpointer that can be told to fail once."""
    saver = FlakySaver(warroom.runner.graph.checkpointer)  # type: ignore[arg-type]
    IncidentRunner(warroom.runner.context, saver).register(warroom.scheduler)
    CommsRunner(warroom.comms.context, saver).register(warroom.scheduler)
    return saver


@pytest.mark.parametrize("stage", ["checkpoint"])
@pytest.mark.parametrize("node", ["triage", "respond", "monitor", "update", "resolve"])
def test_an_incident_step_whose_checkpoint_fails_is_run_again_and_the_lifecycle_completes(
    flaky, client, warroom, clock, auth, node, stage
):
    flaky.fail(stage, node)
    incident_id = _storm(client, clock)
    _settle(warroom, clock)
    for _ in range(2):
        clock.advance(timedelta(minutes=15))
        _settle(warroom, clock)
    assert (
        client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "founder"}, headers=auth).status_code == 202
    )
    _settle(warroom, clock)

    assert flaky.fired == [f"{stage}:{node}"]
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert (incident["severity"], incident["status"]) == ("P0", "resolved")
    assert warroom.runner.graph.get_state({"configurable": {"thread_id": f"incident-{incident_id}"}}).tasks == ()
    ticks = [e for e in incident["timeline"] if e["kind"] == "update"]
    assert len(ticks) == 2, "one update per 15-minute period"
    [page] = client.get("/status.json").json()["recent_incidents"]
    bodies = [u["body"] for u in page["updates"]]
    assert len(bodies) == len(set(bodies)) == 4, "opened, two updates, resolved: each once"
    assert client.get(f"/api/incidents/{incident_id}/postmortem", headers=auth).status_code == 200


@pytest.mark.parametrize("stage", ["checkpoint"])
@pytest.mark.parametrize("node", ["review", "send"])
def test_a_draft_step_whose_checkpoint_fails_is_run_again_and_every_approved_draft_goes_once(
    flaky, client, warroom, clock, auth, settings, node, stage
):
    flaky.fail(stage, node)
    incident_id = _storm(client, clock)
    _settle(warroom, clock)
    for draft in client.get("/api/approvals", params={"incident_id": incident_id}, headers=auth).json():
        if draft["channel"] == "email":
            client.post(f"/api/approvals/{draft['id']}/approve", json={"actor": "founder"}, headers=auth)
    _settle(warroom, clock)

    assert flaky.fired == [f"{stage}:{node}"]
    states = ["approved", "sent"]
    decided = client.get("/api/approvals", params={"incident_id": incident_id, "state": states}, headers=auth).json()
    assert decided and all(d["state"] == "sent" for d in decided), [(d["channel"], d["state"]) for d in decided]
    mailed = sorted(p.name for p in (settings.data_dir / "outbox-email").glob("*.eml"))
    assert len(mailed) == sum(len(d["recipients"]) for d in decided if d["channel"] == "email")


# --- sends -------------------------------------------------------------------------------


@dataclass
class Send:
    """One kind of send: how to queue one, make the receiver refuse it once, and count copies."""

    kind: str
    queue: Callable[[Wired], None]
    refuse_once: Callable[[Wired], None]
    copies: Callable[[Wired], int]
    written_after: tuple[str, ...]
    """How the first write of ours after the receiver acted begins."""
    when_outcome_lost: str
    """The row's state once its outcome was lost: `sent` where the receiver could be asked or
    keeps one copy, `unknown` where it cannot be asked."""


@dataclass
class Wired:
    warroom: Warroom
    services: Services
    clock: Any
    incident_id: int
    instatus: FakeInstatus


TEXT = "crash-map message: checkout payments are failing for some customers"


def _post(title: str, body: str = TEXT) -> Callable[[Wired], None]:
    def queue(w: Wired) -> None:
        post = StatusPost(
            incident_id=w.incident_id, title=title, status=IncidentStatus.INVESTIGATING, body=body, impact=Impact.MAJOR
        )
        with w.warroom.engine.begin() as conn:
            post_status(conn, key=f"crash-map:{title}:{body[:20]}", post=post, now=w.clock.now())

    return queue


def _status_update(w: Wired) -> None:
    _post("opened", "the first post")(w)
    _drain(w)
    _post("updated")(w)


def _war_room_post(w: Wired) -> None:
    setup = RoomSetup(incident_id=w.incident_id, opened_at=w.clock.now(), title="Checkout", topic="P0", intro="hello")
    with w.warroom.engine.begin() as conn:
        enqueue(
            conn,
            key="crash-map:open",
            kind="war_room.open",
            now=w.clock.now(),
            incident_id=w.incident_id,
            payload=setup.model_dump(mode="json"),
        )
    _drain(w)
    with w.warroom.engine.begin() as conn:
        enqueue(
            conn,
            key="crash-map:post",
            kind="war_room.post",
            now=w.clock.now(),
            incident_id=w.incident_id,
            payload={"incident_id": w.incident_id, "text": TEXT},
        )


def _comms(kind: str, channel: str, to: str) -> Callable[[Wired], None]:
    def queue(w: Wired) -> None:
        with w.warroom.engine.begin() as conn:
            draft_id, _ = drafts.create_draft(
                conn,
                key=f"crash-map:{channel}",
                values=dict(
                    incident_id=w.incident_id,
                    kind="initial",
                    channel=channel,
                    audience="affected users",
                    recipients=[to] if channel == "email" else [],
                    subject="Checkout problems",
                    body=TEXT,
                    public=True,
                    facts_used={},
                    problems=[],
                    state="approved",
                    created_at=w.clock.now(),
                ),
            )
            payload = {"draft_id": draft_id, "to": to, "subject": "Checkout problems", "body": TEXT, "channel": channel}
            enqueue(
                conn,
                key=keys.draft_send(draft_id, to),
                kind=kind,
                now=w.clock.now(),
                incident_id=w.incident_id,
                payload=payload,
            )

    return queue


def _statuspage_copies(w: Wired) -> int:
    return sum(u["body"] == TEXT for i in w.services.statuspage.incidents.values() for u in i["incident_updates"])


def _slack_messages(w: Wired) -> int:
    return sum(m["text"] == TEXT for c in w.services.slack.channels.values() for m in c.messages.values())


SENDS = {
    "statuspage create": Send(
        "status_page.post",
        _post("opened"),
        lambda w: w.services.statuspage.fail_next(status=503, retry_after=None),
        lambda w: _statuspage_copies(w),
        ("INSERT INTO external_refs",),
        "sent",
    ),
    "statuspage update": Send(
        "status_page.post",
        _status_update,
        lambda w: w.services.statuspage.fail_next(status=503, retry_after=None),
        lambda w: sum(
            u["body"] == TEXT for i in w.services.statuspage.incidents.values() for u in i["incident_updates"]
        ),
        ("INSERT INTO timeline_events",),
        "sent",
    ),
    "slack chat.postMessage": Send(
        "war_room.post",
        _war_room_post,
        lambda w: w.services.slack.fail_next(error="ratelimited", retry_after=1, method="chat.postMessage"),
        _slack_messages,
        ("INSERT INTO war_room_messages",),
        "sent",
    ),
    "smtp email": Send(
        "comms.email",
        _comms("comms.email", "email", "ana@customers.example.com"),
        lambda w: w.services.inbox.refuse_next(),
        lambda w: len(w.services.inbox.messages),
        ("UPDATE drafts", "INSERT INTO timeline_events"),
        "unknown",
    ),
    "discord webhook": Send(
        "comms.discord",
        _comms("comms.discord", "discord", "discord"),
        lambda w: w.services.discord.rate_limit_next(retry_after=1),
        lambda w: sum(m["content"] == TEXT for m in w.services.discord.messages),
        ("UPDATE drafts", "INSERT INTO timeline_events"),
        "unknown",
    ),
    "x post": Send(
        "comms.x",
        _comms("comms.x", "x", "x"),
        lambda w: w.services.x.rate_limit_next(reset_at=w.clock.now().timestamp() + 1),
        lambda w: sum(p["text"] == TEXT for p in w.services.x.posts.values()) + w.services.x.duplicates,
        ("UPDATE drafts", "INSERT INTO timeline_events"),
        "unknown",
    ),
}


@pytest.fixture
def wired(settings: Settings, clock: Any) -> Iterator[Wired]:
    """warroom with Statuspage, Slack, SMTP, Discord and X configured, and one incident open."""
    services = Services()
    services.slack.start()
    controller = services.start_smtp()
    transport = RoutingTransport(
        {
            "api.statuspage.io": services.statuspage.transport,
            "discord.com": services.discord.transport,
            "api.x.com": services.x.transport,
        }
    )
    configured = settings.model_copy(
        update={
            "statuspage_api_key": SecretStr(services.statuspage.api_key),
            "statuspage_page_id": services.statuspage.page_id,
            "slack_bot_token": SecretStr(services.slack.token),
            "slack_api_url": services.slack.base_url,
            "smtp_url": SecretStr(f"smtp://127.0.0.1:{services.smtp_port}"),
            "discord_webhook_url": SecretStr(services.discord.webhook_url),
            "x_bearer_token": SecretStr(services.x.user_token),
        }
    )
    warroom = Warroom.build(configured, clock, transport=transport)
    with TestClient(create_app(warroom, run_worker=False)) as client:
        [delivery] = checkout_outage(SENTRY_SECRET, events=1, start=clock.now())
        incident_id = client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers).json()[
            "incident_id"
        ]
        yield Wired(warroom, services, clock, incident_id, FakeInstatus())
    warroom.close()
    services.slack.stop()
    controller.stop()
    assert services.violations() == []


def _drain(w: Wired) -> None:
    for _ in range(4):
        w.warroom.scheduler.outbox.run_due()
        w.clock.advance(timedelta(seconds=31))


def _row(w: Wired, kind: str) -> Any:
    """The last outbox row of `kind`: the one the test queued."""
    with w.warroom.engine.connect() as conn:
        return conn.execute(select(OUTBOX).where(OUTBOX.c.kind == kind).order_by(OUTBOX.c.id.desc())).first()


@pytest.mark.parametrize("name", list(SENDS))
def test_a_send_refused_before_the_receiver_acted_is_retried_and_arrives_once(wired, name):
    send = SENDS[name]
    send.queue(wired)
    send.refuse_once(wired)
    _drain(wired)
    assert send.copies(wired) == 1
    assert _row(wired, send.kind).state == "sent"


@pytest.mark.parametrize("name", list(SENDS))
def test_a_send_whose_next_write_fails_is_never_sent_again(wired, name):
    send = SENDS[name]
    send.queue(wired)
    with failing_statement(wired.warroom.engine, *send.written_after) as refused:
        wired.warroom.scheduler.outbox.run_due()
    assert refused, "the write after the send was never attempted"
    _drain(wired)
    assert send.copies(wired) == 1
    assert _row(wired, send.kind).state == "sent"


@pytest.mark.parametrize("name", list(SENDS))
def test_a_send_whose_outcome_was_lost_is_checked_or_left_for_a_human_never_repeated_blindly(wired, name):
    send = SENDS[name]
    send.queue(wired)
    with failing_statement(wired.warroom.engine, "UPDATE outbox SET state") as refused:
        try:
            wired.warroom.scheduler.outbox.run_due()
        except Exception:  # the process would have died here
            pass
    assert refused
    wired.warroom.scheduler.release([wired.warroom.scheduler.owner])  # what a restart does for a dead process
    _drain(wired)
    assert send.copies(wired) == 1
    assert _row(wired, send.kind).state == send.when_outcome_lost


def test_a_step_that_keeps_failing_is_shown_stuck_and_a_retry_after_the_fix_resumes_it(client, warroom, clock, auth):
    incident_id = _storm(client, clock)
    with failing_statement(warroom.engine, "UPDATE incidents SET severity", times=100):
        for _ in range(10):
            warroom.scheduler.run_pending()
            clock.advance(timedelta(minutes=3))
    health = client.get("/healthz").json()
    assert (health["status"], health["stuck_incidents"]) == ("attention", [incident_id])
    failed = client.get("/api/jobs", params={"state": "failed"}, headers=auth).json()
    [start] = [j for j in failed if j["kind"] == "incident.start"]
    assert start["attempts"] == 8 and "injected failure" in start["last_error"]

    for job in failed:  # the cause is gone: a human runs the stuck work again
        assert client.post(f"/api/jobs/{job['id']}/retry", headers=auth).status_code == 200
    assert client.post(f"/api/jobs/{start['id']}/retry", headers=auth).status_code == 409
    warroom.scheduler.run_pending()
    assert warroom.runner.graph.get_state({"configurable": {"thread_id": f"incident-{incident_id}"}}).interrupts
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["severity"] == "P0"
    assert client.get("/healthz").json()["status"] == "ok"
