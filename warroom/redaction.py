"""Credentials taken out of third-party text before it leaves warroom.

Alerts, logs, deploy notes and responders' notes sometimes carry a credential: the very key an
exposure alert is about, a connection string in a stack trace, a bearer token in a logged request.
What warroom sends on (the optional model's prompts, Slack, pages, postmortems, its own logs and error
reports) must not carry it further. Each one is replaced by what it was (`[redacted AWS Access Key]`),
so a reader still knows a key of that kind was there, which is what a severity call needs.

Vendor formats come from Yelp's detect-secrets (AWS, GitHub, GitLab, Slack, Stripe, OpenAI, SendGrid,
JWT, npm, PyPI, Discord, Telegram, Square, Mailchimp, Azure storage, private keys, credentials in
URLs), plus a few it does not know yet (`_FORMATS`). Its entropy detectors are not used: commit SHAs,
trace ids and UUIDs are what an investigation cites, and they look as random as a key. Named values
(`token=…`, `"access_token": "…"`, `password: …`, `Bearer …`) are read here, as logs, env dumps and
JSON write them, with what is plainly not a credential left alone (`signature=invalid`, `token=5`).
The library's patterns read at most 4,000 characters at once (`_windows`), since some are quadratic;
private keys and JWTs, which can be longer, are read over the whole text by linear patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.discord import DiscordBotTokenDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.mailchimp import MailchimpDetector
from detect_secrets.plugins.npm import NpmDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.square_oauth import SquareOAuthDetector
from detect_secrets.plugins.stripe import StripeDetector
from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector

__all__ = ["EMAIL_ADDRESS", "redact_secrets"]

EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
"""An email address in running text: what `agents.support.internal` keeps out of public messages and
warroom's error reports mask."""

_VENDORS: dict[type[RegexBasedDetector], tuple[str, ...]] = {
    AWSKeyDetector: ("A3T", "ABIA", "ACCA", "AKIA", "ASIA", "aws", "AWS", "Aws"),
    AzureStorageKeyDetector: ("AccountKey=",),
    BasicAuthDetector: ("://",),
    DiscordBotTokenDetector: (".",),
    GitHubTokenDetector: ("gh",),
    GitLabTokenDetector: ("gl", "GR1348941"),
    MailchimpDetector: ("-us",),
    NpmDetector: ("_authToken",),
    OpenAIDetector: ("T3BlbkFJ",),
    PypiTokenDetector: ("pypi-",),
    SendGridDetector: ("SG.",),
    SlackDetector: ("xox", "XOX", "hooks.slack.com"),
    SquareOAuthDetector: ("sq0csp-",),
    StripeDetector: ("k_live_",),
    TelegramBotTokenDetector: (":",),
}
"""detect-secrets' formats that have a vendor's own shape, each with the text it cannot match without
(a cheap test first: some of its patterns take quadratic time on a long run of slashes). Its
keyword-only detectors (IBM, SoftLayer, Cloudant) read any 44-character word after "key" as a key,
and Twilio's SIDs are identifiers, not secrets: those are left out."""
_PREFIX_GROUPS = (GitHubTokenDetector, GitLabTokenDetector)
"""Their first group is the token's prefix (`ghp`), not the token: the whole match is the secret."""

_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("GitHub Token", r"\bgithub_pat_[A-Za-z0-9_]{60,}"),
        ("npm Token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("Anthropic Key", r"\bsk-ant-[A-Za-z0-9_\-]{20,}"),
        ("OpenAI Key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{32,}"),
        ("Google API Key", r"\bAIza[0-9A-Za-z_\-]{35}"),
        ("Google OAuth Token", r"\bya29\.[0-9A-Za-z_\-]{20,}"),
        ("Stripe Key", r"\b(?:sk|rk)_(?:test|live)_[0-9a-zA-Z]{24,}"),
        ("Stripe Webhook Secret", r"\bwhsec_[A-Za-z0-9+/=]{24,}"),
        ("Vault Token", r"\bhv[sbr]\.[A-Za-z0-9_\-]{24,}"),
        ("Slack Token", r"\bxapp-\d-[A-Za-z0-9]+-\d+-[A-Za-z0-9]+"),
        ("Discord Webhook", r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[\w\-]+"),
    )
)
"""Formats detect-secrets 1.5 does not know, from each vendor's documented prefix."""

_WINDOW = 4_000
_OVERLAP = 1_000

_PRIVATE_KEY = re.compile(
    r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)"
    r"|PuTTY-User-Key-File-\d[\s\S]*?(?:Private-MAC: *\S+|\Z)"
)
"""The whole block, not only its header; a block cut short (alert text is truncated) runs to the end."""
_URL_PASSWORD = re.compile(r"://[^/\s:@]*:([^/\s:@]+)@")
"""A password in a URL, also with no user (`redis://:pass@host`)."""

_NAME = (
    r"[\w\-]{0,40}?(?:password|passwd|pwd|pass|secret|token|api[_\-]?key|access[_\-]?key|secret[_\-]?key|"
    r"private[_\-]?key|auth[_\-]?key|session(?:[_\-]?id)?|signature|credentials?)"
)
"""A credential's name as configs, env vars and headers write it (`AWS_SECRET_ACCESS_KEY`, `X-API-Key`);
the prefix is bounded, or a long run of word characters (a base64url blob) costs quadratic time."""
_ASSIGNED = re.compile(rf"\b({_NAME})=\s*([^\s'\"`,;&<>()\[\]*]++)(?!\()", re.IGNORECASE)
"""`token=…` as logs, env dumps and query strings write it (detect-secrets wants quotes outside
source files): a name ending in a credential's word and a value that is not code: not a call
(`credential=hash_of(…)`), an attribute (`api_token=settings.api_token`) or the name again."""
_SPACED = re.compile(rf"\b({_NAME})\s+=\s*([^\s'\"`,;&<>()\[\]*]++)(?!\()", re.IGNORECASE)
"""`token = …` is how code assigns (a stack frame's source lines): taken only when the value mixes
letters and digits as credentials do, not `self.token = token`."""
_QUOTED = re.compile(rf"[\"']?\b{_NAME}[\"']?\s*[:=]\s*[\"']([^\"'\n]{{4,}})[\"']", re.IGNORECASE)
"""`"access_token": "…"` in JSON, `token = "…"` in a config line."""
_COLON = re.compile(rf"\b{_NAME}\s*:\s*([^\s'\"`,;&<>()\[\]*]{{6,}})", re.IGNORECASE)
"""`password: hunter2`, `X-API-Key: …`: taken only when the value mixes letters and digits, since a
colon also ends prose ("secrets: 3 exposed")."""
_BEARER = re.compile(r"\b(?:Bearer|Basic|Token)\s+([A-Za-z0-9\-._~+/]{12,}=*)", re.IGNORECASE)
"""An Authorization header's value, when it mixes letters and digits as tokens do."""
_NAMED = re.compile(_NAME, re.IGNORECASE)
"""A value that is itself a credential's name is a variable passed on (`api_token=token`)."""
_CODE_PATH = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
"""`settings.api_token`, `os.environ`: an attribute path is code, not a value (a password has no
such shape, and a dotted token has digits or dashes in its parts)."""
_JWT = re.compile(r"(?<![\w\-])eyJ[\w\-]{2,}+\.eyJ[\w\-]{2,}+\.[\w\-]*+")
"""A JWT, whole (an Azure AD token runs to 3,000 characters), over the whole text: it starts only
where a run of token characters starts and never backtracks, so it stays linear. Kept only when the
library's check finds two JSON parts: an approval link's signed token (`eyJ…` then a timestamp) is
warroom's own, meant for the war room, not a JWT."""
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
"""Zero-width and soft-hyphen characters: dropped first, so that one inside a key cannot hide it."""
_LEADING = " \t\r\n\"'`=:"
_TRAILING = " \t\r\n\"'`:."
_NOT_A_VALUE = re.compile(
    r"(?:invalid|expired|missing|null|none|nil|true|false|empty|redacted|required|unset|undefined|wrong|"
    r"incorrect|bad|ok|set|present|provided|mismatch|revoked|rejected|unknown|n/a|\*+|x+|"
    r"v?\d+(?:\.\d+)+|sha\d*|md5|hmac[\w\-]*|[rhep]s\d{3})",
    re.IGNORECASE,
)
"""What a log says about a credential without being one (`signature=invalid`, `token=expired`,
`signature=sha256`, `token: v2.3.1`)."""


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    kind: str


def redact_secrets(text: str) -> str:
    """`text` with every credential it holds replaced by `[redacted <kind>]`, and without zero-width
    characters; otherwise unchanged."""
    text = _INVISIBLE.sub("", text)
    found = [_Found(m.start(), m.end(), "private key") for m in _PRIVATE_KEY.finditer(text)]
    found += [
        _Found(m.start(), m.end(), "JSON Web Token")
        for m in _JWT.finditer(text)
        if JwtTokenDetector.is_formally_valid(m.group())
    ]
    for offset, window in _windows(text):
        found += [_Found(f.start + offset, f.end + offset, f.kind) for f in _find(window)]
    found.sort(key=lambda f: (f.start, -f.end))
    out: list[str] = []
    at = 0
    for secret in found:
        if secret.start < at:  # inside (or overlapping) one already replaced
            if secret.end > at:
                at = secret.end
            continue
        out.append(text[at : secret.start])
        out.append(f"[redacted {secret.kind}]")
        at = secret.end
    out.append(text[at:])
    return "".join(out)


def _windows(text: str) -> list[tuple[int, str]]:
    """Each line, and a long line in overlapping pieces: some of the library's patterns take quadratic
    time on a long run of one token (`sk-sk-sk-…`), so no pattern sees more than `_WINDOW` characters,
    and a credential up to `_OVERLAP` long is whole in at least one piece."""
    pieces: list[tuple[int, str]] = []
    at = 0
    for line in text.splitlines(keepends=True):
        if len(line) <= _WINDOW:
            pieces.append((at, line))
        else:
            step = _WINDOW - _OVERLAP
            pieces += [(at + i, line[i : i + _WINDOW]) for i in range(0, len(line) - _OVERLAP, step)]
        at += len(line)
    return pieces


def _find(text: str) -> list[_Found]:
    found: list[_Found] = []
    for plugin, regex in _vendor_regexes(text):
        for match in regex.finditer(text):
            found.append(_vendor_span(text, match, plugin))
    for kind, regex in _FORMATS:
        found += [_Found(m.start(), m.end(), kind) for m in regex.finditer(text)]
    found += [_Found(m.start(1), m.end(1), "URL password") for m in _URL_PASSWORD.finditer(text)]
    for match in _ASSIGNED.finditer(text):
        value = match.group(2)
        if _a_value(value) and not _CODE_PATH.fullmatch(value) and not _NAMED.fullmatch(value):
            found.append(_Found(match.start(2), match.end(2), "secret"))
    for match in _SPACED.finditer(text):
        if _token_like(match.group(2)) and not _CODE_PATH.fullmatch(match.group(2)):
            found.append(_Found(match.start(2), match.end(2), "secret"))
    for regex, test in ((_QUOTED, _a_value), (_COLON, _token_like), (_BEARER, _token_like)):
        for match in regex.finditer(text):
            if test(match.group(1)):
                found.append(_Found(match.start(1), match.end(1), "secret"))
    return [f for f in found if f.end > f.start]


def _a_value(value: str) -> bool:
    """A credential's value rather than what a log says about one, a reference to one or a number too
    short to be one (`token=5` is a count, `$TOKEN` a variable, `/var/lib/app` the `PWD`)."""
    if (
        len(value) < 4
        or _NOT_A_VALUE.fullmatch(value)
        or value.startswith(
            (
                "[redacted",
                "$",
                "%",
                "{",
                "/",
                "self.",
                "this.",
                "os.",
                "process.env",
                "env.",
                "config.",
                "settings.",
                "arn:",
            )
        )
    ):
        return False
    return not (value.replace(".", "").isdigit() and len(value) < 8)


def _token_like(value: str) -> bool:
    return _a_value(value) and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _vendor_span(text: str, match: re.Match[str], plugin: RegexBasedDetector) -> _Found:
    """The secret's own characters: the value group where the pattern has one (a URL's password), else
    the whole match, without the separators some patterns include."""
    if match.re.groups and not isinstance(plugin, _PREFIX_GROUPS) and match.group(1):
        start, end = match.start(1), match.end(1)
    else:
        start, end = match.start(), match.end()
    while start < end and text[start] in _LEADING:
        start += 1
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    return _Found(start, end, str(plugin.secret_type))


def _vendor_regexes(text: str) -> list[tuple[RegexBasedDetector, re.Pattern[str]]]:
    return [(plugin, regex) for plugin, needles, regex in _compiled() if any(n in text for n in needles)]


@cache
def _compiled() -> list[tuple[RegexBasedDetector, tuple[str, ...], re.Pattern[str]]]:
    found = []
    for kind, needles in _VENDORS.items():
        plugin = kind()
        found += [(plugin, needles, regex) for regex in plugin.denylist]
    return found
