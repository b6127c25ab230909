from collections.abc import Iterator

import httpx
import pytest
from pydantic import ValidationError

from tests.fakes.discord_server import FakeDiscord
from tools.discord import DiscordError, DiscordMessage, DiscordWebhook


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    fake = FakeDiscord()
    yield fake
    assert fake.violations == []


@pytest.fixture
def webhook(fake: FakeDiscord) -> DiscordWebhook:
    return DiscordWebhook(httpx.Client(transport=fake.transport), fake.webhook_url)


def test_execute_posts_content_without_mentions_and_returns_the_message_id(
    fake: FakeDiscord, webhook: DiscordWebhook
) -> None:
    message_id = webhook.execute(DiscordMessage(content="🔴 **Checkout failing**", username="Shop status"))

    sent = fake.requests[-1]
    assert sent.query == {"wait": ["true"]}
    assert sent.body == {
        "content": "🔴 **Checkout failing**",
        "allowed_mentions": {"parse": []},
        "username": "Shop status",
    }
    assert message_id == fake.messages[-1]["id"]


def test_execute_into_a_thread_passes_thread_id(fake: FakeDiscord, webhook: DiscordWebhook) -> None:
    webhook.execute(DiscordMessage(content="update", thread_id="1189417500000000009"))

    assert fake.requests[-1].query["thread_id"] == ["1189417500000000009"]


def test_rate_limit_raises_with_retry_after_from_the_body(fake: FakeDiscord, webhook: DiscordWebhook) -> None:
    fake.rate_limit_next(retry_after=64.57)

    with pytest.raises(DiscordError) as caught:
        webhook.execute(DiscordMessage(content="update"))

    assert (caught.value.status, caught.value.retry_after) == (429, 64.57)
    assert fake.messages == []


def test_rate_limit_without_a_body_falls_back_to_the_retry_after_header(
    fake: FakeDiscord, webhook: DiscordWebhook
) -> None:
    fake.rate_limit_next(retry_after=3.0, header_only=True)

    with pytest.raises(DiscordError) as caught:
        webhook.execute(DiscordMessage(content="update"))

    assert caught.value.retry_after == 3.0


def test_a_deleted_webhook_is_reported_without_leaking_the_token(fake: FakeDiscord) -> None:
    url = fake.webhook_url.replace(fake.token, "revoked-token")
    webhook = DiscordWebhook(httpx.Client(transport=fake.transport), url)

    with pytest.raises(DiscordError) as caught:
        webhook.execute(DiscordMessage(content="update"))

    assert (caught.value.status, caught.value.code, caught.value.webhook_gone) == (404, 10015, True)
    assert "revoked-token" not in str(caught.value)


def test_an_unreachable_discord_does_not_leak_the_token() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    webhook = DiscordWebhook(
        httpx.Client(transport=httpx.MockTransport(refuse)), "https://discord.com/api/v10/webhooks/1/secret-token"
    )

    with pytest.raises(DiscordError) as caught:
        webhook.execute(DiscordMessage(content="update"))

    assert caught.value.status is None
    assert "secret-token" not in str(caught.value)


def test_content_over_2000_characters_is_refused_before_sending() -> None:
    with pytest.raises(ValidationError):
        DiscordMessage(content="x" * 2001)


def test_the_fake_rejects_a_body_the_spec_does_not_allow(fake: FakeDiscord) -> None:
    client = httpx.Client(transport=fake.transport)

    response = client.post(fake.webhook_url, json={"content": "x" * 2001, "tts": "yes"})

    assert response.status_code == 400
    assert len(fake.violations) == 2
    fake.violations.clear()


def test_a_url_that_is_not_a_webhook_is_refused() -> None:
    with pytest.raises(ValueError):
        DiscordWebhook(httpx.Client(), "https://discord.com/api/v10/channels/1/messages")
