"""The deliveries the benchmark sends: signed Sentry first events of fresh issues, and Alertmanager
groups of distinct firing alerts for one service."""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from api.scenarios import BROWSERS, Delivery, sentry_event_alert
from tools.webhooks.base import hmac_sha256_hex

__all__ = ["alertmanager_groups", "fresh_issues", "signed_sentry"]


def signed_sentry(secret: str, payload: dict[str, Any], at: datetime) -> Delivery:
    body = json.dumps(payload).encode()
    return Delivery(
        body,
        {
            "content-type": "application/json",
            "sentry-hook-resource": "event_alert",
            "sentry-hook-timestamp": str(int(at.timestamp())),
            "request-id": uuid.uuid4().hex,
            "sentry-hook-signature": hmac_sha256_hex(secret, body),
        },
    )


def fresh_issues(secret: str, count: int, *, start: datetime, seed: int = 7) -> list[Delivery]:
    """One first event each for `count` distinct Sentry issues on /api/checkout."""
    rng = random.Random(seed)
    return [
        signed_sentry(
            secret,
            sentry_event_alert(
                event_id=uuid.UUID(int=rng.getrandbits(128)).hex,
                issue_id=str(9_000_000 + n),
                at=start,
                path="/api/checkout",
                user_id=f"user-{n:04d}",
                browser=BROWSERS[0],
                region="us-east-1",
                title=f"CheckoutError #{n}: payment intent missing",
            ),
            start,
        )
        for n in range(count)
    ]


def alertmanager_groups(token: str, groups: int, size: int, *, start: datetime) -> list[Delivery]:
    """Version-4 groups of `size` firing alerts each, distinct fingerprints, one service."""
    deliveries = []
    for g in range(groups):
        alerts = [
            {
                "status": "firing",
                "labels": {
                    "alertname": "HighErrorRate",
                    "env": "production",
                    "job": "checkout",
                    "service": "checkout",
                    "severity": "critical",
                    "instance": f"checkout-{g}-{a}:8080",
                },
                "annotations": {
                    "summary": "checkout 5xx error rate above 5%",
                    "description": f"5xx ratio for checkout pod {g}-{a} is 7.3% over the last 5m.",
                },
                "startsAt": (start + timedelta(seconds=g)).isoformat().replace("+00:00", "Z"),
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus-0:9090/graph?g0.expr=errors",
                "fingerprint": f"{g:08x}{a:08x}",
            }
            for a in range(size)
        ]
        payload = {
            "version": "4",
            "groupKey": f'{{}}:{{alertname="HighErrorRate",g="{g}"}}',
            "truncatedAlerts": 0,
            "status": "firing",
            "receiver": "warroom",
            "groupLabels": {"alertname": "HighErrorRate"},
            "commonLabels": {"service": "checkout"},
            "commonAnnotations": {},
            "externalURL": "http://alertmanager:9093",
            "alerts": alerts,
        }
        deliveries.append(
            Delivery(
                json.dumps(payload).encode(), {"content-type": "application/json", "authorization": f"Bearer {token}"}
            )
        )
    return deliveries
