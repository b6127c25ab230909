"""Auto-send weighs the level customers are told of: with customer email on auto-send at P0, a P0
that only the alert's resemblance to labelled P0s raised over the rules' P1 waits for a person, while
the team's own channel hears the P0 it is paged for."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agents.cto.resemblance import look
from agents.cto.resemblance.detector import Neighbour, Resemblance
from api.scenarios import sentry_event_alert
from warroom.settings import ChannelConfig, Settings
from warroom.severity import Severity


@pytest.fixture
def settings(settings: Settings) -> Settings:
    channels = {
        "email": ChannelConfig(auto_send_at_or_above=Severity.P0),
        "slack_internal": ChannelConfig(auto_send_at_or_above=Severity.P1),
    }
    return settings.model_copy(update={"channels": channels})


def _storm(post_sentry, clock, users: int) -> int:
    for n in range(users):
        payload = sentry_event_alert(
            event_id=f"{n:032x}",
            issue_id="91",
            at=clock.now(),
            path="/api/checkout",
            user_id=f"u{n}",
            browser=("Chrome", "131"),
            region="DE",
        )
        answer = post_sentry(payload)
        assert answer.status_code == 202, answer.text
        clock.advance(timedelta(seconds=1))
    return answer.json()["incident_id"]


def _drafts(client, auth, incident_id: int, channel: str) -> list[dict]:
    states = ["pending_approval", "blocked", "approved", "sent"]
    found = client.get("/api/approvals", params={"incident_id": incident_id, "state": states}, headers=auth)
    return [d for d in found.json() if d["channel"] == channel]


def test_a_resemblance_only_p0_is_not_auto_sent_to_customers(post_sentry, client, warroom, clock, auth, monkeypatch):
    read = Resemblance(p0_probability=0.97, nearest=[Neighbour(case="some-p0", p0=True, similarity=0.8)])
    monkeypatch.setattr(look, "resemblance", lambda text: read)
    incident_id = _storm(post_sentry, clock, users=3)
    warroom.scheduler.run_pending()
    classification = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["classification"]
    assert (classification["severity"], classification["rule"], classification["floor"]) == ("P0", "resembles_p0", "P1")
    [internal] = _drafts(client, auth, incident_id, "slack_internal")
    assert internal["state"] == "sent", "the team's channel hears the level it is paged at"
    emails = _drafts(client, auth, incident_id, "email")
    assert emails and {e["state"] for e in emails} == {"pending_approval"}, (
        "a guess never reaches a customer on its own"
    )
