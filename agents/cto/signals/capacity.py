"""What is running out, expiring or waiting: saturation, expiry and delay.

Saturation is a resource filling up ("disk 85% full", "connection pool 75% utilised" are read
as percentages by `measures`); here the states that mean nothing fits any more ("table is full",
"pool exhausted", "OOMKilled", an id at 2147483647, transaction-id wraparound) and forecasts
("predicted to run out of space within 5 days"). Expiry is a certificate, domain or trust root
with the time it has left ("expires in 27 days", "distrusted from Chrome 70 (about 13 months)")
or already gone ("certificate has expired"). Delay is work that waits ("queue age 47 minutes",
"lag 14 minutes", "oldest pending delivery is 24 minutes old"): late, not lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from agents.cto.signals.facts import Delay, Expiry, Saturation
from agents.cto.signals.text import Clause, duration_seconds, negated, numbers, quote

__all__ = ["Capacity", "read_capacity"]

_FULL = re.compile(
    r"\b(?:is|are|now|100%)\s+full\b|\bfull\b(?=[^.;]{0,20}\b(?:writes?|inserts?)\b)|\bexhausted\b|"
    r"(?<!\bto )(?<!\buntil )(?<!\bbefore )\bexhaustion\b|"
    r"\bout of (?:memory|disk|space|connections|file descriptors|inodes|threads|capacity)\b|\boom\s*kill\w*|\boomkilled\b|"
    r"\b(?:thread|connection|(?<!error )(?<!error-)(?<!errors )(?<!5xx )(?<!4xx )(?<!failure )(?<!fail )rate|file) limit\b|\blimit reached\b|\breached (?:its|the) (?:max\w*|limit)\b|"
    r"\b(?:reached|hit|exceeded|at|=|entry '?)\s*(?:2147483647|4294967295)\b|\binteger overflow\b|"
    r"\b(?:refusing|not accepting)[^.;]{0,30}\bwraparound\b|\bwraparound (?:protection|data loss)\b|\bno space left\b",
    re.IGNORECASE,
)
_OF_LIMIT = re.compile(
    r"(?P<pct>\d+(?:\.\d+)?)\s*%\s+of\s+(?:the\s+|its\s+)?(?:(?:un)?signed\s+)?(?:int(?:eger)?(?:32)?|max\w*|2147483647|4294967295|"
    r"limit|capacity|id space|key space|sequence)\b",
    re.IGNORECASE,
)
"""A share of a hard limit used ('ids at 85% of int32 max'): a warning while headroom is left."""
_FORECAST = re.compile(
    r"\b(?:predicted|forecast|expected|projected|will|going) to (?:run out|fill|be full|exhaust\w*|reach (?:saturation|"
    r"(?:full |its |the )?(?:capacity|limit)|100 ?%))|\bruns? out\b[^.;]{0,20}\bin\b|"
    r"(?P<ahead>\d+(?:\.\d+)?\s*[a-z]+) (?:to|until|before) (?:it )?(?:exhaustion|overflows?|(?:being )?full|wraparound|"
    r"running out)\b",
    re.IGNORECASE,
)
_EXPIRY_SUBJECT = re.compile(
    r"\b(?:certificates?|certs?|tls|ssl|domains?|dns|chain|root(?: ca)?|issuer|ca)\b", re.IGNORECASE
)
_EXPIRES = re.compile(
    r"\b(?P<future>expires?|expiring|will (?:be )?(?:expire|distrusted|revoked)|will not be trusted|"
    r"(?:be |being )?distrusted|renews?|(?:scheduled|set|due) for (?:distrust|revocation|expiry)|will distrust)\b|\b(?P<past>(?:has |have |already |is )?expired|revoked|no longer trusted)\b",
    re.IGNORECASE,
)
_DELAY_WORDS = re.compile(
    r"\blag\w*|\bqueue age\b|\bage\b|\bdelay\w*|\bbehind\b|\bbacklog\w*|\bold\b|\bpending\b|\bwaiting\b|\bstuck\b|"
    r"\bqueued\b|\bnot draining\b|\bnot started within\b|\blate\b|\bbacking up\b",
    re.IGNORECASE,
)
_TARGET_BEFORE = re.compile(r"(?:\bslo|normal|baseline|threshold|target)\s*\(?$", re.IGNORECASE)


@dataclass
class Capacity:
    saturation: list[Saturation]
    expiry: list[Expiry]
    delays: list[Delay]


def read_capacity(parts: Iterable[Clause]) -> Capacity:
    found = Capacity([], [], [])
    for clause in parts:
        text = clause.text
        full = _FULL.search(text)
        foreseen = full is not None and _FORECAST.search(text[: full.end()])
        if full and not negated(text, full.start()) and not foreseen:
            found.saturation.append(
                Saturation(
                    resource=full.group(0).lower(),
                    full=True,
                    quote=quote(text, full.start(), full.end()),
                    field=clause.field,
                )
            )
        for used in _OF_LIMIT.finditer(text):
            found.saturation.append(
                Saturation(
                    resource="limit",
                    percent=float(used.group("pct")),
                    quote=quote(text, *used.span()),
                    field=clause.field,
                )
            )
        forecast = _FORECAST.search(text)
        if forecast:
            ahead = forecast.group("ahead")
            left = _first_duration(text, forecast.start() if ahead else forecast.end())
            found.saturation.append(
                Saturation(
                    resource="capacity forecast",
                    forecast_seconds=left,
                    quote=quote(text, forecast.start(), forecast.end(), margin=50),
                    field=clause.field,
                )
            )
        _read_expiry(found, clause)
        _read_delay(found, clause)
    return found


_TIME_LEFT = re.compile(
    r"\bvalid(?:ity)?\b[^.;]{0,40}?\b\d+(?:\.\d+)?\s*(?:more\s+)?(?:days?|weeks?|months?)\b|"
    r"\b\d+(?:\.\d+)?\s*(?:days?|weeks?|months?)\s+(?:left|remaining)\s+(?:until|before|to)\s+(?:it\s+)?expir\w*",
    re.IGNORECASE,
)
"""'certificate for mail.example.org valid, 86 days left', 'valid for 30 more days', '12 days left until expiry':
the time a certificate or domain has before it expires, without the verb. Not any time left ('2 hours remaining on
TTL', '3 retries left')."""


def _read_expiry(found: Capacity, clause: Clause) -> None:
    text = clause.text
    subject = _EXPIRY_SUBJECT.search(text)
    verb = _EXPIRES.search(text)
    left_only = None if verb else _TIME_LEFT.search(text)
    if subject is None or (verb or left_only) is None:
        return
    if left_only is not None:
        where = quote(text, min(subject.start(), left_only.start()), max(subject.end(), left_only.end()), margin=50)
        seconds = _first_duration(re.sub(r"\bmore\s+", "", left_only.group(0), flags=re.IGNORECASE), 0)
        found.expiry.append(
            Expiry(subject=subject.group(0).lower(), seconds_left=seconds, quote=where, field=clause.field)
        )
        return
    assert verb is not None
    expired = verb.group("past") is not None and not negated(text, verb.start())
    left = None if expired else _first_duration(text, verb.start())
    found.expiry.append(
        Expiry(
            subject=subject.group(0).lower(),
            seconds_left=left,
            expired=expired,
            quote=quote(text, min(subject.start(), verb.start()), max(subject.end(), verb.end()), margin=50),
            field=clause.field,
        )
    )


def _read_delay(found: Capacity, clause: Clause) -> None:
    text = clause.text
    word = _DELAY_WORDS.search(text)
    if word is None:
        return
    longest: tuple[float, int, int] | None = None
    for number in numbers(text):
        seconds = duration_seconds(number)
        if seconds is None or number.target or _TARGET_BEFORE.search(text[max(0, number.start - 12) : number.start]):
            continue
        if re.search(r"\b(?:p\d{2,3}|latency|duration)\b", text[max(0, number.start - 30) : number.start], re.I):
            continue
        if longest is None or seconds > longest[0]:
            longest = (seconds, number.start, number.end)
    if longest is not None:
        found.delays.append(
            Delay(seconds=longest[0], quote=quote(text, min(word.start(), longest[1]), longest[2]), field=clause.field)
        )


def _first_duration(text: str, start: int) -> float | None:
    for number in numbers(text[start:]):
        seconds = duration_seconds(number)
        if seconds is not None:
            return seconds
    return None
