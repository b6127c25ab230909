"""`WebhookFastPath`: deliveries answered without the router, exactly as the route answers them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from starlette.types import Message, Receive, Scope, Send

from api.body_limit import BodyLimit
from api.composition import Warroom
from api.errors import install_error_handlers
from api.routers import webhooks
from api.webhook_fast_path import WebhookFastPath
from tests.conftest import SENTRY_SECRET
from tests.fakes.spec import spec_payload
from tools.webhooks.base import hmac_sha256_hex
from warroom.alerts.tables import AlertRow
from warroom.settings import Settings


def _stored(warroom: Warroom) -> int:
    with warroom.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(AlertRow)).scalar_one()


def _signed(body: bytes, resource: str = "event_alert") -> dict[str, str]:
    return {
        "content-type": "application/json",
        "sentry-hook-resource": resource,
        "sentry-hook-signature": hmac_sha256_hex(SENTRY_SECRET, body),
    }


async def _router_must_not_run(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError(f"the router was reached for {scope['method']} {scope['path']}")


def test_a_delivery_is_stored_and_answered_without_the_router(warroom: Warroom) -> None:
    client = TestClient(WebhookFastPath(_router_must_not_run, warroom))
    body = json.dumps(spec_payload("sentry-issue-alert.json")).encode()

    response = client.post("/webhooks/sentry", content=body, headers=_signed(body))

    assert response.status_code == 202, response.text
    assert response.json()["deduplicated"] is False
    assert _stored(warroom) == 1


def test_what_it_does_not_know_goes_on_to_the_app(warroom: Warroom) -> None:
    reached: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(f"{scope['method']} {scope['path']}")
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    client = TestClient(WebhookFastPath(app, warroom))
    client.get("/webhooks/sentry")
    client.post("/webhooks/nowhere", content=b"{}")
    client.post("/api/alerts", content=b"{}")
    client.post("/webhooks/sentry/", content=b"{}")

    assert reached == ["GET /webhooks/sentry", "POST /webhooks/nowhere", "POST /api/alerts", "POST /webhooks/sentry/"]


@pytest.fixture
def route_only(settings: Settings, clock, tmp_path) -> Iterator[TestClient]:
    """The same webhook route behind the same body limit and error handlers, but no fast path:
    what every delivery was answered by before it."""
    other = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'route-only.db'}"})
    warroom = Warroom.build(other, clock)
    app = FastAPI()
    app.state.warroom = warroom
    app.include_router(webhooks.router)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=warroom.settings.max_body_bytes)
    with TestClient(app) as client:
        yield client
    warroom.close()


def test_the_fast_path_answers_every_kind_of_delivery_as_the_route_does(
    client: TestClient, route_only: TestClient, warroom: Warroom
) -> None:
    alert = json.dumps(spec_payload("sentry-issue-alert.json")).encode()
    group = json.dumps(spec_payload("sentry-issue-created.json")).encode()
    not_json = b"{not json"
    too_large = b'{"pad": "' + b"x" * (warroom.settings.max_body_bytes + 10) + b'"}'
    deliveries = [
        ("/webhooks/sentry", alert, _signed(alert)),
        ("/webhooks/sentry", alert, _signed(alert)),  # the same delivery again: a duplicate
        ("/webhooks/sentry", group, _signed(group, "issue")),
        ("/webhooks/sentry", alert, {**_signed(alert), "sentry-hook-signature": "0" * 64}),
        ("/webhooks/sentry", alert, {"sentry-hook-resource": "event_alert"}),
        ("/webhooks/sentry", not_json, _signed(not_json)),
        ("/webhooks/sentry", too_large, {**_signed(too_large), "content-length": str(len(too_large))}),
        ("/webhooks/alertmanager", b"{}", {"content-type": "application/json"}),
        ("/webhooks/nowhere", alert, _signed(alert)),
    ]
    for path, body, headers in deliveries:
        fast, routed = (
            client.post(path, content=body, headers=headers),
            route_only.post(path, content=body, headers=headers),
        )
        assert (fast.status_code, fast.json()) == (routed.status_code, routed.json()), (path, headers)
        assert fast.headers["content-type"] == routed.headers["content-type"]


def test_a_body_growing_past_the_limit_while_streaming_is_refused_413(client: TestClient, warroom: Warroom) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is met while reading
        yield b'{"pad": "'
        for _ in range(warroom.settings.max_body_bytes // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    response = client.post("/webhooks/sentry", content=chunks(), headers={"sentry-hook-resource": "event_alert"})

    assert response.status_code == 413
    assert "over" in response.json()["detail"]
    assert _stored(warroom) == 0


def test_a_client_that_leaves_mid_body_gets_nothing_stored_and_no_answer(warroom: Warroom) -> None:
    body = json.dumps(spec_payload("sentry-issue-alert.json")).encode()
    messages: list[Message] = [
        {"type": "http.request", "body": body[:100], "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/webhooks/sentry",
        "headers": [(k.encode(), v.encode()) for k, v in _signed(body).items()],
    }
    asyncio.run(WebhookFastPath(_router_must_not_run, warroom)(scope, receive, send))

    assert sent == []
    assert _stored(warroom) == 0


def test_the_app_takes_webhook_deliveries_on_the_fast_path(
    client: TestClient, warroom: Warroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    def routed(*args: object, **kwargs: object) -> None:
        raise AssertionError("the delivery went through the router")

    monkeypatch.setattr(webhooks, "handle_delivery", routed)
    body = json.dumps(spec_payload("sentry-issue-alert.json")).encode()

    assert client.post("/webhooks/sentry", content=body, headers=_signed(body)).status_code == 202
    assert _stored(warroom) == 1


def test_deliveries_are_counted_by_outcome(client: TestClient) -> None:
    def counted(outcome: str) -> float:
        labels = {"source": "sentry", "outcome": outcome}
        return REGISTRY.get_sample_value("warroom_alerts_received_total", labels) or 0.0

    before = {outcome: counted(outcome) for outcome in ("stored", "deduplicated", "unauthorized")}
    body = json.dumps(spec_payload("sentry-issue-alert.json")).encode()
    client.post("/webhooks/sentry", content=body, headers=_signed(body))
    client.post("/webhooks/sentry", content=body, headers=_signed(body))
    client.post("/webhooks/sentry", content=body, headers={**_signed(body), "sentry-hook-signature": "0" * 64})

    assert {outcome: counted(outcome) - before[outcome] for outcome in before} == {
        "stored": 1,
        "deduplicated": 1,
        "unauthorized": 1,
    }
