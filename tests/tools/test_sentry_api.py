from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from tests.fakes.sentry_server import FakeSentry
from tools.sentry import SentryAPI, SentryAPIError, TagValue
from warroom.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeSentry]:
    fake = FakeSentry(page_size=2, clock=clock)
    fake.add_issue(
        "1117540176",
        title="TypeError: cart is undefined",
        count="847",
        userCount=312,
        firstSeen="2026-11-03T01:57:00Z",
        lastSeen="2026-11-03T02:00:00Z",
        permalink="https://acme.sentry.io/issues/1117540176/",
    )
    yield fake
    assert fake.violations == []


@pytest.fixture
def api(fake: FakeSentry, clock: FakeClock) -> SentryAPI:
    client = httpx.Client(base_url="https://us.sentry.io", transport=fake.transport)
    return SentryAPI(client, fake.token, fake.org, clock=clock)


def test_issue_reads_counts_and_times_with_bearer_auth(fake: FakeSentry, api: SentryAPI) -> None:
    issue = api.issue("1117540176")

    assert (issue.count, issue.user_count) == (847, 312)
    assert issue.first_seen == datetime(2026, 11, 3, 1, 57, tzinfo=UTC)
    assert issue.permalink == "https://acme.sentry.io/issues/1117540176/"
    assert fake.requests[-1].path == "/api/0/organizations/acme/issues/1117540176/"
    assert fake.requests[-1].headers["authorization"] == f"Bearer {fake.token}"


def test_tag_values_follow_the_link_cursor_until_no_more_results(fake: FakeSentry, api: SentryAPI) -> None:
    fake.add_tag_values(
        "1117540176",
        "browser",
        {"Chrome 130": 500, "Safari 18": 200, "Firefox 131": 100, "Edge 130": 47, "Opera": 0},
    )

    values = api.tag_values("1117540176", "browser")

    assert values == [
        TagValue(value="Chrome 130", count=500),
        TagValue(value="Safari 18", count=200),
        TagValue(value="Firefox 131", count=100),
        TagValue(value="Edge 130", count=47),
        TagValue(value="Opera", count=0),
    ]
    assert [r.query.get("cursor") for r in fake.requests] == [None, ["0:2:0"], ["0:4:0"]]


def test_enrich_collects_tags_and_leaves_out_missing_keys(fake: FakeSentry, api: SentryAPI) -> None:
    fake.add_tag_values("1117540176", "browser", {"Safari 18": 20, "Chrome 130": 800})
    fake.add_tag_values("1117540176", "release", {"web@4.2.0": 847})
    fake.add_tag_values("1117540176", "url", {"https://shop.example/api/checkout": 847})

    enrichment = api.enrich("1117540176")

    assert (enrichment.count, enrichment.user_count) == (847, 312)
    assert enrichment.last_seen == datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    assert enrichment.permalink == "https://acme.sentry.io/issues/1117540176/"
    assert enrichment.tags == {
        "browser": [TagValue(value="Chrome 130", count=800), TagValue(value="Safari 18", count=20)],
        "release": [TagValue(value="web@4.2.0", count=847)],
        "url": [TagValue(value="https://shop.example/api/checkout", count=847)],
    }


def test_enrich_asks_only_for_the_keys_given(fake: FakeSentry, api: SentryAPI) -> None:
    fake.add_tag_values("1117540176", "environment", {"production": 847})

    enrichment = api.enrich("1117540176", keys=("environment",))

    assert list(enrichment.tags) == ["environment"]
    assert [r.path.rsplit("/tags/", 1)[-1] for r in fake.requests[1:]] == ["environment/values/"]


def test_rate_limit_uses_retry_after_when_given(fake: FakeSentry, api: SentryAPI) -> None:
    fake.fail_next(retry_after=9)

    with pytest.raises(SentryAPIError) as raised:
        api.issue("1117540176")

    assert (raised.value.status, raised.value.retry_after) == (429, 9.0)


def test_rate_limit_falls_back_to_the_reset_header(fake: FakeSentry, api: SentryAPI) -> None:
    fake.fail_next(reset_in=20)

    with pytest.raises(SentryAPIError) as raised:
        api.enrich("1117540176")

    assert raised.value.retry_after == 20.0


def test_unknown_issue_is_a_404_error(api: SentryAPI) -> None:
    with pytest.raises(SentryAPIError) as raised:
        api.issue("999")

    assert (raised.value.status, raised.value.retry_after) == (404, None)


def test_fake_rejects_a_sort_value_outside_the_spec_enum(fake: FakeSentry) -> None:
    client = httpx.Client(base_url="https://us.sentry.io", transport=fake.transport)

    response = client.get(
        "/api/0/organizations/acme/issues/1117540176/tags/browser/values/",
        params={"sort": "-count"},
        headers={"Authorization": f"Bearer {fake.token}"},
    )

    assert response.status_code == 400
    assert fake.violations == ["query sort='-count': not one of ['age', 'count', 'date', 'id']"]
    fake.violations.clear()
