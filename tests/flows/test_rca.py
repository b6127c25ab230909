"""The enterprise RCA: one per affected enterprise account after the postmortem, with that
account's own users, requests and minutes, the cause in customer words and the dated action items;
grounded and approved like every customer message, and tracked as an action item due by the
account's SLA deadline until it is sent."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.composition import Warroom
from api.scenarios import sentry_event_alert
from tests.conftest import SENTRY_SECRET
from tools.webhooks.base import hmac_sha256_hex
from warroom.settings import AccountConfig, Person, Settings

ACCOUNTS = {
    "acme": AccountConfig(name="Acme Corp", contact_emails=["ops@acme.example"], sla_rca_days=5),
    "globex": AccountConfig(name="Globex", contact_emails=["it@globex.example"], sla_rca_days=3),
}


@pytest.fixture
def live(settings: Settings, clock) -> Iterator[tuple[Warroom, TestClient]]:
    configured = settings.model_copy(update={"accounts": ACCOUNTS, "on_call": Person(name="alice")})
    warroom = Warroom.build(configured, clock)
    with TestClient(create_app(warroom, run_worker=False)) as client:
        yield warroom, client
    warroom.close()


def _outage(warroom: Warroom, client: TestClient, clock, auth, notes: list[str]) -> int:
    """30 checkout errors over two minutes, 12 of them from 4 Acme users; then notes and resolution."""
    start = clock.now() - timedelta(minutes=2)
    for n in range(30):
        acme = n % 5 < 2
        payload = sentry_event_alert(
            event_id=uuid.UUID(int=n + 1).hex,
            issue_id="4412093",
            at=start + timedelta(seconds=4 * n),
            path="/api/checkout",
            user_id=f"acme-{n % 4}" if acme else f"user-{n}",
            browser=("Chrome", "120.0"),
            region="us-east-1",
            account="acme" if acme else None,
        )
        body = json.dumps(payload).encode()
        headers = {
            "content-type": "application/json",
            "sentry-hook-resource": "event_alert",
            "sentry-hook-signature": hmac_sha256_hex(SENTRY_SECRET, body),
        }
        incident_id = client.post("/webhooks/sentry", content=body, headers=headers).json()["incident_id"]
    warroom.scheduler.run_pending()
    for text in notes:
        client.post(f"/api/incidents/{incident_id}/notes", json={"text": text, "author": "alice"}, headers=auth)
    clock.advance(timedelta(minutes=20))
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "alice"}, headers=auth)
    warroom.scheduler.run_pending()
    return incident_id


def _rcas(client: TestClient, incident_id: int, auth) -> list[dict]:
    states = ["pending_approval", "blocked", "approved", "sent", "rejected"]
    found = client.get("/api/approvals", params={"incident_id": incident_id, "state": states}, headers=auth).json()
    return [d for d in found if d["kind"] == "rca"]


def test_each_affected_account_gets_its_own_grounded_rca_tracked_until_sent(live, clock, auth):
    warroom, client = live
    notes = [
        "cause: a checkout setting was changed without a second review",
        "fixed: restored the previous checkout setting\naction [P1]: require a second review for checkout settings",
    ]
    incident_id = _outage(warroom, client, clock, auth, notes)
    [rca] = _rcas(client, incident_id, auth)
    assert rca["channel"] == "enterprise_email" and rca["recipients"] == ["ops@acme.example"]
    assert rca["state"] == "pending_approval" and rca["problems"] == []
    body = rca["body"]
    assert body.startswith("Dear Acme Corp team,")
    assert "Checkout was failing from 01:58 UTC to 02:20 UTC (22 minutes)." in body
    assert "4 of your users were affected, and 12 of their requests failed, between 01:58 UTC and 01:59 UTC" in body
    assert "Cause\nA checkout setting was changed without a second review." in body
    assert "Restored the previous checkout setting. Service was fully restored at 02:20 UTC." in body
    assert "- Require a second review for checkout settings (by 17 November 2026)" in body
    assert "Globex" not in body and "alice" not in body
    resolved = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["resolved_at"]
    items = client.get("/api/action-items", params={"incident_id": incident_id}, headers=auth).json()
    [tracked] = [i for i in items if i["source"] == "rca:acme"]
    assert tracked["title"] == f"Send the root-cause analysis to Acme Corp (draft #{rca['id']})"
    assert tracked["due"][:10] == (clock.now() + timedelta(days=5)).date().isoformat() and tracked["status"] == "open"
    assert resolved is not None and tracked["owner"] == "alice"

    approved = client.post(f"/api/approvals/{rca['id']}/approve", json={"actor": "alice"}, headers=auth)
    assert approved.status_code == 200
    warroom.scheduler.run_pending()
    assert _rcas(client, incident_id, auth)[0]["state"] == "sent"
    items = client.get("/api/action-items", params={"incident_id": incident_id}, headers=auth).json()
    assert next(i for i in items if i["source"] == "rca:acme")["status"] == "done"


def test_without_a_cause_in_customer_words_the_rca_waits_for_one(live, clock, auth):
    warroom, client = live
    incident_id = _outage(warroom, client, clock, auth, ["cause: NullPointerException in PaymentMapper on pay-7f9c2d"])
    [rca] = _rcas(client, incident_id, auth)
    assert rca["state"] == "blocked"
    assert "the cause is still to be written in words the customer knows" in " ".join(rca["problems"])
    assert "NullPointerException" not in rca["body"] and "pay-7f9c2d" not in rca["body"]
    edited = rca["body"].replace(
        "[to be written: the cause in words the customer knows, without internal names]",
        "A payment setting our checkout relies on was missing",
    )
    invented = client.post(
        f"/api/approvals/{rca['id']}/approve", json={"body": edited + "\nIt affected 95% of orders."}, headers=auth
    )
    assert invented.status_code == 422
    approved = client.post(f"/api/approvals/{rca['id']}/approve", json={"body": edited, "actor": "alice"}, headers=auth)
    assert approved.status_code == 200, approved.text
