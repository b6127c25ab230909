"""Lowered below the levels customers are told of, then raised back: the affected customers are owed a
first message again. Before, the lowering withdrew the undecided first message for good and the raise
re-drafted into that withdrawn draft's key, so the page said "more serious than previously reported"
while nobody affected heard a word. Someone already sent the first message is not sent it twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest

from tests.conftest import open_outage
from tests.graphs.steps import set_level
from warroom.settings import Settings


def _emails(client, auth, incident_id: int, kind: str | None = "initial") -> list[dict]:
    """The incident's email drafts in every state, of `kind` (None: every kind)."""
    states = ["pending_approval", "blocked", "approved", "sent", "rejected", "withdrawn"]
    drafts = client.get("/api/approvals", params={"incident_id": incident_id, "state": states}, headers=auth).json()
    return [d for d in drafts if d["channel"] == "email" and kind in (None, d["kind"])]


def _inbox(settings: Settings) -> list[str]:
    folder = Path(settings.data_dir) / "outbox-email"
    return (
        [str(message_from_bytes(p.read_bytes())["To"]) for p in sorted(folder.glob("*.eml"))] if folder.exists() else []
    )


@pytest.mark.parametrize(("lowered", "raised"), [("P2", "P1"), ("P3", "P0"), ("P2", "P0")])
def test_raised_back_the_affected_customers_get_a_first_message_to_approve(
    client, warroom, clock, auth, settings, lowered, raised
):
    incident_id = open_outage(client, warroom, clock)
    [first] = _emails(client, auth, incident_id)
    set_level(client, warroom, auth, incident_id, lowered)
    assert [d["state"] for d in _emails(client, auth, incident_id)] == ["withdrawn"]

    set_level(client, warroom, auth, incident_id, raised)
    withdrawn, again = _emails(client, auth, incident_id)
    assert (withdrawn["id"], withdrawn["state"]) == (first["id"], "withdrawn")
    assert (again["state"], again["written_for"]) == ("pending_approval", raised)
    assert sorted(again["recipients"]) == sorted(first["recipients"])
    room = [m["text"] for m in client.get(f"/api/incidents/{incident_id}/war-room", headers=auth).json()]
    assert any(f"email draft #{again['id']} awaits approval" in t for t in room), "the on-call is asked for it"

    assert client.post(f"/api/approvals/{again['id']}/approve", headers=auth).status_code == 200
    warroom.scheduler.run_pending()
    assert sorted(_inbox(settings)) == sorted(first["recipients"]), "each affected customer hears it once"


def test_a_customer_sent_the_first_message_is_not_sent_it_again_after_a_raise_back(
    client, warroom, clock, auth, settings
):
    incident_id = open_outage(client, warroom, clock)
    [first] = _emails(client, auth, incident_id)
    assert client.post(f"/api/approvals/{first['id']}/approve", headers=auth).status_code == 200
    warroom.scheduler.run_pending()
    told = sorted(_inbox(settings))
    assert told == sorted(first["recipients"])

    set_level(client, warroom, auth, incident_id, "P2")
    set_level(client, warroom, auth, incident_id, "P1")
    assert [d["id"] for d in _emails(client, auth, incident_id)] == [first["id"]]
    assert sorted(_inbox(settings)) == told


def test_a_raise_without_a_lowering_below_p1_re_drafts_the_first_message_in_place(client, warroom, clock, auth):
    incident_id = open_outage(client, warroom, clock)
    [first] = _emails(client, auth, incident_id)
    set_level(client, warroom, auth, incident_id, "P1")
    set_level(client, warroom, auth, incident_id, "P0")
    [again] = _emails(client, auth, incident_id)
    assert (again["id"], again["state"], again["written_for"]) == (first["id"], "pending_approval", "P0")


def test_the_update_promised_by_the_first_message_after_a_raise_back_is_drafted(client, warroom, clock, auth):
    """Found in review: the first message re-drafted on a P0 raise back promises "Next update by
    HH:MM", but the update round it promises reuses a label ('update-n') whose drafts the lowering
    withdrew, so no update email is drafted and the war room is never reminded."""
    incident_id = open_outage(client, warroom, clock)  # P0
    clock.advance(timedelta(minutes=11))  # update 1 is drafted ahead of its tick, nobody approves yet
    warroom.scheduler.run_pending()
    assert [d["kind"] for d in _emails(client, auth, incident_id, kind=None) if d["state"] == "pending_approval"] == [
        "update"
    ]

    set_level(client, warroom, auth, incident_id, "P2")
    set_level(client, warroom, auth, incident_id, "P0")
    [again] = [d for d in _emails(client, auth, incident_id, kind=None) if d["state"] == "pending_approval"]
    assert again["kind"] == "initial"
    assert client.post(f"/api/approvals/{again['id']}/approve", headers=auth).status_code == 200
    warroom.scheduler.run_pending()
    sent = client.get(f"/api/approvals/{again['id']}", headers=auth).json()
    promised = datetime.fromisoformat(sent["facts_used"]["next_update_at"])
    assert sent["state"] == "sent" and f"Next update by {promised:%H:%M} UTC" in sent["body"]

    clock.advance(promised - clock.now() - timedelta(seconds=30))  # just before the promise falls due
    warroom.scheduler.run_pending()
    later = [
        d for d in _emails(client, auth, incident_id, kind=None) if d["kind"] == "update" and d["id"] > again["id"]
    ]
    room = [m["text"] for m in client.get(f"/api/incidents/{incident_id}/war-room", headers=auth).json()]
    reminded = [t for t in room if "Customers were promised" in t]
    assert later or reminded, (
        f"customers were emailed 'Next update by {promised:%H:%M} UTC': no update email drafted, nobody reminded"
    )


def test_customers_already_sent_an_update_are_not_sent_a_first_message_again(client, warroom, clock, auth):
    """Found in review: at P0 the update drafted ahead replaces an unapproved first message, so the
    customers' first word was update 1. After a lower/raise back they are sent 'a first message' again:
    the already-told skip only counts drafts of kind 'initial'."""
    incident_id = open_outage(client, warroom, clock)  # P0
    clock.advance(timedelta(minutes=11))
    warroom.scheduler.run_pending()
    [update] = [d for d in _emails(client, auth, incident_id, kind=None) if d["state"] == "pending_approval"]
    assert update["kind"] == "update"
    assert client.post(f"/api/approvals/{update['id']}/approve", headers=auth).status_code == 200
    warroom.scheduler.run_pending()
    assert client.get(f"/api/approvals/{update['id']}", headers=auth).json()["state"] == "sent"

    set_level(client, warroom, auth, incident_id, "P2")
    set_level(client, warroom, auth, incident_id, "P0")
    again = [d for d in _emails(client, auth, incident_id, kind=None) if d["state"] == "pending_approval"]
    assert again == [], (
        f"{len(again[0]['recipients'])} customers who were emailed update 1 are asked to be sent "
        f"'{again[0]['subject']}' (an initial) again"
    )
