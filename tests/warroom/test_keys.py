"""Keys: outside text enters only as a fixed-length digest, so every key fits its column however
long the address or name; the same inputs give the same key."""

from __future__ import annotations

import pytest

from warroom import keys
from warroom.severity import Severity

LONG = "a" * 240 + "@" + "b" * 250 + ".example"
TIMELINE_DEDUP = DRAFT_KEY = WAR_ROOM_ID = 255


@pytest.mark.parametrize(
    ("key", "column"),
    [
        (keys.draft_send(12, LONG), 512),
        (keys.sent(keys.draft_send(12, LONG)), TIMELINE_DEDUP),
        (keys.draft(7, "update-12", "enterprise_email", LONG), DRAFT_KEY),
        (keys.llm_note(7, "initial", LONG), TIMELINE_DEDUP),
        (keys.action_item_comment(3, LONG), TIMELINE_DEDUP),
        (keys.recovered_noted(LONG), TIMELINE_DEDUP),
        (keys.recovered(7, LONG), 512),
        (keys.slack_message(LONG, LONG), WAR_ROOM_ID),
        (keys.slack_reply(LONG, LONG, "12"), 512),
    ],
)
def test_outside_text_leaves_a_readable_prefix_and_fits_the_column(key: str, column: int) -> None:
    assert len(key) <= column
    assert LONG not in key and "aaaa" not in key
    assert key.split(":")[0] in {"draft", "sent", "incident", "action-item", "recovered", "slack"}


def test_addresses_that_differ_give_different_keys_and_the_same_address_the_same_key() -> None:
    assert keys.draft_send(1, "ann@example.com") == keys.draft_send(1, "ann@example.com")
    assert keys.draft_send(1, "ann@example.com") != keys.draft_send(1, "bob@example.com")


def test_a_raise_reschedules_the_same_update_under_a_new_key() -> None:
    assert keys.tick(7, 3, Severity.P1) != keys.tick(7, 3, Severity.P0)
    assert keys.tick(7, 3, Severity.P0).startswith(keys.ticks(7))
    assert keys.ack_deadline(7, Severity.P0, 1).startswith(keys.escalations(7))
