"""warroom with its production integrations configured — Atlassian Statuspage, Slack, Sentry's API —
each pointed at a fake that checks every request against the published spec."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.composition import Warroom
from tests.conftest import open_outage
from tests.fakes.routing import RoutingTransport
from tests.fakes.sentry_server import FakeSentry
from tests.fakes.slack_server import FakeSlack
from tests.fakes.statuspage_server import FakeStatuspage
from warroom.settings import Person, Settings


@pytest.fixture
def fakes(clock) -> Iterator[tuple[FakeStatuspage, FakeSlack, FakeSentry]]:
    statuspage, sentry = FakeStatuspage(), FakeSentry(clock=clock)
    with FakeSlack() as slack:
        yield statuspage, slack, sentry
    assert statuspage.violations == [] and slack.violations == [] and sentry.violations == []


@pytest.fixture
def integrated(settings: Settings, clock, fakes) -> Iterator[tuple[Warroom, TestClient]]:
    statuspage, slack, sentry = fakes
    configured = settings.model_copy(
        update={
            "statuspage_api_key": SecretStr(statuspage.api_key),
            "statuspage_page_id": statuspage.page_id,
            "slack_bot_token": SecretStr(slack.token),
            "slack_api_url": slack.base_url,
            "sentry_api_token": SecretStr(sentry.token),
            "sentry_org": sentry.org,
            "sentry_api_url": "https://us.sentry.io",
            "on_call": Person(name="alice", email="alice@example.com"),
        }
    )
    transport = RoutingTransport({"api.statuspage.io": statuspage.transport, "us.sentry.io": sentry.transport})
    warroom = Warroom.build(configured, clock, transport=transport)
    with TestClient(create_app(warroom, run_worker=False)) as client:
        yield warroom, client
    warroom.close()


def test_p0_opens_an_incident_on_atlassian_statuspage_and_resolves_it(integrated, fakes, clock, auth):
    warroom, client = integrated
    statuspage, _, _ = fakes
    incident_id = open_outage(client, warroom, clock)
    [page_incident] = statuspage.incidents.values()
    assert page_incident["status"] == "investigating"
    assert page_incident["impact_override"] == "critical" or page_incident.get("impact") == "critical"
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "alice"}, headers=auth)
    warroom.scheduler.run_pending()
    assert page_incident["status"] == "resolved"
    assert [r.method for r in statuspage.requests].count("POST") == 1


def test_statuspage_rate_limit_is_retried_after_the_wait_it_asked_for(integrated, fakes, clock, auth):
    warroom, client = integrated
    statuspage, _, _ = fakes
    statuspage.fail_next(1, status=429, retry_after=7)
    open_outage(client, warroom, clock)
    assert statuspage.incidents == {}
    clock.advance(timedelta(seconds=7))
    warroom.scheduler.run_pending()
    assert len(statuspage.incidents) == 1


def test_war_room_in_slack_handles_name_taken_and_rate_limits(integrated, fakes, clock, auth):
    warroom, client = integrated
    _, slack, _ = fakes
    slack.add_channel(f"inc-{clock.now():%Y-%m-%d}-checkout-is-failing")
    slack.add_user("alice@example.com", "U0ALICE")
    slack.fail_next(1, method="chat.postMessage", retry_after=3)
    incident_id = open_outage(client, warroom, clock)
    clock.advance(timedelta(seconds=3))
    warroom.scheduler.run_pending()
    [channel] = [c for c in slack.channels.values() if c.name.endswith("-2")]
    assert channel.topic.startswith("P0 · investigating")
    assert "U0ALICE" in channel.members
    assert channel.pins, "links and the status page are pinned"
    texts = [m["text"] for m in channel.messages.values()]
    assert sum(t.startswith(f"Incident #{incident_id}") for t in texts) == 1
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "alice"}, headers=auth)
    warroom.scheduler.run_pending()
    assert channel.archived


def test_sentry_enrichment_reaches_evidence_users_and_cohort(integrated, fakes, clock, auth):
    warroom, client = integrated
    _, _, sentry = fakes
    sentry.add_issue("4412093", count="5000", userCount=900)
    sentry.add_tag_values("4412093", "browser", {"Firefox 121": 4500, "Chrome 120": 500})
    incident_id = open_outage(client, warroom, clock)
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    [enriched] = [e for e in incident["timeline"] if e["kind"] == "enrichment"]
    assert "5000 events, 900 users" in enriched["text"] and "browser Firefox 121" in enriched["text"]
    assert incident["users_affected"] == 900, "severity and comms weigh Sentry's user count"
    drafts = client.get("/api/approvals", params={"incident_id": incident_id}, headers=auth).json()
    [email] = [d for d in drafts if d["channel"] == "email"]
    assert "Firefox" in email["body"]


def test_sentry_api_failure_is_retried_and_the_alerts_tags_stand_meanwhile(integrated, fakes, clock, auth):
    warroom, client = integrated
    _, _, sentry = fakes
    incident_id = open_outage(client, warroom, clock)
    drafts = client.get("/api/approvals", params={"incident_id": incident_id}, headers=auth).json()
    assert drafts, "drafting does not wait for Sentry"
    assert not [
        e
        for e in client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
        if e["kind"] == "enrichment"
    ]
    sentry.add_issue("4412093", count="70", userCount=60)
    clock.advance(timedelta(minutes=5))
    warroom.scheduler.run_pending()
    timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
    assert [e["kind"] for e in timeline].count("enrichment") == 1


@pytest.mark.parametrize(
    "mapping",
    [{"checkout": "8kbf7d35c070"}, {"SHOP": "8kbf7d35c070", "checkout": "0ther"}],
    ids=["by what customers call it", "by service name, which wins"],
)
def test_components_reach_statuspage_only_when_mapped_to_page_ids(settings, clock, fakes, auth, mapping):
    statuspage, slack, _ = fakes
    configured = settings.model_copy(
        update={
            "statuspage_api_key": SecretStr(statuspage.api_key),
            "statuspage_page_id": statuspage.page_id,
            "status_page_components": mapping,
        }
    )
    warroom = Warroom.build(configured, clock, transport=RoutingTransport({"api.statuspage.io": statuspage.transport}))
    try:
        with TestClient(create_app(warroom, run_worker=False)) as client:
            open_outage(client, warroom, clock)
    finally:
        warroom.close()
    [page_incident] = statuspage.incidents.values()
    assert statuspage.components == {"8kbf7d35c070": "major_outage"}
    assert page_incident["status"] == "investigating"


@pytest.fixture
def owned(settings: Settings, tmp_path) -> Settings:
    """Statuspage and Slack on, a CODEOWNERS naming a team and a person by handle, and the people
    those handles mean."""
    codeowners = tmp_path / "CODEOWNERS"
    codeowners.write_text(
        "*  @acme/platform\n/api/checkout/  @acme/payments  @nobody-mapped\n/api/login/  @acme/identity\n"
    )
    return settings.model_copy(
        update={
            "codeowners_path": codeowners,
            "status_page_url": "https://status.shop.example",
            "people": [
                Person(name="Ana Ortiz", email="ana@example.com", handles=["@acme/payments", "@ana"]),
                Person(name="Raj Patel", slack_id="U0RAJ", handles=["@ACME/Payments"]),
                Person(name="Gone Person", slack_id="U0GONE", handles=["@acme/payments"]),  # left the workspace
                Person(name="Ida Lund", email="ida@example.com", handles=["@acme/identity"]),
            ],
        }
    )


def test_codeowners_handles_bring_their_people_into_the_war_room_and_the_real_status_page_is_pinned(
    owned, clock, fakes
):
    statuspage, slack, sentry = fakes
    slack.add_user("alice@example.com", "U0ALICE")
    slack.add_user("ana@example.com", "U0ANA")
    slack.add_user("ida@example.com", "U0IDA")
    slack.add_user("raj@example.com", "U0RAJ")
    configured = owned.model_copy(
        update={
            "statuspage_api_key": SecretStr(statuspage.api_key),
            "statuspage_page_id": statuspage.page_id,
            "slack_bot_token": SecretStr(slack.token),
            "slack_api_url": slack.base_url,
            "on_call": Person(name="alice", email="alice@example.com"),
        }
    )
    transport = RoutingTransport({"api.statuspage.io": statuspage.transport})
    warroom = Warroom.build(configured, clock, transport=transport)
    with TestClient(create_app(warroom, run_worker=False)) as client:
        open_outage(client, warroom, clock)
    warroom.close()
    [channel] = slack.channels.values()
    assert {"U0ALICE", "U0ANA", "U0RAJ"} <= set(channel.members)
    assert "U0IDA" not in channel.members, "login's owner is not checkout's"
    intro = next(m["text"] for m in channel.messages.values() if m["text"].startswith("Incident #"))
    assert "U0GONE" not in channel.members, "an id Slack does not know costs its invitation, not the room"
    assert "@acme/payments (Ana Ortiz, Raj Patel, Gone Person)" in intro
    assert "@nobody-mapped (nobody in warroom.toml has this handle: not invited)" in intro
    pinned = [channel.messages[ts]["text"] for ts in channel.pins]
    assert "Status page: https://status.shop.example" in pinned
    assert not any("/status" in text and "127.0.0.1" in text for text in pinned)
