"""How far a failure reaches, and in which environment.

Region or zone: cloud region and zone names (us-east-1, us-east-1a, europe-west2-a, East US), "other regions green",
"region:sjc" tags, "in ORD", "one availability zone", "this data center". Global: "all regions",
"globally", "from all locations", "6 of 6 locations". Cohort: a tenant, an app version, a
platform, "a subset of orgs", "some accounts". Few: one named host ("on host fra-w-77", "on
ord-w-412"), "a small number of", "a handful of". Environment: the source's label, unless the
text names production data ("the production database") while the label says test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agents.cto.signals.facts import Environment, Scope, ScopeKind
from agents.cto.signals.text import INTEGER, Clause, name_tokens, negated, quote

__all__ = ["PRODUCTION", "read_environment", "read_scope"]

PRODUCTION = {"production", "prod", "live", "prd", "main"}
_DIRECTIONS = r"(?:north|south|east|west|central|northeast|southeast|northwest|southwest)"
_STORAGE = re.compile(
    r"\b(?:tikv|hbase|hregion\w*|regionservers?|region[- ]servers?|cockroach\w*|bigtable|placement driver|stores? \d+|"
    r"regions? (?:in transition|splits?|split\w*|merg\w*|leaders?|replicas?|peers?|heartbeats?|\d+)|"
    r"(?:hot|cold|empty|leaderless|stale) regions?)\b",
    re.IGNORECASE,
)
"""A storage engine's words: its 'regions' ('region in transition', 'hot region', 'region 1234 unavailable on
store 5') are key ranges (HBase, TiKV, CockroachDB), not a part of the world."""
_REGION = re.compile(
    rf"\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn|gov)-{_DIRECTIONS}-\d(?:[a-f]\b)?|"
    rf"\b(?:us|europe|asia|australia|southamerica|northamerica|me|africa)-{_DIRECTIONS}\d{{1,2}}(?:-[a-f])?\b|"
    rf"\b(?:east|west|north|south|central)\s?(?:us|europe|asia|india|japan)\s?\d?\b|"
    r"\bregion(?!\s+servers?\b)[:=\s]+['\"]?[a-z]{2,}[\w-]*|\b(?:availability[- ]zone|zone)[:=\s]+[\w-]+|\b(?:one|a single|this|that) "
    r"(?:availability zone|zone|region|data ?cent(?:er|re)|datacenter|pop|cell)\b|"
    r"\bmulti-region\b|\b(?:the|one|a|a single) [\w-]+ (?:region|availability zone|data ?cent(?:er|re)|datacenter)\b|"
    r"\b(?:in|for) the (?-i:[A-Z][a-z]+)(?: (?-i:[A-Z][a-z]+))? (?:market|metro|province|country)\b|"
    r"\b(?:all )?other (?:regions|zones|availability zones|data ?cent(?:er|re)s|datacenters|pops|sites|locations) "
    r"(?:are |remain |stay )?(?:green|healthy|fine|normal|unaffected|ok|operational)\b",
    re.IGNORECASE,
)
_CODE = re.compile(
    r"\b(?:in|at|from|[Rr]egion)\s+(?P<a>[A-Z]{3})(?:-\d{1,2})?\b|(?<![\w-])(?P<b>[A-Z]{3})-\d{2}\b|"
    r"\b(?P<c>[A-Z]{3})\s+(?:worker|edge|compute)?\s*(?:hosts?|servers?|nodes?|machines?)\b"
)
_NOT_PLACES = {
    "API",
    "CPU",
    "DNS",
    "AWS",
    "EBS",
    "IAM",
    "CSS",
    "SSO",
    "SQL",
    "TLS",
    "SSL",
    "URL",
    "UTC",
    "GMT",
    "JVM",
    "RDS",
    "GCE",
    "VPC",
    "TCP",
    "UDP",
    "MCP",
    "CDN",
    "ETL",
    "OOM",
    "PUT",
    "GET",
    "JWT",
    "SMS",
    "SDK",
    "IOS",
    "NOC",
    "SOC",
    "IDS",
    "PAT",
    "WAF",
    "SAN",
    "NAS",
    "POS",
    "ATM",
    "ACH",
    "KYC",
    "PSP",
    "MFA",
    "SSH",
    "VPN",
    "PDF",
    "CSV",
    "TTL",
    "GPU",
    "RAM",
    "SLA",
    "SLO",
    "ISP",
    "LTE",
    "ALB",
    "ELB",
    "NLB",
}
"""Three capitals that name a technology or a payment term ('5xx from API', 'declining at POS'), not a place's code."""
_GLOBAL = re.compile(
    r"\b(?:in |across )?(?:all|every) (?:\d+ )?(?:probe |monitoring |check |serving )?(?:regions?|zones?|data ?cent(?:er|re)s?|"
    r"datacenters?|locations|pops|sites|clusters|cells|markets|countries)\b|"
    r"(?<!notified )(?<!notify )(?<!emailed )(?<!email )(?<!paging )(?<!page )\b(?:all|every) (?:\d+ )?"
    r"(?:operating companies|tenants|brands)\b(?!'|’|\s+(?:on|in|of|at|using|with|whose|that|who|behind|under|"
    r"admins?|owners?|users?)\b)|\bglobal(?:ly)?\b|\bworld-?wide\b|\beverywhere\b|"
    r"\b(?:nation|country)-?wide\b|\bacross the (?:country|nation)\b|\b(?:every|all) (?:[A-Za-z]+ )?targets\b|"
    r"\bevery (?:[A-Za-z]+ )?target\b|"
    r"\bfrom (?P<n>\d+) of (?P=n) (?:locations|probes|regions|checks)\b|\bfrom all \d+ locations\b|"
    r"\b(?:on|across) (?:every|all) (?:\d+ )?(?:nodes?|hosts?|servers?|machines?)\b|"
    r"\((?:the |its |our )?only region\b|\b(?:its|our) (?:only|sole) region\b|"
    r"\b(?:for|on|across) (?:~\s*|(?:nearly|almost|practically|virtually) )?(?:all|every) (?:api |http |web )?"
    r"(?:routes?|endpoints?|paths)\b(?!\s+(?:on|under|of|in|behind|for)\b)",
    re.IGNORECASE,
)
"""Everywhere the service runs: every region, every probe site, the only region it has ('region:ap-northeast-2 (only
region)'), every route it serves ('500 for ~all routes')."""
_COHORT = re.compile(
    r"\btenant\s+[\w.-]+|\b(?:a )?subset of (?:the )?(?:\w+ ){0,2}?(?:orgs?|organi[sz]ations?|customers?|users?|accounts?|"
    r"tenants?|merchants?|clients?|devices?|projects?)\b|\bsome (?:orgs?|organi[sz]ations?|customers?|users?|accounts?|"
    r"tenants?|merchants?|clients?|devices?|projects?)\b|\bconcentrated (?:on|in)\b|\b(?:android|ios|windows|macos|"
    r"linux)(?:\s+|@)v?\d+(?:\.\d+)+|\bapp version\b|\bv?\d+\.\d+\.\d+ (?:clients?|users?|builds?|apps?)\b|"
    r"\b(?:users?|customers?|accounts?|orgs?) (?:with|without)\b(?! (?:all|every|any))|"
    r"\bfor (?:a few|certain|specific) (?:\w+ )?(?:customers?|users?|accounts?|orgs?)\b|"
    r"\b(?-i:[A-Z]{2,4}) (?:users|customers|merchants|accounts)\b",
    re.IGNORECASE,
)
_FEW = re.compile(
    r"\bon (?:host|node|server|instance|machine|worker)\s+[\w.-]+|\bon (?:a |one )?(?:single|one) (?:host|node|server|"
    r"instance|machine|worker)\b|\bon [a-z]+(?:-[a-z]+)*-?\d+(?:-[a-z0-9]+)*\b(?! (?:of|out of) )|"
    r"\b(?:a small number|a handful|a few|very small subset|small subset|small share|few) of\b|"
    r"\bon (?:\d|two|three|four|five|several|a few) (?:[\w-]+ )?(?:hosts?|nodes?|servers?|instances?|machines?|workers?|"
    r"pods?|replicas?)\b",
    re.IGNORECASE,
)


_SMALL_PART = re.compile(rf"\b(?P<n>\d+)(?: (?:of|out of) (?P<m>{INTEGER})\b|/(?P<slash>\d+)(?=\s+[A-Za-z]))")
"""'3 of 48' and '3/48 hosts' (a slash count only before a word, so a date or a path is not one)."""
_HOST_SUBJECT = re.compile(
    r"^(?!(?:us|eu|ap|sa|ca|me|af|il|cn)(?:-[a-z]+)+-\d+$)[a-z]+(?:-[a-z0-9]+)*-\d+$", re.IGNORECASE
)
"""A clause that is one host's name and nothing else ('ord-w-412: LVM2 commands stuck'): the alert is
about that host. A cloud region ('us-east-1: ...') is not a host."""


def read_scope(parts: Iterable[Clause]) -> list[Scope]:
    found: list[Scope] = []
    for clause in parts:
        text = clause.text
        for match in _SMALL_PART.finditer(text):
            n, m = int(match.group("n")), int((match.group("m") or match.group("slash")).replace(",", ""))
            if 0 < n <= m and n / m <= 0.1:
                found.append(
                    Scope(kind=ScopeKind.FEW, name=match.group(0), quote=quote(text, *match.span()), field=clause.field)
                )
        for match in _GLOBAL.finditer(text):
            found.append(
                Scope(kind=ScopeKind.GLOBAL, name=match.group(0), quote=quote(text, *match.span()), field=clause.field)
            )
        storage = _STORAGE.search(text)
        for match in _REGION.finditer(text):
            if storage and "region" in match.group(0).lower():
                continue
            found.append(
                Scope(kind=ScopeKind.REGION, name=match.group(0), quote=quote(text, *match.span()), field=clause.field)
            )
        for match in _CODE.finditer(text):
            code = match.group("a") or match.group("b") or match.group("c")
            if code not in _NOT_PLACES:
                found.append(
                    Scope(kind=ScopeKind.REGION, name=code, quote=quote(text, *match.span()), field=clause.field)
                )
        for match in _COHORT.finditer(text):
            found.append(
                Scope(kind=ScopeKind.COHORT, name=match.group(0), quote=quote(text, *match.span()), field=clause.field)
            )
        if _HOST_SUBJECT.match(text.strip()):
            found.append(Scope(kind=ScopeKind.FEW, name=text.strip(), quote=text.strip(), field=clause.field))
        for match in _FEW.finditer(text):
            found.append(
                Scope(kind=ScopeKind.FEW, name=match.group(0), quote=quote(text, *match.span()), field=clause.field)
            )
    return found


_NAMED_ENVIRONMENT = re.compile(
    r"^\[?(?P<bracket>staging|sandbox|pre-?prod|preview|dev|qa|test)\]|\b(?P<env>staging|sandbox|pre-?production|"
    r"preview) (?:environment|env|cluster|deploy\w*|stack|server|database|site)\b|\bin (?P<in>staging|sandbox|pre-?prod)\b|"
    r"\((?P<non>non-?prod(?:uction)?)\b|\b(?P<nonenv>non-?prod(?:uction)?) (?:site|server|environment|env|cluster|stack|"
    r"instance)\b|(?<!\ba )(?<!\bthe )\b(?P<demo>demo) (?:site|server)\b|"
    r"(?<![\w?&/.-])env(?:ironment)?\s*[=:]\s*[\"']?(?P<kv>staging|stage|sandbox|qa|test|dev|demo|preview|pre-?prod|"
    r"non-?prod(?:uction)?)[\"']?(?=\s*(?:[,;)\]}|]|$)|\s+[\w.-]+[=:])",
    re.IGNORECASE,
)


_PRODUCTION_NAMED = re.compile(r"(?<!non-)(?<!non)(?<!pre-)(?<!pre)\b(?:prod|production)\b", re.IGNORECASE)
"""Production named in the text: then a non-production word beside it is not the alert's environment."""

_NON_PRODUCTION_NAMES = {"staging", "stage", "qa", "sandbox", "preview", "dev"}


_PRODUCTION_SPELLING = re.compile(
    r"(?<!pre)(?<!pre-)(?<!non)(?<!non-)(?:prd|prod|production)(?:[-_]?\d+)?$|^(?:prd|prod)\b|"
    r"(?:^|[-_.])(?:prd|prod|production)[-_.](?!like\b)"
)
_NOT_PRODUCTION_PARTS = re.compile(
    r"(?:^|[-_.])(?:"
    + "|".join(
        sorted(
            _NON_PRODUCTION_NAMES
            | {"pre", "non", "stg", "test", "tests", "testing", "uat", "shadow", "loadtest", "load", "perf"}
            | {"copy", "clone", "mirror", "demo", "dr"}
        )
    )
    + r")(?=[-_.]|$)"
)
"""A part of an environment's name that says it is not the production people use ('production-staging',
'shadow-production-eu', 'pre.prod.eu', 'loadtest-prod-copy')."""


def _is_production(label: str) -> bool:
    """'production', 'prod', 'live', and a team's own spelling of them ('gprd', 'eu-prod', 'prod-2', 'production-eu',
    'us-prod-east'), not 'preprod', 'non-prod-eu' or 'production-like'."""
    name = label.lower().strip()
    if name in PRODUCTION:
        return True
    return bool(_PRODUCTION_SPELLING.search(name)) and not _NOT_PRODUCTION_PARTS.search(name)


def read_environment(label: str | None, parts: Iterable[Clause], service: str | None = None) -> list[Environment]:
    """The source's environment label, and any production the text names against a non-production label;
    without a label, a non-production environment the service's name or the text names ('checkout-staging',
    '[staging] checkout failing')."""
    found: list[Environment] = []
    named = sorted(_NON_PRODUCTION_NAMES & set(name_tokens(service or "")))
    if label:
        found.append(Environment(name=label, production=_is_production(label), quote=label, field="environment"))
    elif named:
        found.append(Environment(name=named[0], production=False, quote=service or "", field="service"))
    else:
        parts = list(parts)
        production_named = any(_PRODUCTION_NAMED.search(clause.text) for clause in parts)
        for clause in parts:
            named = _NAMED_ENVIRONMENT.search(clause.text)
            if named and production_named and any(named.group(g) for g in ("non", "nonenv", "demo", "kv")):
                continue  # 'affects prod; the non-prod site is fine': production is named, whatever else is
            if named:
                name = next(g for g in named.groups() if g)
                found.append(Environment(name=name.lower(), production=False, quote=named.group(0), field=clause.field))
                return found
    if found and not found[0].production:
        for clause in parts:
            match = re.search(
                r"\b(?:production|prod|live) (?:database|db|data|primary|tables?|cluster|traffic|users?|customers?)\b",
                clause.text,
                re.I,
            )
            if match and not negated(clause.text, match.start()):
                found.append(
                    Environment(
                        name="production", production=True, quote=quote(clause.text, *match.span()), field=clause.field
                    )
                )
                break
    return found
