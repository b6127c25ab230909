import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_server import FakeSlack
from tools.slack import (
    SlackError,
    SlackSignatureError,
    SlackWarRoom,
    channel_name,
    verify_slack_signature,
)

OPENED = datetime(2026, 11, 3, 2, 4, tzinfo=UTC)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake
        assert fake.violations == []


@pytest.fixture
def room(slack: FakeSlack) -> SlackWarRoom:
    return SlackWarRoom(WebClient(token=slack.token, base_url=slack.base_url))


# --- channel names ---------------------------------------------------------------------------


def test_channel_name_is_dated_lower_case_slug() -> None:
    assert channel_name(OPENED, "Checkout: 847 errors in /api/checkout!") == (
        "inc-2026-11-03-checkout-847-errors-in-api-checkout"
    )


def test_channel_name_folds_accents_and_drops_other_scripts() -> None:
    assert channel_name(OPENED, "Paiement échoué 支付") == "inc-2026-11-03-paiement-echoue"


def test_channel_name_without_usable_title_is_just_the_date() -> None:
    assert channel_name(OPENED, "!!! ???") == "inc-2026-11-03"


def test_channel_name_is_cut_to_80_chars_without_trailing_hyphen() -> None:
    name = channel_name(OPENED, "a" * 60 + " " + "b" * 60)

    assert len(name) <= 80
    assert not name.endswith("-")
    assert name.startswith("inc-2026-11-03-aaaa")


# --- war room against the fake ----------------------------------------------------------------


def test_open_channel_creates_it_and_returns_its_id(slack: FakeSlack, room: SlackWarRoom) -> None:
    channel_id = room.open_channel("inc-2026-11-03-checkout")

    assert slack.channels[channel_id].name == "inc-2026-11-03-checkout"
    assert slack.calls("conversations.create")[0].headers["authorization"] == f"Bearer {slack.token}"


def test_taken_name_gets_the_next_free_suffix(slack: FakeSlack, room: SlackWarRoom) -> None:
    slack.add_channel("inc-2026-11-03-checkout")
    slack.add_channel("inc-2026-11-03-checkout-2")

    channel_id = room.open_channel("inc-2026-11-03-checkout")

    assert slack.channels[channel_id].name == "inc-2026-11-03-checkout-3"
    assert [c.body["name"] for c in slack.calls("conversations.create")] == [
        "inc-2026-11-03-checkout",
        "inc-2026-11-03-checkout-2",
        "inc-2026-11-03-checkout-3",
    ]


def test_name_taken_told_by_slack_is_retried_with_suffix(slack: FakeSlack, room: SlackWarRoom) -> None:
    slack.fail_next(error="name_taken", method="conversations.create")

    channel_id = room.open_channel("inc-x")

    assert slack.channels[channel_id].name == "inc-x-2"


def test_suffix_keeps_a_max_length_name_within_80_chars(slack: FakeSlack, room: SlackWarRoom) -> None:
    long_name = channel_name(OPENED, "z" * 100)
    slack.add_channel(long_name)

    channel_id = room.open_channel(long_name)

    assert slack.channels[channel_id].name == long_name[:78] + "-2"


def test_rate_limit_becomes_slack_error_with_retry_after(slack: FakeSlack, room: SlackWarRoom) -> None:
    slack.fail_next(error="ratelimited", retry_after=42)

    with pytest.raises(SlackError) as raised:
        room.open_channel("inc-rate")

    assert raised.value.error_code == "ratelimited"
    assert raised.value.retry_after == 42.0
    assert raised.value.status == 429
    assert slack.channels == {}


def test_other_slack_errors_carry_their_code_without_retry_after(room: SlackWarRoom) -> None:
    with pytest.raises(SlackError) as raised:
        room.post("C404", "hello")

    assert (raised.value.error_code, raised.value.retry_after) == ("channel_not_found", None)


def test_set_topic_posts_and_pins(slack: FakeSlack, room: SlackWarRoom) -> None:
    channel_id = room.open_channel("inc-topic")

    room.set_topic(channel_id, "P0 checkout | IC: @ana | status page: investigating")
    ts = room.post(
        channel_id,
        "Incident opened",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*P0*"}}],
    )
    room.pin(channel_id, ts)
    room.pin(channel_id, ts)

    channel = slack.channels[channel_id]
    assert channel.topic.startswith("P0 checkout")
    assert channel.messages[ts]["blocks"][0]["text"]["text"] == "*P0*"
    assert channel.pins == [ts]


def test_invite_ignores_people_already_in_the_channel(slack: FakeSlack, room: SlackWarRoom) -> None:
    slack.add_user("ana@example.com", "U0ANA")
    slack.add_user("bo@example.com", "U0BO")
    channel_id = room.open_channel("inc-invite")
    room.invite(channel_id, ["U0ANA"])

    room.invite(channel_id, ["U0ANA", "U0BO"])
    room.invite(channel_id, ["U0BO"])

    assert slack.channels[channel_id].members >= {"U0ANA", "U0BO"}
    assert slack.calls("conversations.invite")[0].body["users"] == "U0ANA"


def test_an_unknown_user_costs_only_their_own_invitation_and_a_log_line(
    slack: FakeSlack, room: SlackWarRoom, caplog: pytest.LogCaptureFixture
) -> None:
    """Retrying would never make a mistyped `slack_id` valid: the others are invited, the room opens."""
    slack.add_user("ana@example.com", "U0ANA")
    channel_id = room.open_channel("inc-unknown")

    room.invite(channel_id, ["U0GHOST", "U0ANA"])

    assert slack.channels[channel_id].members >= {"U0ANA"} and "U0GHOST" not in slack.channels[channel_id].members
    assert "could not invite Slack user U0GHOST" in caplog.text and "user_not_found" in caplog.text


def test_invite_still_raises_when_the_channel_is_the_problem(room: SlackWarRoom) -> None:
    with pytest.raises(SlackError) as raised:
        room.invite("C0NOPE", ["U0GHOST"])

    assert raised.value.error_code == "channel_not_found"


def test_lookup_user_ids_skips_people_not_in_slack(slack: FakeSlack, room: SlackWarRoom) -> None:
    slack.add_user("ana@example.com", "U0ANA")

    found = room.lookup_user_ids(["ana@example.com", "nobody@example.com"])

    assert found == {"ana@example.com": "U0ANA"}
    assert [c.body["email"] for c in slack.calls("users.lookupByEmail")] == [
        "ana@example.com",
        "nobody@example.com",
    ]


def test_archive_is_idempotent(slack: FakeSlack, room: SlackWarRoom) -> None:
    channel_id = room.open_channel("inc-done")

    room.archive(channel_id)
    room.archive(channel_id)

    assert slack.channels[channel_id].archived


def test_fake_rejects_parameters_the_spec_does_not_know(slack: FakeSlack) -> None:
    client = WebClient(token=slack.token, base_url=slack.base_url)

    with pytest.raises(SlackApiError, match="invalid_arg_name"):
        client.conversations_create(name="inc-bad", colour="red")

    assert any("colour" in problem for problem in slack.violations)
    slack.violations.clear()


# --- request signing -------------------------------------------------------------------------

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BODY = b"payload=%7B%22type%22%3A%22block_actions%22%7D"
NOW = 1_762_135_200.0


def _sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def test_valid_signature_is_accepted() -> None:
    timestamp = str(int(NOW) - 299)

    verify_slack_signature(BODY, timestamp, _sign(BODY, timestamp), SECRET, NOW)


def test_signature_matches_slack_sdks_reference_implementation() -> None:
    timestamp = str(int(NOW))
    expected = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=BODY)
    assert expected is not None

    verify_slack_signature(BODY, timestamp, expected, SECRET, NOW)


@pytest.mark.parametrize(
    ("body", "signature_of", "secret"),
    [
        (BODY + b"x", BODY, SECRET),
        (BODY, BODY, "another-secret"),
    ],
    ids=["tampered-body", "wrong-secret"],
)
def test_bad_signature_is_rejected(body: bytes, signature_of: bytes, secret: str) -> None:
    timestamp = str(int(NOW))

    with pytest.raises(SlackSignatureError, match="does not match"):
        verify_slack_signature(body, timestamp, _sign(signature_of, timestamp, secret), SECRET, NOW)


@pytest.mark.parametrize("offset", [-301, 301])
def test_stale_or_future_timestamp_is_rejected(offset: int) -> None:
    timestamp = str(int(NOW) + offset)

    with pytest.raises(SlackSignatureError, match="window"):
        verify_slack_signature(BODY, timestamp, _sign(BODY, timestamp), SECRET, NOW)


@pytest.mark.parametrize("timestamp", ["", "abc"])
def test_malformed_timestamp_is_rejected(timestamp: str) -> None:
    with pytest.raises(SlackSignatureError, match=r"(?i)timestamp"):
        verify_slack_signature(BODY, timestamp, _sign(BODY, timestamp), SECRET, NOW)


def test_text_from_alerts_cannot_mention_everyone_or_hide_a_link(slack: FakeSlack, room: SlackWarRoom) -> None:
    channel_id = room.open_channel("inc-escape")
    title = "<!channel> checkout & <https://evil.example|click here>"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": title}}]
    room.post(channel_id, f"Incident #1: {title}", blocks=blocks)
    [sent] = slack.calls("chat.postMessage")
    assert sent.body["text"] == "Incident #1: &lt;!channel&gt; checkout &amp; &lt;https://evil.example|click here&gt;"
    assert "<" not in str(sent.body["blocks"]) and "&lt;!channel&gt;" in str(sent.body["blocks"])


def test_a_credential_an_alert_quotes_is_not_posted_to_the_workspace(slack: FakeSlack, room: SlackWarRoom) -> None:
    key = "sk_" + "live_4eC39HqLyjWDarjtT1zdp7dc"
    title = f"checkout 5xx on /api/checkout?token={key}"
    channel_id = room.open_channel(channel_name(OPENED, title))
    room.set_topic(channel_id, title)
    room.post(
        channel_id,
        title,
        blocks=[
            {"type": "section", "text": {"type": "mrkdwn", "text": title}},
            {"type": "section", "text": {"type": "plain_text", "text": f"Draft: {title}"}},
        ],
    )

    methods = ("conversations.create", "conversations.setTopic", "chat.postMessage")
    sent = str([call.body for method in methods for call in slack.calls(method)])
    assert key not in sent and key.lower() not in sent
    assert "checkout 5xx on /api/checkout?token=[redacted Stripe Access Key]" in sent
    assert "Draft: checkout 5xx on /api/checkout?token=[redacted Stripe Access Key]" in sent


def test_an_approval_link_reaches_the_war_room_whole(slack: FakeSlack, room: SlackWarRoom) -> None:
    from itsdangerous import URLSafeTimedSerializer

    link = f"http://127.0.0.1:8000/approve/{URLSafeTimedSerializer('k').dumps({'draft': 3})}"
    room.post(room.open_channel("inc-links"), f"Approve or edit: {link}")

    [sent] = slack.calls("chat.postMessage")
    assert link in sent.body["text"]
