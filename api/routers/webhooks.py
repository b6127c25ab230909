"""`POST /webhooks/{source}`: verify on the raw body, normalise, store, answer 202.

Nothing authentic is lost: a delivery whose body cannot be read (not JSON, too deep) or
normalised (a field missing or of the wrong kind) is quarantined with the reason among the
ignored deliveries, and answered 202 or 400/422 as its source's retry rules want
(`ACCEPT_UNREADABLE`). The body size is limited for every route by the app (413).

The hot path is one short transaction, shared by the deliveries that arrive while the previous
one is written (group commit, `warroom.alerts.group_commit`); triage runs afterwards on the
scheduler, woken at once when a transaction scheduled work (a new incident, a reassessment), not
on every alert. The container is read from the app state directly: as a sync FastAPI dependency
it cost a thread hop per request (bench/README.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from types import ModuleType
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse
from prometheus_client import Counter, Histogram

from api.composition import Warroom
from api.errors import documented
from tools.webhooks import alertmanager, datadog, grafana, pagerduty, sentry
from tools.webhooks.base import Ignored, PayloadError, SignatureError
from warroom.alerts.ignored import record_ignored
from warroom.alerts.models import Alert, IngestResult
from warroom.alerts.store import IngestOutcome
from warroom.settings import Settings, secret_value
from warroom.untrusted import MalformedJSON, parse_json

__all__ = ["INGEST_REFUSALS", "SOURCES", "deliver", "handle_delivery", "ingest", "router"]

router = APIRouter(tags=["webhooks"])
INGEST_REFUSALS = documented(400, 401, 413, 422)

ALERTS_RECEIVED = Counter(
    "warroom_alerts_received_total", "Webhook deliveries by source and outcome", ["source", "outcome"]
)
INGEST_SECONDS = Histogram(
    "warroom_ingest_seconds",
    "Time to store a webhook delivery",
    ["source"],
    buckets=(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)


@cache
def _received(source: str, outcome: str) -> Counter:
    """The labelled counter, looked up once: `labels()` per delivery was 2% of the hot path."""
    return ALERTS_RECEIVED.labels(source, outcome)


@cache
def _ingest_seconds(source: str) -> Histogram:
    return INGEST_SECONDS.labels(source)


SOURCES: dict[str, tuple[ModuleType, Callable[[Settings], str | None]]] = {
    "sentry": (sentry, lambda s: secret_value(s.sentry_client_secret)),
    "pagerduty": (pagerduty, lambda s: secret_value(s.pagerduty_secret)),
    "alertmanager": (alertmanager, lambda s: secret_value(s.webhook_token)),
    "grafana": (grafana, lambda s: secret_value(s.webhook_token)),
    "datadog": (datadog, lambda s: secret_value(s.webhook_token)),
}


def ingest(warroom: Warroom, alerts: list[Alert]) -> list[IngestResult]:
    """Store one delivery's alerts in a transaction of its own, from a thread (no event loop)."""
    return _results(warroom.group_commit.write_now(alerts))


def _results(outcomes: list[IngestOutcome]) -> list[IngestResult]:
    return [IngestResult(alert_id=o.alert_id, incident_id=o.incident_id, deduplicated=o.deduplicated) for o in outcomes]


def accepted(outcomes: list[IngestOutcome]) -> JSONResponse:
    """The `IngestResult` of the first alert, and every alert's under `alerts` when the delivery
    held several; built as a dict (a pydantic dump per request was measurable on the hot path)."""
    body = _result(outcomes[0], with_reasons=False)
    if len(outcomes) > 1:
        body["alerts"] = [_result(o, with_reasons=True) for o in outcomes]
    return JSONResponse(body, status_code=status.HTTP_202_ACCEPTED)


def _result(outcome: IngestOutcome, *, with_reasons: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "alert_id": outcome.alert_id,
        "incident_id": outcome.incident_id,
        "deduplicated": outcome.deduplicated,
    }
    if with_reasons:
        body.update(ignored=None, quarantined=None)
    return body


@router.post(
    "/webhooks/{source}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=IngestResult,
    responses={**INGEST_REFUSALS, **documented(404)},
)
async def receive(source: str, request: Request) -> JSONResponse:
    if source not in SOURCES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown alert source {source!r}; known: {sorted(SOURCES)}")
    warroom: Warroom = request.app.state.warroom
    module, secret_of = SOURCES[source]
    return await handle_delivery(source, module, secret_of(warroom.settings), request, warroom)


async def handle_delivery(
    source: str, module: ModuleType, secret: str | None, request: Request, warroom: Warroom
) -> JSONResponse:
    """Verify, parse, normalise and store one delivery; shared by every source and `/api/alerts`."""
    started = time.perf_counter()
    body = await request.body()
    return await deliver(source, module, secret, body, dict(request.headers.items()), warroom, started)


async def deliver(
    source: str,
    module: ModuleType,
    secret: str | None,
    body: bytes,
    headers: dict[str, str],
    warroom: Warroom,
    started: float,
) -> JSONResponse:
    """What `handle_delivery` does once the body is read, with no FastAPI in it, so the route and
    the pure ASGI `api.webhook_fast_path` answer the same (a refusal here is a response, not an
    `HTTPException`, which only the router's handlers would turn into one)."""
    try:
        module.verify(body, headers, secret)
    except SignatureError as exc:
        _received(source, "unauthorized").inc()
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_401_UNAUTHORIZED)
    try:
        alerts = module.normalise(parse_json(body), headers, warroom.clock.now())
    except (MalformedJSON, PayloadError) as exc:
        return _quarantine(warroom, source, module, headers, body, exc)
    except Ignored as exc:
        return _ignore(warroom, source, headers, body, exc.reason)
    if not alerts:
        return _ignore(warroom, source, headers, body, "the delivery held no alerts")
    outcomes = await warroom.group_commit.submit(alerts)
    _received(source, "deduplicated" if all(o.deduplicated for o in outcomes) else "stored").inc()
    _ingest_seconds(source).observe(time.perf_counter() - started)
    return accepted(outcomes)


def _ignore(warroom: Warroom, source: str, headers: dict[str, str], body: bytes, reason: str) -> JSONResponse:
    _received(source, "ignored").inc()
    record_ignored(
        warroom.engine, source=source, reason=reason, received_at=warroom.clock.now(), headers=headers, body=body
    )
    return JSONResponse(
        {"alert_id": None, "incident_id": None, "deduplicated": False, "ignored": reason},
        status_code=status.HTTP_202_ACCEPTED,
    )


def _quarantine(
    warroom: Warroom,
    source: str,
    module: ModuleType,
    headers: dict[str, str],
    body: bytes,
    exc: MalformedJSON | PayloadError,
) -> JSONResponse:
    """Keep the whole body with the reason; answer as the source's retry rules want."""
    _received(source, "quarantined").inc()
    reason = str(exc)
    record_ignored(
        warroom.engine,
        source=source,
        reason=reason,
        received_at=warroom.clock.now(),
        headers=headers,
        body=body,
        quarantined=True,
    )
    if module.ACCEPT_UNREADABLE:
        return JSONResponse(
            {"alert_id": None, "incident_id": None, "deduplicated": False, "quarantined": reason},
            status_code=status.HTTP_202_ACCEPTED,
        )
    if isinstance(exc, MalformedJSON):
        return JSONResponse({"detail": reason, "field": "body"}, status_code=status.HTTP_400_BAD_REQUEST)
    return JSONResponse({"detail": reason, "field": exc.field}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
