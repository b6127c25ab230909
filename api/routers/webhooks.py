"""`POST /webhooks/{source}`: verify on the raw body, normalise, store, answer 202.

The hot path is one short transaction; triage runs afterwards on the scheduler, woken at once
when the transaction scheduled work (a new incident, a reassessment), not on every alert. The
container is read from the app state directly: as a sync FastAPI dependency it cost a thread
hop per request (bench/README.md).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from types import ModuleType
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse
from prometheus_client import Counter, Histogram

from api.composition import Warroom
from tools.webhooks import alertmanager, datadog, grafana, pagerduty, sentry
from tools.webhooks.base import Ignored, PayloadError, SignatureError
from warroom.alerts.ignored import record_ignored
from warroom.alerts.models import Alert, IngestResult
from warroom.alerts.store import ingest_alert, lock_correlation_keys
from warroom.settings import Settings, secret_value

__all__ = ["SOURCES", "handle_delivery", "ingest", "read_body", "router"]

router = APIRouter(tags=["webhooks"])

ALERTS_RECEIVED = Counter(
    "warroom_alerts_received_total", "Webhook deliveries by source and outcome", ["source", "outcome"]
)
INGEST_SECONDS = Histogram(
    "warroom_ingest_seconds",
    "Time to store a webhook delivery",
    ["source"],
    buckets=(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)


SOURCES: dict[str, tuple[ModuleType, Callable[[Settings], str | None]]] = {
    "sentry": (sentry, lambda s: secret_value(s.sentry_client_secret)),
    "pagerduty": (pagerduty, lambda s: secret_value(s.pagerduty_secret)),
    "alertmanager": (alertmanager, lambda s: secret_value(s.webhook_token)),
    "grafana": (grafana, lambda s: secret_value(s.webhook_token)),
    "datadog": (datadog, lambda s: secret_value(s.webhook_token)),
}


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing more than `limit` bytes before reading them all (413)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def ingest(warroom: Warroom, alerts: list[Alert]) -> list[IngestResult]:
    """Store alerts in one transaction and wake the scheduler when it scheduled work due now."""
    now = warroom.clock.now()
    window = timedelta(minutes=warroom.settings.correlation_window_minutes)
    with warroom.engine.begin() as conn:
        lock_correlation_keys(conn, alerts)
        outcomes = [ingest_alert(conn, alert, now, window) for alert in alerts]
    if any(o.scheduled for o in outcomes):
        warroom.scheduler.wake()
    return [IngestResult(alert_id=o.alert_id, incident_id=o.incident_id, deduplicated=o.deduplicated) for o in outcomes]


def accepted(results: list[IngestResult]) -> JSONResponse:
    first = results[0]
    body: dict[str, Any] = first.model_dump(exclude_none=True)
    body.setdefault("alert_id", first.alert_id)
    body.setdefault("incident_id", first.incident_id)
    if len(results) > 1:
        body["alerts"] = [r.model_dump() for r in results]
    return JSONResponse(body, status_code=status.HTTP_202_ACCEPTED)


@router.post("/webhooks/{source}", status_code=status.HTTP_202_ACCEPTED, response_model=IngestResult)
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
    body = await read_body(request, warroom.settings.max_body_bytes)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        module.verify(body, headers, secret)
    except SignatureError as exc:
        ALERTS_RECEIVED.labels(source, "unauthorized").inc()
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from exc
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        ALERTS_RECEIVED.labels(source, "bad_json").inc()
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"body is not JSON: {exc}") from exc
    try:
        alerts = module.normalise(payload, headers, warroom.clock.now())
    except PayloadError as exc:
        ALERTS_RECEIVED.labels(source, "bad_shape").inc()
        return JSONResponse({"detail": exc.message, "field": exc.field}, status_code=422)
    except Ignored as exc:
        ALERTS_RECEIVED.labels(source, "ignored").inc()
        record_ignored(
            warroom.engine,
            source=source,
            reason=exc.reason,
            received_at=warroom.clock.now(),
            headers=headers,
            body=body,
        )
        return JSONResponse(
            {"alert_id": None, "incident_id": None, "deduplicated": False, "ignored": exc.reason},
            status_code=status.HTTP_202_ACCEPTED,
        )
    if not alerts:
        ALERTS_RECEIVED.labels(source, "ignored").inc()
        record_ignored(
            warroom.engine,
            source=source,
            reason="the delivery held no alerts",
            received_at=warroom.clock.now(),
            headers=headers,
            body=body,
        )
        return JSONResponse(
            {"alert_id": None, "incident_id": None, "deduplicated": False, "ignored": "the delivery held no alerts"},
            status_code=status.HTTP_202_ACCEPTED,
        )
    results = ingest(warroom, alerts)
    ALERTS_RECEIVED.labels(source, "deduplicated" if all(r.deduplicated for r in results) else "stored").inc()
    INGEST_SECONDS.labels(source).observe(time.perf_counter() - started)
    return accepted(results)
