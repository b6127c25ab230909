"""What is affected: DESIGN.md's first question, read from the alert's names and words.

The surfaces, most to least critical: the whole product (a public host name failing, a front
door every request passes through, "all web and API requests"), a revenue or access path (the
configured critical-path words in the service, an endpoint or the title; "users cannot sign in"),
a core feature (any other production service: the default), a secondary feature (admin, audit,
reports, exports, analytics, recommendations, autocomplete), a cosmetic component (stylesheets,
fonts, thumbnails, avatars, a typo), batch work (ETL, cron, nightly jobs) and internal systems
(internal tools and deploys, unreleased products, test organisations).

A surface named by the alert's words is strong; one guessed from a service name alone is weak,
and the decision says so. The most specific name wins: an endpoint over the service, a cosmetic
component over the critical path it sits on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agents.cto.signals.facts import REST_WORKS, Statement, StatementKind, Surface, SurfaceKind
from agents.cto.signals.text import Clause, name_tokens, quote

__all__ = ["ACCESS_WORDS", "critical_word", "read_surfaces", "resolve_surface"]

_SUFFIXES = {
    "",
    "s",
    "es",
    "n",
    "z",
    "zd",
    "d",
    "ed",
    "er",
    "ers",
    "ing",
    "entication",
    "enticate",
    "orization",
    "orisation",
    "orize",
    "service",
    "svc",
    "api",
    "page",
    "flow",
    "controller",
}
_FRONT_DOOR = {
    "frontend",
    "edge",
    "www",
    "website",
    "site",
    "storefront",
    "ingress",
    "gateway",
    "cdn",
    "web",
    "lb",
    "loadbalancer",
    "haproxy",
    "nginx",
    "envoy",
    "router",
}
_GENERIC = {
    "api",
    "app",
    "webapp",
    "public",
    "core",
    "main",
    "prod",
    "production",
    "server",
    "service",
    "svc",
    "cache",
    "http",
    "https",
    "ui",
    "v1",
    "v2",
    "proxy",
    "external",
    "global",
}
"""Words a service name adds to a front door without naming a feature: 'api', 'core-api', 'edge-cache'
are the product's front door; 'iplayer-api' or 'kinesis-frontend' are one feature's."""
_SECONDARY = {
    "audit",
    "admin",
    "backoffice",
    "analytics",
    "metrics",
    "recommendation",
    "recommendations",
    "recs",
    "suggest",
    "suggestions",
    "autocomplete",
    "newsletter",
    "changelog",
    "marketing",
    "landing",
    "blog",
    "careers",
}
_MESSAGE_SENDERS = {"notification", "notifications", "notifier", "mailer"}
_SECONDARY_NAMES = {
    "report",
    "reports",
    "reporting",
    "export",
    "exports",
    "logs",
    "logging",
    "digest",
    "preview",
    "previews",
} | _MESSAGE_SENDERS
"""Words that are also verbs or too common in prose ('users report'), and the senders of notification email: read
from service and endpoint names only."""
_ACCESS_MESSAGES = re.compile(
    r"\botp\b|passcode|sign-?in|log-?in|verif\w*|magic[- ]?link|\b2fa\b|\bmfa\b|one-time|password reset", re.IGNORECASE
)
"""What a sender carries when it is part of signing in: its failing is an access path's, not notification email's."""
_COSMETIC = {
    "css",
    "stylesheet",
    "stylesheets",
    "favicon",
    "font",
    "fonts",
    "thumbnail",
    "thumbnails",
    "avatar",
    "avatars",
    "icon",
    "icons",
    "emoji",
    "typo",
    "layout",
    "placeholder",
    "placeholders",
    "unstyled",
    "styling",
    "badge",
    "badges",
    "cosmetic",
    "a11y",
}
_BATCH = {"etl", "cron", "nightly", "batch", "backfill"}
_ROUTE = re.compile(r"/|(?:GET|POST|PUT|PATCH|DELETE|HEAD) /")
"""An HTTP route (the endpoint's path), not a task or transaction name."""
_BATCH_TEXT = re.compile(
    r"\bscheduled (?:jobs?|tasks?|reports?|exports?|runs?)\b|\b(?:queue |kafka |message |event |[\w-]+ )?consumers? "
    r"(?:not making progress|stalled|stuck|lag\w*|down|crash\w*)\b",
    re.IGNORECASE,
)
_INTERNAL_NAME = {"internal", "tooling", "sandbox"}
_INTERNAL_TEXT = re.compile(
    r"\binternal[- ]only\b|\binternal (?:tool\w*|deploy\w*|dashboards?|grafana|test\w*|teams?|pipelines?|orgs?|"
    r"admin|builds?|staff|wiki|ci)\b|\b(?:test|staging|sandbox|demo) org\b|"
    r"\bunreleased\b|\bnot yet released\b|\bdogfood\w*|\bpre-?release\b",
    re.IGNORECASE,
)
"""What only the team uses (its tools, deploys, test organisations, unreleased products). An 'internal
service' or 'internal network' is not on this list: customers' requests run through those."""
_HOST = re.compile(
    r"\b(?P<host>(?:(?P<first>[a-z0-9-]+)\.)?[a-z0-9-]+\.(?:com|net|org|io|co|app|dev|ai|cloud|so|me|tv|us|uk|de|fr|eu|"
    r"info|biz|xyz|gg|ly|sh|to|fm))\b(?!\.\w)",
    re.IGNORECASE,
)
_PUBLIC_FIRST = {
    None,
    "www",
    "api",
    "app",
    "m",
    "shop",
    "store",
    "web",
    "my",
    "dashboard",
    "portal",
    "status",
    "login",
    "auth",
    "accounts",
    "checkout",
    "pay",
    "console",
    "admin",
}
ACCESS_WORDS = ("sso", "saml", "oauth", "oidc", "mfa", "2fa", "identity", "idp")
"""Access paths by another name than the configured words (single sign-on, second factor, identity
provider): reading them is the reader's job, the configured list stays the user's."""
_CRITICAL_TEXT = re.compile(
    r"\b(?:can ?not|can't|unable to|fail(?:s|ed|ing)? to|could not|couldn't)\s+(?:buy|purchase|pay|check ?out|"
    r"place (?:an? |new )?orders?|complete (?:an? |their )?(?:purchases?|payments?|checkouts?|orders?|transactions?)|"
    r"sign ?in|log ?in|sign ?up|register|authenticate|access (?:their |your |the )?accounts?)\b|"
    r"\b(?:purchases|transactions|charges|payouts|transfers|bookings|reservations|trades|trading|deposits|"
    r"withdrawals|donations|ticket sales|ad serving|ads) (?:are |is |has |have )?(?:failing|fail|declined|rejected|down|"
    r"unavailable|halted|disabled|suspended|stopped)\b|"
    r"\brevenue\b",
    re.IGNORECASE,
)
"""A revenue or access path named by what it does rather than by its name ('customers cannot complete purchases')."""
_ACCESS_DENIED = re.compile(
    r"\b(?:can ?not|can't|unable to|fails? to)\s+(?:load|open|access|reach|use|sign|log|connect|get into|join|start|"
    r"launch|enter)\b",
    re.IGNORECASE,
)
"""People kept out of the product ('users cannot load Slack', 'players cannot join'): its access path."""
_WHOLE = re.compile(
    r"\b(?:all|every)\s+(?:(?:web|api|http|https|page|site)\s+(?:and\s+(?:web|api)\s+)?)?requests?\b|"
    r"\bweb and api\b|\bapi and web\b|\b(?:whole|entire) (?:site|product|platform|service)\b|\ball services\b|"
    r"\bthe (?:web)?site\b|\bthe platform\b|\bplatform (?:down|outage|unavailable)\b|\bevery request to\b|"
    r"^api requests\b|\b(?:all|every) api\b|\b(?:web )?app and (?:the )?(?:[\w-]+ )?api\b|"
    r"\ball (?:[\w-]+ )?web (?:servers?|dynos?|processes|nodes|pods|instances|workers)\b",
    re.IGNORECASE,
)


_COSMETIC_FAILING = re.compile(
    r"(?<!container )(?<!docker )(?<!disk )(?<!vm )(?<!os )(?<!machine )(?<!base )(?<!system )"
    r"\b(?P<part>images?|avatars?|thumbnails?|icons?|fonts?|emoji|stylesheets?|css|previews?|profile (?:photos?|pictures?))"
    r"(?: and (?:images?|avatars?|thumbnails?|icons?|fonts?|emoji|previews?))? (?:fail(?:s|ed|ing)? to (?:load|render|show|"
    r"display)|(?:are |is )?(?:not (?:loading|rendering|showing|generated)|missing|broken)|don't load|do not load)\b",
    re.IGNORECASE,
)
"""The subject of a failure is a cosmetic part ('Images and avatars fail to load', 'thumbnails missing'): a
container, disk or machine image is not one. Read from prose, it is weak: a surface the alert names ('the
site', checkout) outranks it, so 'site down; images fail to load' stays an outage."""


def critical_word(value: str, words: Iterable[str]) -> str | None:
    """The configured critical-path word a name carries ('payments-api' -> 'payment', 'authzd' -> 'auth')."""
    wanted = [w.lower() for w in words if w]
    for token in name_tokens(value):
        for word in wanted:
            if token.startswith(word) and token[len(word) :] in _SUFFIXES:
                return word
    return None


def read_surfaces(
    service: str | None,
    endpoints: list[str],
    title: str,
    parts: Iterable[Clause],
    critical_paths: list[str],
    statements: list[Statement],
) -> list[Surface]:
    found: list[Surface] = []
    names = [("endpoint", e) for e in endpoints] + [("title", title)] + ([("service", service)] if service else [])
    for field, value in names:
        word = critical_word(value, critical_paths) or critical_word(value, ACCESS_WORDS)
        if word:
            found.append(Surface(kind=SurfaceKind.REVENUE_ACCESS, name=word, quote=value, field=field))
        tokens = set(name_tokens(value))
        secondary = _SECONDARY | _SECONDARY_NAMES if field != "title" else _SECONDARY
        for kind, lexicon in (
            (SurfaceKind.COSMETIC, _COSMETIC),
            (SurfaceKind.SECONDARY, secondary),
            (SurfaceKind.BATCH, _BATCH),
        ):
            hit = sorted(tokens & lexicon)
            if (
                kind is SurfaceKind.SECONDARY
                and set(hit) <= _MESSAGE_SENDERS
                and _ACCESS_MESSAGES.search(f"{value} {title}")
            ):
                continue  # 'otp-mailer', a sign-in code's sender: an access path's message, not a side feature
            if hit and kind is SurfaceKind.BATCH and field == "endpoint" and _ROUTE.match(value):
                continue  # '/1/indexes/*/batch' is a request someone waits on, not background work
            if hit:
                found.append(Surface(kind=kind, name=hit[0], quote=value, field=field, strong=field != "service"))
        if field == "service":
            balancer = any(t.endswith("lb") and len(t) <= 5 for t in tokens)
            door = tokens & (_FRONT_DOOR | {"api", "app", "webapp"})
            if balancer or door and tokens <= _FRONT_DOOR | _GENERIC:
                found.append(Surface(kind=SurfaceKind.PRODUCT, name=value, quote=value, field=field, strong=False))
            if tokens & _INTERNAL_NAME:
                found.append(Surface(kind=SurfaceKind.INTERNAL, name=value, quote=value, field=field, strong=False))
    working = [s.quote.lower() for s in statements if s.kind in REST_WORKS]  # a host named there is not failing
    for clause in parts:
        _text_surfaces(found, clause, working)
    for statement in statements:
        if statement.kind is StatementKind.ALL_AFFECTED and _ACCESS_DENIED.search(statement.quote):
            found.append(
                Surface(kind=SurfaceKind.REVENUE_ACCESS, name="access", quote=statement.quote, field=statement.field)
            )
        elif statement.kind is StatementKind.OFF_PATH:
            found.append(
                Surface(
                    kind=SurfaceKind.INTERNAL, name="off the user path", quote=statement.quote, field=statement.field
                )
            )
    return found


def _text_surfaces(found: list[Surface], clause: Clause, working: list[str]) -> None:
    text = clause.text
    internal = _INTERNAL_TEXT.search(text)
    if internal:
        found.append(
            Surface(
                kind=SurfaceKind.INTERNAL,
                name=internal.group(0),
                quote=quote(text, *internal.span()),
                field=clause.field,
            )
        )
    critical = _CRITICAL_TEXT.search(text)
    if critical:
        found.append(
            Surface(
                kind=SurfaceKind.REVENUE_ACCESS,
                name=critical.group(0),
                quote=quote(text, *critical.span()),
                field=clause.field,
            )
        )
    cosmetic = _COSMETIC_FAILING.search(text)
    if cosmetic:
        found.append(
            Surface(
                kind=SurfaceKind.COSMETIC,
                name=cosmetic.group("part"),
                quote=quote(text, *cosmetic.span()),
                field=clause.field,
                strong=False,
            )
        )
    batch = _BATCH_TEXT.search(text)
    if batch:
        found.append(
            Surface(kind=SurfaceKind.BATCH, name=batch.group(0), quote=quote(text, *batch.span()), field=clause.field)
        )
    whole = _WHOLE.search(text)
    if whole:
        found.append(
            Surface(kind=SurfaceKind.PRODUCT, name=whole.group(0), quote=quote(text, *whole.span()), field=clause.field)
        )
    if clause.field == "title":
        for match in _HOST.finditer(text):
            first = match.group("first")
            if any(match.group("host").lower() in said for said in working):
                continue
            if (first.lower() if first else None) in _PUBLIC_FIRST:
                found.append(
                    Surface(
                        kind=SurfaceKind.PRODUCT,
                        name=match.group("host"),
                        quote=quote(text, *match.span()),
                        field="title",
                    )
                )


_ORDER = [
    SurfaceKind.COSMETIC,
    SurfaceKind.INTERNAL,
    SurfaceKind.BATCH,
    SurfaceKind.REVENUE_ACCESS,
    SurfaceKind.PRODUCT,
    SurfaceKind.SECONDARY,
]
"""Most specific first: what the failing thing is (a stylesheet, an internal tool, a nightly job)
outweighs which domain it serves (billing, checkout)."""


def resolve_surface(found: list[Surface], *, failure_measured: bool, endpoints: list[str]) -> Surface:
    """The surface the failure is on. Strong mentions first, in `_ORDER`; an endpoint's critical path
    over everything but a cosmetic component; a weak internal guess (a service named 'internal-network')
    yields to a measured failure, which is someone's traffic."""
    for surface in found:
        if surface.kind is SurfaceKind.REVENUE_ACCESS and surface.field == "endpoint":
            cosmetic = [s for s in found if s.kind is SurfaceKind.COSMETIC and s.strong]
            return cosmetic[0] if cosmetic else surface
    for strong in (True, False):
        for kind in _ORDER:
            for surface in found:
                if surface.kind is kind and surface.strong is strong:
                    if kind is SurfaceKind.INTERNAL and not strong and failure_measured:
                        continue
                    if kind is SurfaceKind.PRODUCT and not strong and endpoints:
                        return Surface(kind=SurfaceKind.CORE, name=endpoints[0], quote=endpoints[0], field="endpoint")
                    return surface
    return Surface(kind=SurfaceKind.CORE, name="a production feature", quote="", field="service", strong=False)
