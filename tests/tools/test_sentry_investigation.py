"""What an investigation reads from Sentry: the first release, the latest event, tag shares."""

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from evals.investigation.cases import CASES_DIR, load_case
from tests.fakes.sentry_server import FakeSentry, sentry_breadcrumb, sentry_exception, sentry_frame
from tools.sentry import SentryAPI, SentryAPIError, TagShare
from tools.sentry_event import parse_event
from warroom.clock import FakeClock

ISSUE = "4820317655"


@pytest.fixture
def fake() -> Iterator[FakeSentry]:
    fake = FakeSentry(clock=FakeClock())
    fake.add_issue(
        ISSUE,
        title="PaymentError: charge failed",
        count="847",
        userCount=312,
        firstSeen="2026-11-03T01:57:00Z",
        lastSeen="2026-11-03T02:00:00Z",
        permalink=f"https://acme.sentry.io/issues/{ISSUE}/",
        firstRelease={
            "version": "checkout@2026.11.2",
            "shortVersion": "2026.11.2",
            "dateCreated": "2026-11-03T01:40:00Z",
            "dateReleased": "2026-11-03T01:45:00Z",
            "ref": None,
            "url": None,
        },
    )
    yield fake
    assert fake.violations == []


@pytest.fixture
def api(fake: FakeSentry) -> SentryAPI:
    client = httpx.Client(base_url="https://us.sentry.io", transport=fake.transport)
    return SentryAPI(client, fake.token, fake.org)


def charge_failure(fake: FakeSentry, **changes) -> None:
    """A payment error raised from our code while handling a connection error from a library."""
    cause = sentry_exception(
        "ConnectionError",
        "connection to payments.internal:443 timed out",
        [
            sentry_frame("charge", "checkout.payments", 88, context_line="response = client.post(url, json=body)"),
            sentry_frame("send", "httpx._client", 1014, in_app=False),
        ],
        module="httpx",
    )
    raised = sentry_exception(
        "PaymentError",
        "charge failed",
        [
            sentry_frame("handle", "django.core.handlers.base", 197, in_app=False),
            sentry_frame("submit", "checkout.views", 41, context_line="receipt = payments.charge(cart)"),
            sentry_frame("charge", "checkout.payments", 92, context_line="raise PaymentError('charge failed')"),
        ],
        module="checkout.payments",
    )
    crumbs = [
        sentry_breadcrumb(f"GET /api/cart/{n}", f"2026-11-03T01:59:{n:02d}Z", category="http", type_="http")
        for n in range(15)
    ]
    fake.add_event(
        ISSUE,
        exceptions=[cause, raised],
        breadcrumbs=crumbs,
        release="checkout@2026.11.2",
        tags={"environment": "production", "region": "us-east-1", "handled": "no"},
        dateCreated="2026-11-03T02:00:00Z",
        **changes,
    )


def test_issue_names_the_release_it_first_appeared_in(api: SentryAPI) -> None:
    issue = api.issue(ISSUE)

    assert issue.first_release is not None
    assert issue.first_release.version == "checkout@2026.11.2"
    assert issue.first_release.date_released == datetime(2026, 11, 3, 1, 45, tzinfo=UTC)


def test_issue_without_a_release_has_none(fake: FakeSentry, api: SentryAPI) -> None:
    fake.issues[ISSUE]["firstRelease"] = None

    assert api.issue(ISSUE).first_release is None


def test_latest_event_gives_the_raised_exception_and_its_in_app_frames_innermost_first(
    fake: FakeSentry, api: SentryAPI
) -> None:
    charge_failure(fake)

    event = api.latest_event(ISSUE)

    assert event.exception is not None
    assert (event.exception.type, event.exception.value) == ("PaymentError", "charge failed")
    assert event.exception.handled is False
    assert [(f.module, f.function, f.lineno) for f in event.exception.frames] == [
        ("checkout.payments", "charge", 92),
        ("checkout.views", "submit", 41),
    ]
    top = event.top_in_app_frame
    assert top is not None
    assert (top.filename, top.context_line) == ("checkout/payments.py", "raise PaymentError('charge failed')")
    assert [e.type for e in event.exceptions] == ["PaymentError", "ConnectionError"]
    assert fake.requests[-1].path == f"/api/0/organizations/acme/issues/{ISSUE}/events/latest/"


def test_latest_event_keeps_the_last_breadcrumbs_oldest_first(fake: FakeSentry, api: SentryAPI) -> None:
    charge_failure(fake)

    event = api.latest_event(ISSUE, breadcrumbs=3)

    assert [b.message for b in event.breadcrumbs] == ["GET /api/cart/12", "GET /api/cart/13", "GET /api/cart/14"]
    assert event.breadcrumbs[-1].timestamp == datetime(2026, 11, 3, 1, 59, 14, tzinfo=UTC)
    assert event.breadcrumbs[-1].category == "http"


def test_latest_event_reads_release_environment_and_tags(fake: FakeSentry, api: SentryAPI) -> None:
    charge_failure(fake)

    event = api.latest_event(ISSUE, environment="production")

    assert (event.release, event.environment) == ("checkout@2026.11.2", "production")
    assert event.tags["region"] == "us-east-1"
    assert event.issue_id == ISSUE
    assert event.date_created == datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    assert fake.requests[-1].query == {"environment": ["production"]}


def test_latest_event_is_the_newest_one(fake: FakeSentry, api: SentryAPI) -> None:
    charge_failure(fake)
    charge_failure(fake, eventID="b" * 32)

    assert api.latest_event(ISSUE).event_id == "b" * 32


def test_issue_without_events_is_a_404(api: SentryAPI) -> None:
    with pytest.raises(SentryAPIError) as raised:
        api.latest_event(ISSUE)

    assert raised.value.status == 404


def test_tag_distribution_gives_each_values_share_of_the_events(fake: FakeSentry, api: SentryAPI) -> None:
    fake.add_tag_values(ISSUE, "release", {"checkout@2026.11.1": 48, "checkout@2026.11.2": 799})
    fake.add_tag_values(ISSUE, "region", {"us-east-1": 847})

    release = api.tag_distribution(ISSUE, "release")
    region = api.tag_distribution(ISSUE, "region")

    assert (release.total, release.unique_values) == (847, 2)
    assert release.dominant == TagShare(value="checkout@2026.11.2", count=799, share=799 / 847)
    assert f"{release.dominant.share:.0%}" == "94%"
    assert region.dominant is not None and region.dominant.share == 1.0
    assert fake.requests[-1].path == f"/api/0/organizations/acme/issues/{ISSUE}/tags/region/"


def test_tag_distribution_shares_are_of_all_events_not_only_the_top_nine(fake: FakeSentry, api: SentryAPI) -> None:
    fake.add_tag_values(ISSUE, "url", {f"/api/item/{n}": 10 + n for n in range(12)})

    url = api.tag_distribution(ISSUE, "url")

    assert len(url.top) == 9
    assert url.total == sum(10 + n for n in range(12))
    assert url.top[0].value == "/api/item/11"
    assert url.top[0].share == pytest.approx(21 / url.total)


def test_tag_distributions_leave_out_tags_the_issue_never_had(fake: FakeSentry, api: SentryAPI) -> None:
    fake.add_tag_values(ISSUE, "environment", {"production": 847})

    found = api.tag_distributions(ISSUE, keys=("environment", "region"))

    assert list(found) == ["environment"]


def test_event_without_entries_or_with_odd_ones_still_parses() -> None:
    event = parse_event(
        {
            "eventID": "e1",
            "title": "boom",
            "entries": [
                {"type": "exception", "data": {"values": ["not a dict", {"type": "ValueError"}]}},
                {"type": "breadcrumbs", "data": {"values": [{"timestamp": "not a time", "message": "x"}]}},
                {"type": "request", "data": None},
            ],
            "tags": [{"key": "release", "value": "web@1"}],
            "release": None,
        }
    )

    assert event.exception is not None and event.exception.type == "ValueError"
    assert event.exception.frames == [] and event.top_in_app_frame is None
    assert event.breadcrumbs[0].timestamp is None and event.breadcrumbs[0].message == "x"
    assert event.release == "web@1"


def test_frames_and_breadcrumbs_keep_their_place_in_the_whole_event(fake: FakeSentry, api: SentryAPI) -> None:
    charge_failure(fake)

    event = api.latest_event(ISSUE, breadcrumbs=2)

    assert event.exception is not None
    assert [(f.function, f.index) for f in event.exception.frames] == [("charge", 0), ("submit", 1)]
    assert [(b.message, b.index) for b in event.breadcrumbs] == [("GET /api/cart/13", 13), ("GET /api/cart/14", 14)]


def test_issues_around_an_incident_come_from_the_organisation_s_issue_list(fake: FakeSentry, api: SentryAPI) -> None:
    case = load_case(CASES_DIR / "upload-path-restart-loop")
    assert case.sentry is not None
    fake.serve(case.sentry.issue, case.sentry.latest_event, case.sentry.issues, case.sentry.tags)

    found = api.issues(start=datetime(2026, 6, 2, 15, 55, tzinfo=UTC), end=datetime(2026, 6, 2, 18, 59, tzinfo=UTC))

    assert {i.id for i in found} == {"5127730041", "4411092835"}
    own = next(i for i in found if i.id == "5127730041")
    assert own.project == "dashboard"
    request = fake.requests[-1]
    assert request.path == "/api/0/organizations/acme/issues/"
    assert request.query["sort"] == ["date"] and request.query["start"] == ["2026-06-02T15:55:00+00:00"]
    details = api.issue("5127730041")
    assert details.first_release is not None and "release" in details.tag_keys
