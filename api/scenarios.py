"""The replayable 2am checkout outage: Sentry event-alert deliveries signed as Sentry signs them.

Shared by `warroom demo`, the benchmarks and the tests, so all three exercise the same traffic.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tools.webhooks.base import hmac_sha256_hex

__all__ = ["SHOP_RUNBOOK", "Delivery", "checkout_outage", "sentry_event_alert"]

#: The shop's runbook, as its team would write it: the demo configures it for the `shop` service,
#: so the investigation's first look can point at the section that speaks to the outage.
SHOP_RUNBOOK = """# shop runbook

The storefront and checkout (`/api/checkout`), deployed as `shop@YYYY.MM.N` releases.

## Checkout errors
A TypeError on the order amount in create_order means the cart reached checkout without a payment
total: it has followed releases that changed the cart. Roll back with `make rollback-shop`, then
check the cart serializer.

## Payment provider
If the provider times out or answers 5xx, checkout fails with PaymentError; switch to the standby
provider in the admin console.
"""

BROWSERS = [("Chrome", "120.0.6099"), ("Chrome", "121.0.6167"), ("Safari", "17.2"), ("Firefox", "121.0")]
REGIONS = ["us-east-1", "us-east-1", "us-east-1", "eu-west-1"]


@dataclass(frozen=True)
class Delivery:
    body: bytes
    headers: dict[str, str]


def sentry_event_alert(
    *,
    event_id: str,
    issue_id: str,
    at: datetime,
    path: str,
    user_id: str,
    browser: tuple[str, str],
    region: str,
    release: str = "shop@2026.11.2",
    title: str | None = None,
    account: str | None = None,
) -> dict[str, object]:
    """An `event_alert.triggered` payload shaped like the one in Sentry's webhook docs."""
    title = title or "TypeError: Cannot read properties of undefined (reading 'amount')"
    return {
        "action": "triggered",
        "actor": {"id": "sentry", "name": "Sentry", "type": "application"},
        "installation": {"uuid": "a8e5d37a-696c-4c54-adb5-b3f28d64c7de"},
        "data": {
            "triggered_rule": "Checkout errors",
            "issue_alert": {"title": "Checkout errors", "settings": []},
            "event": {
                "event_id": event_id,
                "issue_id": issue_id,
                "level": "error",
                "platform": "python",
                "datetime": at.isoformat().replace("+00:00", "Z"),
                "timestamp": at.timestamp(),
                "title": title,
                "culprit": "shop.checkout.views in create_order",
                "message": "",
                "project": 7,
                "environment": "production",
                "release": release,
                "url": f"https://sentry.io/api/0/projects/acme/shop/events/{event_id}/",
                "web_url": f"https://sentry.io/organizations/acme/issues/{issue_id}/events/{event_id}/",
                "issue_url": f"https://sentry.io/api/0/issues/{issue_id}/",
                "request": {"url": f"https://shop.example.com{path}", "method": "POST"},
                "user": {
                    "id": user_id,
                    "email": f"{user_id}@customers.example.com",
                    **({"data": {"account": account}} if account else {}),
                },
                "contexts": {"browser": {"name": browser[0], "version": browser[1], "type": "browser"}},
                "tags": [
                    ["browser", f"{browser[0]} {browser[1]}"],
                    ["browser.name", browser[0]],
                    ["environment", "production"],
                    ["release", release],
                    ["region", region],
                    ["transaction", path],
                    ["level", "error"],
                ],
                "exception": {
                    "values": [{"type": "TypeError", "value": "Cannot read properties of undefined (reading 'amount')"}]
                },
            },
        },
    }


def checkout_outage(
    secret: str, *, events: int = 847, minutes: float = 3.0, start: datetime, seed: int = 2
) -> list[Delivery]:
    """`events` errors on /api/checkout spread over `minutes`, from ~15% of 900 active users."""
    rng = random.Random(seed)
    issue_id = "4412093"
    users = [f"user-{n:04d}" for n in range(135)]
    step = timedelta(minutes=minutes) / max(events, 1)
    deliveries = []
    for n in range(events):
        payload = sentry_event_alert(
            event_id=uuid.UUID(int=rng.getrandbits(128)).hex,
            issue_id=issue_id,
            at=start + step * n,
            path="/api/checkout",
            user_id=rng.choice(users),
            browser=BROWSERS[0] if rng.random() < 0.8 else rng.choice(BROWSERS),
            region=rng.choice(REGIONS),
        )
        body = json.dumps(payload).encode()
        deliveries.append(
            Delivery(
                body,
                {
                    "content-type": "application/json",
                    "sentry-hook-resource": "event_alert",
                    "sentry-hook-timestamp": str(int((start + step * n).timestamp())),
                    "request-id": uuid.UUID(int=rng.getrandbits(128)).hex,
                    "sentry-hook-signature": hmac_sha256_hex(secret, body),
                },
            )
        )
    return deliveries
