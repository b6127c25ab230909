"""A P2/P3 opens no war room, so with Slack configured there is no channel for its messages (the
recurrence guard's notice, say): they go to the built-in room the web UI shows, and nothing is
sent to a channel Slack does not have (which failed the send until it gave up and waited for a
human)."""

from __future__ import annotations

from flows.effects import post_to_war_room
from tests.fakes.slack_server import FakeSlack
from warroom.outbox.store import list_rows


def test_a_message_for_an_incident_without_a_channel_stays_in_the_built_in_room(
    slack_warroom, slack: FakeSlack, clock, auth
):
    warroom, client = slack_warroom
    declared = client.post(
        "/api/incidents", json={"title": "Avatar thumbnails blurry", "severity": "P3"}, headers=auth
    ).json()
    incident_id = declared["incident_id"]
    warroom.scheduler.run_pending()
    assert slack.channels == {}  # a P3 opens no room
    with warroom.engine.begin() as conn:
        post_to_war_room(conn, key="test.recurs", incident_id=incident_id, text="This recurs #12.", now=clock.now())
    warroom.scheduler.run_pending()

    with warroom.engine.connect() as conn:
        [item] = [i for i in list_rows(conn) if i.idempotency_key == "test.recurs"]
    assert item.state == "sent", item
    messages = client.get(f"/api/incidents/{incident_id}/war-room", headers=auth).json()
    assert [m["text"] for m in messages if "recurs" in m["text"]] == ["This recurs #12."]
    assert slack.calls("chat.postMessage") == []
