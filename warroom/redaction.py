"""Credentials taken out of third-party text before it leaves for a model provider.

Alerts, logs, deploy notes and responders' notes sometimes carry a credential: the very key an
exposure alert is about, a connection string in a stack trace, a bearer token in a logged request.
With a model configured, that text is sent to the provider (`agents.llm.delimit_untrusted`), and a
secret must never be in a prompt. Each one is replaced by what it was (`[redacted AWS Access Key]`),
so a reader still knows a key of that kind was there, which is what a severity call needs.

The vendor formats come from Yelp's detect-secrets (AWS, GitHub, GitLab, Slack, Stripe, OpenAI,
Twilio, SendGrid, JWT, npm, PyPI, private keys, credentials in URLs, quoted `password = "…"`), so
new formats arrive with the library. Its entropy detectors are not used: commit SHAs, trace ids and
UUIDs are what an investigation cites, and they look as random as a key. Two forms it reads only
in source code are added here: unquoted `token=…` as logs and query strings write it, and
`Bearer …`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.cloudant import CloudantDetector
from detect_secrets.plugins.discord import DiscordBotTokenDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.ibm_cloud_iam import IbmCloudIamDetector
from detect_secrets.plugins.ibm_cos_hmac import IbmCosHmacDetector
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.keyword import QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP
from detect_secrets.plugins.mailchimp import MailchimpDetector
from detect_secrets.plugins.npm import NpmDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.softlayer import SoftlayerDetector
from detect_secrets.plugins.square_oauth import SquareOAuthDetector
from detect_secrets.plugins.stripe import StripeDetector
from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
from detect_secrets.plugins.twilio import TwilioKeyDetector

__all__ = ["redact_secrets"]

_VENDORS: tuple[type[RegexBasedDetector], ...] = (
    AWSKeyDetector,
    AzureStorageKeyDetector,
    BasicAuthDetector,
    CloudantDetector,
    DiscordBotTokenDetector,
    GitHubTokenDetector,
    GitLabTokenDetector,
    IbmCloudIamDetector,
    IbmCosHmacDetector,
    JwtTokenDetector,
    MailchimpDetector,
    NpmDetector,
    OpenAIDetector,
    PypiTokenDetector,
    SendGridDetector,
    SlackDetector,
    SoftlayerDetector,
    SquareOAuthDetector,
    StripeDetector,
    TelegramBotTokenDetector,
    TwilioKeyDetector,
)
_PREFIX_GROUPS = (GitHubTokenDetector, GitLabTokenDetector)
"""Their first group is the token's prefix (`ghp`), not the token: the whole match is the secret."""

_PRIVATE_KEY = re.compile(
    r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)"
    r"|PuTTY-User-Key-File-\d[\s\S]*?(?:Private-MAC: *\S+|\Z)"
)
"""The whole block, not only its header; a block cut short (alert text is truncated) runs to the end."""
_ASSIGNED = re.compile(
    r"\b\w*?(?:password|passwd|pwd|secret|token|api_?key|apikey|access_?key|secret_?key|private_?key|auth_?key|"
    r"session_?id|signature)\s*=\s*(?![\d.]+(?:[\s&;,]|$))([^\s'\"`,;&<>()\[\]]++)(?!\()",
    re.IGNORECASE,
)
"""`token=…` as logs and query strings write it (detect-secrets wants quotes outside source files): a
name ending in a credential's word, and a value that is neither a plain number (`token_count=5` is a
count) nor a call (`token = tokens.issue(…)` in a stack frame's code)."""
_BEARER = re.compile(r"\b(?:Bearer|Basic|Token)\s+([A-Za-z0-9\-._~+/]{16,}=*)")
_TAIL = re.compile(r"[\w\-.+/=]*")
"""What a matched token may still run on with (a JWT's signature after the library's lazy match)."""
_LEADING = " \t\r\n\"'`=:"
_TRAILING = " \t\r\n\"'`:"


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    kind: str


def redact_secrets(text: str) -> str:
    """`text` with every credential it holds replaced by `[redacted <kind>]`; unchanged when it holds none."""
    found = sorted(_find(text), key=lambda f: (f.start, -f.end))
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


def _find(text: str) -> list[_Found]:
    found = [_Found(m.start(), m.end(), "private key") for m in _PRIVATE_KEY.finditer(text)]
    for plugin, regex in _vendor_regexes():
        for match in regex.finditer(text):
            found.append(_vendor_span(text, match, plugin))
    for regex, group in QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP.items():
        for match in regex.finditer(text):
            if match.group(group):
                found.append(_Found(match.start(group), match.end(group), "secret"))
    for regex in (_ASSIGNED, _BEARER):
        for match in regex.finditer(text):
            found.append(_Found(match.start(1), match.end(1), "secret"))
    return [f for f in found if f.end > f.start]


def _vendor_span(text: str, match: re.Match[str], plugin: RegexBasedDetector) -> _Found:
    """The secret's own characters: the value group where the pattern has one (a URL's password), else
    the whole match, run on to the end of the token and without the separators some patterns include."""
    if match.re.groups and not isinstance(plugin, _PREFIX_GROUPS) and match.group(1):
        start, end = match.start(1), match.end(1)
    else:
        start = match.start()
        tail = _TAIL.match(text, match.end())
        end = tail.end() if tail else match.end()
    while start < end and text[start] in _LEADING:
        start += 1
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    return _Found(start, end, str(plugin.secret_type))


@cache
def _vendor_regexes() -> list[tuple[RegexBasedDetector, re.Pattern[str]]]:
    pairs = []
    for kind in _VENDORS:
        plugin = kind()
        pairs += [(plugin, regex) for regex in plugin.denylist]
    return pairs
