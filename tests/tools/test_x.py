from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from pydantic import ValidationError

from tests.fakes.x_server import FakeX
from tools.x import XClient, XError, XPost
from warroom.channels import x_weighted_length
from warroom.clock import FakeClock


@pytest.fixture
def fake() -> Iterator[FakeX]:
    fake = FakeX()
    yield fake
    assert fake.violations == []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def x(fake: FakeX, clock: FakeClock) -> XClient:
    return XClient(httpx.Client(transport=fake.transport), fake.user_token, clock=clock)


def test_post_sends_text_with_the_user_token_and_returns_the_id(fake: FakeX, x: XClient) -> None:
    post_id = x.post(XPost(text="Checkout has been failing for ~15% of users since 02:14 UTC."))

    sent = fake.requests[-1]
    assert sent.headers["authorization"] == "Bearer x-user-token"
    assert sent.body == {"text": "Checkout has been failing for ~15% of users since 02:14 UTC."}
    assert post_id in fake.posts


def test_an_update_replies_to_the_first_post_as_a_thread(fake: FakeX, x: XClient) -> None:
    first = x.post(XPost(text="Checkout is failing."))

    x.post(XPost(text="Update: a fix is in place.", in_reply_to=first))

    assert fake.requests[-1].body["reply"] == {"in_reply_to_tweet_id": first}


def test_rate_limit_raises_with_seconds_until_the_reset(fake: FakeX, x: XClient, clock: FakeClock) -> None:
    fake.rate_limit_next(reset_at=(clock.now() + timedelta(seconds=90)).timestamp())

    with pytest.raises(XError) as caught:
        x.post(XPost(text="update"))

    assert (caught.value.status, caught.value.retry_after) == (429, 90.0)


def test_duplicate_text_is_refused_with_the_services_reason(x: XClient) -> None:
    x.post(XPost(text="Checkout is failing."))

    with pytest.raises(XError) as caught:
        x.post(XPost(text="Checkout is failing."))

    assert caught.value.status == 403
    assert "duplicate content" in str(caught.value)


def test_a_wrong_token_is_unauthorised(fake: FakeX) -> None:
    client = XClient(httpx.Client(transport=fake.transport), "stale-token")

    with pytest.raises(XError) as caught:
        client.post(XPost(text="update"))

    assert caught.value.status == 401


def test_posts_over_280_weighted_characters_are_refused_before_sending() -> None:
    with pytest.raises(ValidationError):
        XPost(text="界" * 141)
    assert XPost(text="a" * 280).text


def test_weighted_length_counts_urls_as_23_and_wide_characters_as_2() -> None:
    assert x_weighted_length("status: https://status.example.com/incidents/42") == 8 + 23
    assert x_weighted_length("界🙂a") == 5
