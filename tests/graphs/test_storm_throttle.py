"""Storm safety: under a 10,000-event storm with customer email on auto-send and an update
cadence faster than the throttle, each customer gets at most one message per interval; the
rest wait for a human (who may still approve them)."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest

from api.scenarios import sentry_event_alert
from warroom.settings import ChannelConfig, Settings
from warroom.severity import Severity

pytestmark = pytest.mark.timeout(300)

EVENTS = 10_000
USERS = 40


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "channels": {"email": ChannelConfig(auto_send_at_or_above=Severity.P0)},
            "update_cadence_minutes": {**settings.update_cadence_minutes, Severity.P0: 5.0},
        }
    )


def _sent(client, auth, settings: Settings) -> dict[str, list[datetime]]:
    """Recipient -> when each message they received was released: every `.eml` customers got,
    matched to its draft by subject and body (the file's Date is the wall clock, not the test's)."""
    folder = Path(settings.data_dir) / "outbox-email"
    drafts = client.get("/api/approvals", params={"state": ["sent", "approved"], "channel": "email"}, headers=auth)
    released = {(d["subject"], d["body"].strip()): datetime.fromisoformat(d["decided_at"]) for d in drafts.json()}
    found: dict[str, list[datetime]] = defaultdict(list)
    for path in folder.glob("*.eml"):
        message = message_from_bytes(path.read_bytes())
        body = message.get_payload(decode=True).decode().replace("\r\n", "\n").strip()
        found[str(message["To"])].append(released[(str(message["Subject"]), body)])
    return found


def test_the_throttle_holds_under_a_ten_thousand_event_storm_with_auto_send_on(
    post_sentry, client, warroom, clock, auth, settings
):
    start = clock.now()
    for n in range(EVENTS):
        payload = sentry_event_alert(
            event_id=uuid.uuid4().hex,
            issue_id="77",
            at=clock.now(),
            path="/api/checkout",
            user_id=f"u{n % USERS}",
            browser=("Chrome", "120.0"),
            region="us-east-1",
        )
        assert post_sentry(payload).status_code == 202
        if n % 250 == 249:  # 10,000 events over 40 minutes, the worker keeping up
            clock.advance(timedelta(minutes=1))
            warroom.scheduler.run_pending()
        if n == 249:  # an error storm with traffic unknown is an uncertain P0: customers' auto-send waits for a person
            [incident] = client.get("/api/incidents", headers=auth).json()
            confirm = {"severity": "P0", "actor": "dana"}
            assert (
                client.post(f"/api/incidents/{incident['id']}/severity", json=confirm, headers=auth).status_code == 202
            )
            warroom.scheduler.run_pending()
    warroom.scheduler.run_pending()
    minutes = (clock.now() - start) / timedelta(minutes=1)

    sent = _sent(client, auth, settings)
    assert sent, "auto-send sent nothing"
    interval = timedelta(minutes=settings.customer_message_interval_minutes)
    for recipient, times in sent.items():
        times.sort()
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert all(gap >= interval for gap in gaps), (recipient, times)
        assert len(times) <= minutes // settings.customer_message_interval_minutes + 1
    [incident_id] = {i["id"] for i in client.get("/api/incidents", headers=auth).json()}
    timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
    held = [e for e in timeline if "held for a human instead of auto-sent" in e["text"]]
    assert held, "the 5-minute cadence drafted more often than the throttle allows: some must wait"
    for entry in held:  # not sent when held: it waits, is replaced, or goes once the interval allows
        draft_id = int(re.search(r"draft #(\d+)", entry["text"]).group(1))
        draft = client.get(f"/api/approvals/{draft_id}", headers=auth).json()
        assert draft["state"] in ("pending_approval", "withdrawn") or (
            draft["decided_at"] > entry["at"] and draft["state"] in ("approved", "sent")
        ), (draft_id, draft["state"])
