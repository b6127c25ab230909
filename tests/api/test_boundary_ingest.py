"""The ingest boundary against hostile and careless input, on SQLite and on PostgreSQL.

Every case is a request an attacker or a careless integrator really sent (issue 12): each is
tried on every route it applies to, and none may end in a 500 or lose an authentic delivery.
Unsigned oddities are a 401; signed bodies that cannot be read are quarantined whole with the
reason and answered 202 (Sentry, PagerDuty: a 4xx costs them their webhook) or 400/422; odd but
readable values are normalised and stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from tests.conftest import API_TOKEN, PAGERDUTY_SECRET, SENTRY_SECRET, SLACK_SECRET, WEBHOOK_TOKEN
from tests.fakes.spec import spec_payload
from tools.webhooks.base import hmac_sha256_hex
from warroom.alerts.ignored import IgnoredDelivery, recent_ignored
from warroom.alerts.tables import AlertRow
from warroom.db import table_of
from warroom.untrusted import LATEST, MAX_COUNT, MAX_JSON_DEPTH

ALERTS = table_of(AlertRow)
PATHS = {
    "sentry": "/webhooks/sentry",
    "pagerduty": "/webhooks/pagerduty",
    "alertmanager": "/webhooks/alertmanager",
    "grafana": "/webhooks/grafana",
    "datadog": "/webhooks/datadog",
    "api": "/api/alerts",
}
SOURCES = list(PATHS)
ANSWER_202 = {"sentry", "pagerduty"}
SAMPLES = {
    "sentry": "sentry-issue-alert.json",
    "pagerduty": "pagerduty-incident-triggered.json",
    "alertmanager": "alertmanager-firing.json",
    "grafana": "grafana-firing.json",
    "datadog": "datadog.json",
}
TITLE = {
    "sentry": ("data", "event", "title"),
    "pagerduty": ("event", "data", "title"),
    "alertmanager": ("alerts", 0, "annotations", "summary"),
    "grafana": ("alerts", 0, "annotations", "summary"),
    "datadog": ("title",),
    "api": ("title",),
}
DELIVERY_ID = {
    "sentry": ("data", "event", "event_id"),
    "pagerduty": ("event", "id"),
    "alertmanager": ("alerts", 0, "fingerprint"),
    "grafana": ("alerts", 0, "fingerprint"),
    "datadog": ("id",),
    "api": ("delivery_key",),
}
OCCURRED = {
    "sentry": ("data", "event", "datetime"),
    "pagerduty": ("event", "occurred_at"),
    "alertmanager": ("alerts", 0, "startsAt"),
    "grafana": ("alerts", 0, "startsAt"),
    "api": ("occurred_at",),
}
NON_ASCII = "ü".encode() * 32


def _set(payload: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    target: Any = payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return payload


def fresh(source: str) -> dict[str, Any]:
    """The source's sample with ids no other test used, so nothing is taken for a redelivery."""
    tag = uuid.uuid4().hex
    if source == "api":
        return {"title": "Checkout latency above SLO", "service": "checkout", "delivery_key": tag}
    payload = spec_payload(SAMPLES[source])
    if source in ("alertmanager", "grafana"):
        for index, element in enumerate(payload["alerts"]):
            element["fingerprint"] = f"{tag}{index}"
        return payload
    return _set(payload, DELIVERY_ID[source], tag)


def signed(source: str, body: bytes) -> dict[str, str]:
    if source == "sentry":
        return {"sentry-hook-signature": hmac_sha256_hex(SENTRY_SECRET, body), "sentry-hook-resource": "event_alert"}
    if source == "pagerduty":
        return {"x-pagerduty-signature": f"v1={hmac_sha256_hex(PAGERDUTY_SECRET, body)}"}
    return {"authorization": f"Bearer {API_TOKEN if source == 'api' else WEBHOOK_TOKEN}"}


def deliver(client, source: str, payload: Any = None, *, body: bytes | None = None, resource: str | None = None):
    body = json.dumps(payload).encode() if body is None else body
    headers = {"content-type": "application/json", **signed(source, body)}
    if resource:
        headers["sentry-hook-resource"] = resource
    return client.post(PATHS[source], content=body, headers=headers)


def stored(warroom, alert_id: int) -> dict[str, Any]:
    with warroom.engine.connect() as conn:
        row = conn.execute(select(ALERTS).where(ALERTS.c.id == alert_id)).one()
    return {**row._mapping}


def newest_quarantined(warroom, source: str) -> IgnoredDelivery:
    with warroom.engine.connect() as conn:
        [kept] = recent_ignored(conn, source=source, quarantined=True, limit=1)
    return kept


# Unauthenticated: any header text is a 401, never a traceback.

HEADER_PROBES = [
    ("sentry", {"sentry-hook-signature": NON_ASCII}),
    ("pagerduty", {"x-pagerduty-signature": b"v1=" + NON_ASCII}),
    ("alertmanager", {"authorization": b"Bearer " + NON_ASCII}),
    ("grafana", {"authorization": b"Bearer " + NON_ASCII}),
    ("grafana", {"x-grafana-alerting-signature": NON_ASCII}),
    ("datadog", {"authorization": b"Bearer " + NON_ASCII}),
    ("api", {"authorization": b"Bearer " + NON_ASCII}),
]


@pytest.mark.parametrize(("source", "headers"), HEADER_PROBES, ids=[f"{s}-{next(iter(h))}" for s, h in HEADER_PROBES])
def test_non_ascii_credentials_are_a_401(db_client, source, headers):
    body = json.dumps(fresh(source)).encode()
    response = db_client.post(PATHS[source], content=body, headers={"content-type": "application/json", **headers})
    assert response.status_code == 401, response.text


@pytest.mark.parametrize("path", ["/api/incidents", "/api/approvals", "/api/action-items", "/api/ignored-deliveries"])
def test_non_ascii_bearer_token_on_the_api_is_a_401(db_client, path):
    assert db_client.get(path, headers={"authorization": b"Bearer " + NON_ASCII}).status_code == 401


def _slack_headers(db_warroom, body: bytes, timestamp: bytes | None = None, signature: bytes | None = None):
    sent = str(int(db_warroom.clock.now().timestamp())).encode()
    good = b"v0=" + hmac.new(SLACK_SECRET.encode(), b"v0:" + sent + b":" + body, hashlib.sha256).hexdigest().encode()
    return {"x-slack-request-timestamp": timestamp or sent, "x-slack-signature": signature or good}


SLACK_BODIES = {
    "/slack/events": b'{"type": "url_verification", "challenge": "c"}',
    "/slack/interactions": urlencode({"payload": json.dumps({"type": "block_actions"})}).encode(),
}
SLACK_PROBES = {
    "non-ascii-signature": {"signature": b"v0=" + NON_ASCII},
    "400-digit-timestamp": {"timestamp": b"1" * 400},
    "non-ascii-timestamp": {"timestamp": "１７".encode()},
}


@pytest.mark.parametrize("probe", list(SLACK_PROBES))
@pytest.mark.parametrize("path", list(SLACK_BODIES))
def test_odd_slack_signature_headers_are_a_401(db_client, db_warroom, path, probe):
    body = SLACK_BODIES[path]
    headers = _slack_headers(db_warroom, body, **SLACK_PROBES[probe])
    assert db_client.post(path, content=body, headers=headers).status_code == 401


@pytest.mark.parametrize("path", list(SLACK_BODIES))
def test_slack_accepts_what_it_signed(db_client, db_warroom, path):
    body = SLACK_BODIES[path]
    assert db_client.post(path, content=body, headers=_slack_headers(db_warroom, body)).status_code == 200


# Signed but unreadable: quarantined whole, answered as the source's retry rules want.

DEEP = b'{"data": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
UNREADABLE = {
    "10000-deep": (DEEP, f"nested deeper than {MAX_JSON_DEPTH} levels"),
    "not-utf8": (b'{"title": "caf\xe9"}', "not UTF-8"),
    "nan": (b'{"title": NaN}', "NaN is not a JSON number"),
    "huge-number": (b'{"title": 1e999}', "too large"),
    "unbalanced": (b"[" * 10_000, "not JSON"),
}


@pytest.mark.parametrize("case", list(UNREADABLE))
@pytest.mark.parametrize("source", SOURCES)
def test_signed_unreadable_body_is_quarantined_whole(db_client, db_warroom, source, case):
    body, reason = UNREADABLE[case]
    response = deliver(db_client, source, body=body)
    if source in ANSWER_202:
        assert response.status_code == 202, response.text
        assert reason in response.json()["quarantined"]
    else:
        assert response.status_code == 400, response.text
        assert reason in response.json()["detail"] and response.json()["field"] == "body"
    kept = newest_quarantined(db_warroom, source)
    assert reason in kept.reason and kept.body_size == len(body)
    assert kept.body == body.decode("utf-8", "backslashreplace")


def test_quarantined_body_keeps_nul_bytes_as_escapes(db_client, db_warroom):
    response = deliver(db_client, "datadog", body=b'{"id": "1",\x00 "title": "x"}')
    assert response.status_code == 400
    assert newest_quarantined(db_warroom, "datadog").body == '{"id": "1",\\x00 "title": "x"}'


@pytest.mark.parametrize("path", list(SLACK_BODIES))
@pytest.mark.parametrize("case", list(UNREADABLE))
def test_signed_unreadable_slack_body_is_a_400(db_client, db_warroom, path, case):
    body = UNREADABLE[case][0]
    if path == "/slack/interactions":
        body = b"payload=" + body
    response = db_client.post(path, content=body, headers=_slack_headers(db_warroom, body))
    assert response.status_code == 400, response.text


@pytest.mark.parametrize("value", [[1], "text", None, 7])
@pytest.mark.parametrize("path", list(SLACK_BODIES))
def test_slack_body_that_is_not_an_object_is_a_422(db_client, db_warroom, path, value):
    body = json.dumps(value).encode()
    if path == "/slack/interactions":
        body = urlencode({"payload": body.decode()}).encode()
    response = db_client.post(path, content=body, headers=_slack_headers(db_warroom, body))
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("body: ")


def test_slack_message_with_a_wrongly_typed_field_is_a_422_naming_it(db_client, db_warroom):
    event = {"type": "event_callback", "event": {"type": "message", "channel": ["C1"], "ts": "1.2", "text": "hi"}}
    body = json.dumps(event).encode()
    response = db_client.post("/slack/events", content=body, headers=_slack_headers(db_warroom, body))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("event.channel: ")


def test_slack_button_with_an_id_past_the_database_range_is_ignored(db_client, db_warroom):
    action = {"action_id": "approve_draft", "value": str(2**63)}
    body = urlencode({"payload": json.dumps({"type": "block_actions", "actions": [action]})}).encode()
    response = db_client.post("/slack/interactions", content=body, headers=_slack_headers(db_warroom, body))
    assert response.status_code == 200
    assert response.json()["results"] == [{"action": "approve_draft", "ignored": "not a decision button"}]


# Signed and readable but odd: normalised and stored on both databases.


@pytest.mark.parametrize("source", SOURCES)
def test_lone_surrogate_and_nul_in_a_title_are_normalised_and_stored(db_client, db_warroom, source):
    payload = _set(fresh(source), TITLE[source], "Checkout \ud800down\x00 for everyone")
    response = deliver(db_client, source, payload)
    assert response.status_code == 202, response.text
    row = stored(db_warroom, response.json()["alert_id"])
    assert row["title"] == "Checkout \ufffddown for everyone"
    assert "\x00" not in json.dumps(row["alert"])


@pytest.mark.parametrize("source", SOURCES)
def test_nul_and_lone_surrogates_anywhere_are_normalised_before_storing(db_client, db_warroom, source):
    """Keys and nested values of the raw payload too: PostgreSQL's jsonb refuses `\\u0000`."""
    payload = fresh(source)
    kept_raw = payload["data"]["event"] if source == "sentry" else payload
    if source == "api":
        refused = deliver(db_client, source, {**payload, "extra\x00key": 1})
        assert (refused.status_code, refused.json()["field"]) == (422, "extrakey")
        payload.update(tags={"k\x00": "v\x00"}, message="\x00\ud83d")
    else:
        kept_raw["extra\x00key"] = {"nested": ["a\x00b", "\udfff"]}
    response = deliver(db_client, source, payload)
    assert response.status_code == 202, response.text
    alert = json.dumps(stored(db_warroom, response.json()["alert_id"])["alert"], ensure_ascii=False)
    assert "\x00" not in alert and "\\u0000" not in alert
    assert ('"extrakey": {"nested": ["ab", "\ufffd"]}' in alert) or source == "api"
    assert ('"k": "v"' in alert and '"message": "\ufffd"' in alert) or source != "api"


@pytest.mark.parametrize("source", SOURCES)
def test_ids_longer_than_the_key_column_stay_distinct_and_redeliveries_are_recognised(db_client, source):
    if source == "api":
        payload = {**fresh(source), "delivery_key": "k" * 401}
        response = deliver(db_client, source, payload)
        assert (response.status_code, response.json()["field"]) == (422, "delivery_key")
        return
    head = uuid.uuid4().hex + "x" * 600
    first = _set(fresh(source), DELIVERY_ID[source], head + "1")
    second = _set(fresh(source), DELIVERY_ID[source], head + "2")
    if source in ("alertmanager", "grafana"):
        for payload in (first, second):
            del payload["alerts"][1:]
    answers = [deliver(db_client, source, p).json() for p in (first, second, first)]
    assert [a["deduplicated"] for a in answers] == [False, False, True]
    assert answers[0]["alert_id"] == answers[2]["alert_id"] != answers[1]["alert_id"]


@pytest.mark.parametrize("source", SOURCES)
def test_titles_over_1000_characters_are_cut_or_named(db_client, db_warroom, source):
    payload = _set(fresh(source), TITLE[source], "T" * 5000)
    response = deliver(db_client, source, payload)
    if source == "api":
        assert (response.status_code, response.json()["field"]) == (422, "title")
        return
    assert response.status_code == 202, response.text
    assert stored(db_warroom, response.json()["alert_id"])["title"] == "T" * 1000


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
@pytest.mark.parametrize("source", list(OCCURRED))
def test_dates_past_what_can_be_stored_are_clamped(db_client, db_warroom, source, when):
    response = deliver(db_client, source, _set(fresh(source), OCCURRED[source], when))
    assert response.status_code == 202, response.text
    occurred = stored(db_warroom, response.json()["alert_id"])["occurred_at"]
    if when.startswith("9999"):
        assert occurred == LATEST
    else:
        assert occurred.year == 1


@pytest.mark.parametrize("value", ["9" * 30, "-9" + "9" * 20, "1e400"])
def test_datadog_epoch_outside_any_calendar_is_quarantined_naming_the_field(db_client, db_warroom, value):
    response = deliver(db_client, "datadog", {**fresh("datadog"), "date": value})
    assert (response.status_code, response.json()["field"]) == (422, "date")
    assert newest_quarantined(db_warroom, "datadog").reason.startswith("date: ")


SENTRY_ODDITIES = [
    ("count-10^30", "issue", ("data", "issue", "count"), 10**30, "event_count", MAX_COUNT),
    ("count-1e300", "issue", ("data", "issue", "count"), 1e300, "event_count", MAX_COUNT),
    ("count-text", "issue", ("data", "issue", "count"), "many", "event_count", 1),
    ("negative-users", "issue", ("data", "issue", "userCount"), -5, "users_affected", None),
    ("users-10^30", "issue", ("data", "issue", "userCount"), 10**30, "users_affected", MAX_COUNT),
    (
        "broken-ipv6-url",
        "event_alert",
        ("data", "event", "request", "url"),
        "http://[::1",
        "endpoint",
        "?(<anonymous>)",
    ),
    ("service-tag-300", "event_alert", ("data", "event", "tags"), [["service", "s" * 300]], "service", "s" * 255),
    (
        "environment-300",
        "event_alert",
        ("data", "event", "tags"),
        [["environment", "e" * 300]],
        "environment",
        "e" * 255,
    ),
    ("long-email", "event_alert", ("data", "event", "user"), {"id": "u1", "email": "a" * 400 + "@x.io"}, "user", None),
]


@pytest.mark.parametrize(
    ("resource", "path", "value", "field", "expected"),
    [case[1:] for case in SENTRY_ODDITIES],
    ids=[case[0] for case in SENTRY_ODDITIES],
)
def test_odd_sentry_values_are_fitted_into_range(db_client, db_warroom, resource, path, value, field, expected):
    sample = "sentry-issue-created.json" if resource == "issue" else "sentry-issue-alert.json"
    payload = spec_payload(sample)
    _set(payload, ("data", "issue", "id") if resource == "issue" else ("data", "event", "event_id"), uuid.uuid4().hex)
    response = deliver(db_client, "sentry", _set(payload, path, value), resource=resource)
    assert response.status_code == 202, response.text
    alert = stored(db_warroom, response.json()["alert_id"])["alert"]
    if field == "user":
        assert alert["user"] == {"id": "u1", "email": None, "ip_address": None, "account": None}
    else:
        assert alert[field] == expected


API_LIMITS = [
    ("source", "s" * 64, "s" * 65),
    ("environment", "e" * 255, "e" * 256),
    ("level", "l" * 64, "l" * 65),
    ("event_type", "t" * 255, "t" * 256),
    ("service", "v" * 255, "v" * 256),
    ("endpoint", "/" + "p" * 1023, "/" + "p" * 1024),
    ("runbook_url", "https://r.example/" + "r" * 4000, "https://r.example/" + "r" * 4096),
    ("source_ref", "i" * 255, "i" * 256),
    ("event_count", MAX_COUNT, 10**30),
    ("users_affected", MAX_COUNT, -1),
    ("dedup_key", "d" * 400, "d" * 401),
]


@pytest.mark.parametrize(("field", "fits", "too_much"), API_LIMITS, ids=[case[0] for case in API_LIMITS])
def test_api_alert_limits_are_the_columns(db_client, db_warroom, field, fits, too_much):
    """What `/api/alerts` accepts, both databases store; one more is a 422 naming the field."""
    response = deliver(db_client, "api", {**fresh("api"), field: fits})
    assert response.status_code == 202, response.text
    alert = stored(db_warroom, response.json()["alert_id"])["alert"]
    assert alert[field] == (fits.lower() if field == "level" else fits)
    refused = deliver(db_client, "api", {**fresh("api"), field: too_much})
    assert (refused.status_code, refused.json()["field"]) == (422, field)


def test_api_alert_at_year_9999_minus_14_hours_is_clamped(db_client, db_warroom):
    response = deliver(db_client, "api", {**fresh("api"), "occurred_at": "9999-12-31T23:59:59-14:00"})
    assert response.status_code == 202
    assert stored(db_warroom, response.json()["alert_id"])["occurred_at"] == LATEST


def test_quarantined_deliveries_are_listed_apart_from_ignored_ones(db_client, db_warroom):
    deliver(db_client, "grafana", body=DEEP)
    deliver(db_client, "grafana", {**fresh("grafana"), "alerts": []})
    auth = {"authorization": f"Bearer {API_TOKEN}"}
    listed = {
        flag: db_client.get("/api/ignored-deliveries", params={"source": "grafana", "quarantined": flag}, headers=auth)
        for flag in ("true", "false")
    }
    assert listed["true"].json()[0]["quarantined"] is True and "nested deeper" in listed["true"].json()[0]["reason"]
    assert {d["quarantined"] for d in listed["false"].json()} == {False}
    assert listed["false"].json()[0]["reason"] == "the group carries no alerts"
