"""The alerts of a generated year: what a shop's Sentry and Alertmanager send, normalised by the
real webhook modules once per incident, then stamped out per delivery.

Normalising two million payloads one by one would take most of the generation's time; instead
each incident's first delivery goes through `tools.webhooks.sentry` / `alertmanager` with
sentinel values where deliveries differ (event id or fingerprint, time, user), and every delivery
is that stored JSON with the sentinels replaced. `tests/bench/test_year.py` checks a stamped
delivery equals the real normaliser's output for the same payload.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.scenarios import BROWSERS, REGIONS, sentry_event_alert
from tools.webhooks import alertmanager, sentry
from warroom.alerts.models import Alert

__all__ = ["ALERTNAMES", "EXCEPTIONS", "TOPICS", "AlertKey", "Stamp", "Topic", "alert_template", "sqlite_time"]


@dataclass(frozen=True, slots=True)
class Topic:
    """Something that breaks: its service, the route the errors come from, what customers call it."""

    service: str
    path: str
    component: str
    module: str
    critical: bool


TOPICS = (
    Topic("shop", "/api/checkout", "Checkout", "shop.checkout.views", True),
    Topic("shop", "/api/cart", "Cart", "shop.cart.views", True),
    Topic("payments", "/api/payments/charge", "Payments", "payments.charge", True),
    Topic("auth", "/api/login", "Login", "auth.sessions", True),
    Topic("search", "/api/search", "Search", "search.query", False),
    Topic("catalog", "/api/products", "Catalog", "catalog.products", False),
    Topic("notifications", "/api/notifications", "Notifications", "notify.dispatch", False),
    Topic("shipping", "/api/shipping/rates", "Shipping", "shipping.rates", False),
    Topic("accounts", "/api/account/settings", "Account settings", "accounts.settings", False),
    Topic("images", "/img/resize", "Images", "images.resize", False),
    Topic("reports", "/api/reports/export", "Reports", "reports.export", False),
    Topic("gateway", "/api/graphql", "API", "gateway.graphql", True),
)
EXCEPTIONS = (
    ("TypeError", "Cannot read properties of undefined (reading '{field}')"),
    ("KeyError", "'{field}'"),
    ("TimeoutError", "{dependency} did not answer within 5s"),
    ("IntegrityError", 'duplicate key value violates unique constraint "{field}_pkey"'),
    ("ConnectionResetError", "[Errno 104] Connection reset by peer ({dependency})"),
    ("PaymentError", "provider {dependency} answered 502"),
    ("ValueError", "invalid literal for int() with base 10: '{field}'"),
    ("OperationalError", 'could not obtain lock on row in relation "{field}"'),
)
FIELDS = ("amount", "sku", "currency", "cart_id", "session", "token", "address", "quantity", "orders", "price")
DEPENDENCIES = ("stripe", "redis-main", "postgres-primary", "elasticsearch", "s3", "smtp-relay", "adyen")
ALERTNAMES = (
    ("HighErrorRate", "{service} 5xx error rate above 5%", "critical"),
    ("HighLatencyP99", "{service} p99 latency above 2s", "warning"),
    ("PodCrashLooping", "{service} pod is crash looping", "critical"),
    ("QueueBacklogGrowing", "{service} queue backlog growing for 10 minutes", "warning"),
    ("DiskSpaceLow", "{service} database disk above 90%", "warning"),
    ("CertificateExpiringSoon", "{service} TLS certificate expires in 7 days", "info"),
)

_EVENT = "5e171e15e171e15e171e15e171e15e17"  # sentinels, replaced per delivery
_USER = "usersentinelxq"
_FINGERPRINT = "f1f2f3f4f5f6f7f8"
_POD = "podsentinelxq"
_AT = datetime(2001, 2, 3, 4, 5, 6, 123457, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class AlertKey:
    """One thing that alerts (a Sentry issue, an Alertmanager rule on one service): incidents of
    the same key recur through the year."""

    source: str
    topic: Topic
    issue: str
    title: str
    exception: tuple[str, str]
    alertname: tuple[str, str, str]
    release: str

    @classmethod
    def draw(cls, rng: random.Random, number: int) -> AlertKey:
        topic = rng.choice(TOPICS)
        kind, value = rng.choice(EXCEPTIONS)
        value = value.format(field=rng.choice(FIELDS), dependency=rng.choice(DEPENDENCIES))
        name, summary, level = rng.choice(ALERTNAMES)
        source = "sentry" if rng.random() < 0.65 else "alertmanager"
        title = f"{kind}: {value}" if source == "sentry" else summary.format(service=topic.service)
        return cls(
            source=source,
            topic=topic,
            issue=str(4_000_000 + number),
            title=title,
            exception=(kind, value),
            alertname=(name, summary, level),
            release=f"{topic.service}@2026.{rng.randint(1, 12)}.{rng.randint(1, 9)}",
        )

    def fingerprint(self, n: int) -> str:
        """Alertmanager's fingerprint of the rule on its `n`th pod (the 0th: the one that recurs)."""
        return f"{int(self.issue):08x}{n:08x}"


def _sentry_payload(key: AlertKey, browser: tuple[str, str], region: str) -> dict[str, Any]:
    payload = sentry_event_alert(
        event_id=_EVENT,
        issue_id=key.issue,
        at=_AT,
        path=key.topic.path,
        user_id=_USER,
        browser=browser,
        region=region,
        release=key.release,
        title=key.title,
    )
    event = payload["data"]["event"]  # type: ignore[index]
    event["culprit"] = f"{key.topic.module} in handle"
    event["exception"] = {"values": [{"type": key.exception[0], "value": key.exception[1]}]}
    event["request"]["url"] = f"https://shop.example.com{key.topic.path}"
    event["url"] = event["url"].replace("/projects/acme/shop/", f"/projects/acme/{key.topic.service}/")
    payload["data"]["triggered_rule"] = payload["data"]["issue_alert"]["title"] = f"{key.topic.component} errors"  # type: ignore[index]
    return payload


def _alertmanager_payload(key: AlertKey) -> dict[str, Any]:
    name, summary, level = key.alertname
    service = key.topic.service
    element = {
        "status": "firing",
        "labels": {
            "alertname": name,
            "env": "production",
            "job": service,
            "service": service,
            "severity": level,
            "instance": f"{service}-{_POD}:8080",
        },
        "annotations": {
            "summary": summary.format(service=service),
            "description": f"{summary.format(service=service)} on {service}-{_POD} for the last 5 minutes.",
            "runbook_url": f"https://runbooks.example.com/{service}/{name}",
        },
        "startsAt": _AT.isoformat().replace("+00:00", "Z"),
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": f"http://prometheus-0:9090/graph?g0.expr=job%3A{name}%7Bjob%3D%22{service}%22%7D",
        "fingerprint": _FINGERPRINT,
    }
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{name}"}}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "warroom",
        "groupLabels": {"alertname": name},
        "commonLabels": {"service": service, "alertname": name},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": [element],
    }


def alert_template(key: AlertKey, rng: random.Random) -> tuple[Alert, str, str]:
    """The incident's normalised first delivery (with sentinels), and its stored JSON with and
    without the raw payload (what retention leaves)."""
    if key.source == "sentry":
        browser = BROWSERS[0] if rng.random() < 0.7 else rng.choice(BROWSERS)
        payload = _sentry_payload(key, browser, rng.choice(REGIONS))
        [alert] = sentry.normalise(json.loads(json.dumps(payload)), {"sentry-hook-resource": "event_alert"}, _AT)
    else:
        [alert] = alertmanager.normalise(_alertmanager_payload(key), {}, _AT)
    return alert, alert.model_dump_json(), alert.model_dump_json(exclude={"raw"})


def sqlite_time(moment: datetime) -> str:
    """A UTC datetime as SQLAlchemy stores it in SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


class Stamp:
    """Stamps deliveries out of an incident's template exactly where the normaliser put the
    sentinels: per Sentry event its id, time and user; per Alertmanager alert its fingerprint,
    start and pod."""

    def __init__(self, key: AlertKey, stored: str) -> None:
        self.source = key.source
        self._issue = f"sentry:issue:{key.issue}"
        self._stored = stored
        self._iso = _AT.isoformat().replace("+00:00", "Z")
        self._timestamp = repr(_AT.timestamp())

    def __call__(self, ident: str, at: datetime, who: str) -> str:
        """`ident`: the Sentry event id or the Alertmanager fingerprint; `who`: the user or the pod."""
        text = self._stored.replace(self._iso, at.isoformat().replace("+00:00", "Z"))
        if self.source == "sentry":
            return text.replace(_EVENT, ident).replace(self._timestamp, repr(at.timestamp())).replace(_USER, who)
        return text.replace(_FINGERPRINT, ident).replace(_POD, who)

    def keys(self, ident: str, at: datetime) -> tuple[str, str]:
        """The delivery key and dedup key the normaliser gives that delivery."""
        if self.source == "sentry":
            return f"sentry:event:{ident}", self._issue
        return f"alertmanager:{ident}:{at.isoformat().replace('+00:00', 'Z')}:firing", f"alertmanager:{ident}"
