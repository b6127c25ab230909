"""What customers would call the broken part: the name the status page, the war room and every
customer message use for it (Support's facts take it from here too)."""

from __future__ import annotations

import re

from warroom.alerts.models import endpoint_words
from warroom.incidents.models import Incident

__all__ = ["affected_thing"]

FRIENDLY = {
    "checkout": "Checkout",
    "cart": "Cart",
    "payment": "Payments",
    "payments": "Payments",
    "billing": "Billing",
    "subscription": "Subscriptions",
    "subscriptions": "Subscriptions",
    "order": "Orders",
    "orders": "Orders",
    "login": "Login",
    "signin": "Login",
    "auth": "Login",
    "oauth": "Login",
    "session": "Login",
    "sessions": "Login",
    "signup": "Sign-up",
    "register": "Sign-up",
    "search": "Search",
    "upload": "Uploads",
    "uploads": "Uploads",
    "notifications": "Notifications",
}
SURFACES = {
    "android": "The Android app",
    "ios": "The iOS app",
    "iphone": "The iOS app",
    "mobile": "The mobile app",
    "api": "The API",
    "graphql": "The API",
    "rest": "The API",
    "web": "The site",
    "www": "The site",
    "site": "The site",
    "storefront": "The storefront",
    "frontend": "The site",
    "ingress": "The site",
    "nginx": "The site",
    "gateway": "The site",
    "edge": "The site",
    "proxy": "The site",
    "lb": "The site",
    "cdn": "The site",
}
INTERNALS = {
    "backend",
    "app",
    "server",
    "service",
    "services",
    "worker",
    "workers",
    "jobs",
    "job",
    "db",
    "database",
    "postgres",
    "postgresql",
    "mysql",
    "redis",
    "cache",
    "queue",
    "cluster",
    "k8s",
    "pod",
    "node",
    "prod",
    "production",
    "internal",
    "high",
    "error",
    "errors",
    "rate",
    "latency",
    "the",
    "and",
    "for",
}


def affected_thing(incident: Incident) -> str:
    """What customers would call the broken part, in their words: 'Checkout' for /api/checkout,
    'Login' for an auth service, 'The website' for the ingress, 'The Android app' for a mobile
    crash; never an internal component's name."""
    words: list[str] = []
    for endpoint in [e.endpoint for e in incident.endpoints if e.endpoint.startswith("/")]:
        words += endpoint_words(endpoint)
    words += re.split(r"[^a-z0-9]+", (incident.service or "").lower())
    words += re.split(r"[^a-z0-9]+", incident.title.lower())
    present = set(words)
    for table in (FRIENDLY, SURFACES):  # in the tables' order: 'android' before 'mobile'
        for key, name in table.items():
            if key in present:
                return name
    service = re.split(r"[^a-z0-9]+", (incident.service or "").lower())
    for word in service:
        if len(word) > 2 and not word.isdigit() and word not in INTERNALS:
            return word.capitalize()
    return "Our service"
