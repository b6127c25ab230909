"""How alert text is cut up and how its numbers are read, shared by every reader.

Alert text comes from monitors that decorate it (Datadog's `**metric**` markup and monitor links,
Grafana's `[ var='B' ... value=0.18 ]` dumps, URLs): `clean` removes the decoration so a number in
a link is never read as a measurement. `clauses` cuts the text where one statement ends (";",
"|", ": ", sentence ends, line breaks), because a percentage belongs to the words beside it.
Numbers are read with their units: percentages, ratios, durations (ms to months), factors ("4x"),
"N of M"; a number after "above", "below" or ">" is a threshold the measure crossed, not the
measure, and a number labelled as a target ("SLO 99.9%", "threshold 2%") is not read at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from agents.cto.signals.facts import Bound

__all__ = [
    "INTEGER",
    "PEERS_NEAR_ZERO",
    "PEER_PLACES",
    "SERVER_ERROR",
    "STATUS_CODE",
    "Clause",
    "Number",
    "clauses",
    "clean",
    "normalise",
    "duration_seconds",
    "name_tokens",
    "negated",
    "numbers",
    "quote",
]

_RATE_UNIT = r"(?!\s*(?:rpm|rps|qps|tps|req/s|ops/s|msg/s)(?![\w/]))"
STATUS_CODE = (
    r"(?<![\d,.])(?<!\d of )(?<!\d/)(?<!\d /)(?<!\d / )(?<!limit )(?<!max )(?<!maximum )(?<!capacity )(?<!baseline )"
    rf"(?:\b[45]00\b{_RATE_UNIT}|\b(?:4(?:0[1-9]|1\d|2[1-689]|31|51|99)|5(?:0[1-9]|1[01]|2\d|30|98|99))\b)"
    r"(?![,.]\d)(?!\s*(?:of|out of)\s+\d)(?!\s*%)"
    r"(?!\s*(?:[kmgtp]i?b|bytes?|ms|msecs?|µs|us|s|secs?|seconds?|mins?|minutes?|h|hours?|days?|[kmg]bps|[kmg]b/s)(?![\w/]))"
)
"""An HTTP status code (a real one: 404, 429, 503, Cloudflare's 52x), as a pattern fragment: not another number
in the 400s or 500s ('connections 475 of 500', '480 (limit 500)', 'heap 410 MiB', '412 Gbps', '500 ms', the 500
of '450/500' or of '500 rps', where a round number is a rate and '503 rps' is 503s per second), and not part of a
larger number ('410,000'). In '502/503' the first is read."""
SERVER_ERROR = rf"(?=5){STATUS_CODE}"
"""A 5xx status code, as a pattern fragment: the server failed, where a 4xx may be the client's own mistake."""
_LINKS = re.compile(r"\[\[[^\]]*\]\([^)]*\)\]|\[([^\]]*)\]\(https?://[^)]*\)|https?://\S+")
_GRAFANA_VALUES = re.compile(r"\[\s*var='[^']*'\s*labels=\{[^}]*\}\s*value=[^\]]*\]\s*,?")
_MARKUP = re.compile(r"\*\*|@webhook-[\w-]+|`")
_CLAUSE_END = re.compile(r"\s*(?:[;|\n]|\\n|(?<=\S)\.\s+|:\s+|,\s+(?=(?:while|but|and|so|though)\b)|\s-\s|\s—\s)\s*")
PEER_PLACES = (
    r"regions?|zones?|data ?cent(?:er|re)s?|datacenters?|locations|clusters?|cells?|shards?|availability zones?|pops|"
    r"markets?|countries|states|cities|metros?|areas?|sites?|warehouses?|stores?|pods?|pools?|racks?|silos?|"
    r"partitions?|carriers?|proxies|nodes?|hosts?|instances?|brokers?|servers?|realms?|worlds?"
)
"""The places an alert names its failure's peers by ('other regions', 'the other 10 servers')."""
WHOLE_FLEET = re.compile(
    r"\b(?:all|every|each) (?:\d+ )?(?:(?!(?:other|standby|canary|gpu|spare|backup|passive|secondary|legacy|idle|"
    r"drained|staging|test|dev)\b)[\w-]+ ){0,2}?(?:servers?|hosts?|nodes?|instances?|backends?|replicas?|targets?)"
    r"(?: (?:checks?|probes?))? (?:are |is |now )?(?P<state>down|failing|failed|critical|unhealthy|unreachable|offline|"
    r"unresponsive)\b",
    re.IGNORECASE,
)
"""'All mailbox server checks CRITICAL', 'every broker node down': every server of it, not a few of many. Not a
subset ('all standby instances'), and 'critical' only when the check is not a capacity one (`CAPACITY_CHECK`)."""
CAPACITY_CHECK = re.compile(
    r"\b(?:cpu|load|disk|memory|mem|swap|inodes?|space|usage|used|cert\w*|expir\w*|headroom|quota)\b", re.IGNORECASE
)
PEERS_NEAR_ZERO = re.compile(
    rf"\bother (?:\d+ |\w+ )?(?:[\w-]+ ){{0,2}}?(?:{PEER_PLACES})\b"
    r"(?:(?!\b(?:from|baseline|normal\w*|usual\w*|was|above|over|success\w*|availab\w*|uptime|free|also|climb\w*|ris\w*|"
    r"rose|up|increas\w*|spik\w*|failing|down)\b)[^.;%>])"
    r"{0,30}?(?<![\d.])(?:0?\.\d+|<\s*1)\s*%(?!\s*(?:->|→|to\b|and (?:climbing|rising)|success|availab|uptime))",
    re.IGNORECASE,
)
"""'Other 6 regions < 0.1% errors', 'other nine regions stay at 0.4%': the peers' error figure now is under 1%, so
they serve. Not a baseline ('baseline 0.1%, now 52%'), a rise ('0.2% -> 48%'), a threshold ('> 0.5%') or a
success rate ('0.3% success')."""
_NUMBER = re.compile(
    r"(?P<lt>[<>]=?\s*)?(?P<value>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|\.\d+)\s*"
    r"(?P<unit>%|x\b|×|ms\b|milliseconds?\b|s\b|secs?\b|seconds?\b|m\b|mins?\b|minutes?\b|h\b|hrs?\b|hours?\b|"
    r"d\b|days?\b|w\b|weeks?\b|months?\b)?",
    re.IGNORECASE,
)
_AT_LEAST = re.compile(r"(?:above|over|exceed(?:s|ed|ing)?|more than|greater than|at least|>=?|≥)\s*$", re.IGNORECASE)
_AT_MOST = re.compile(r"(?:below|under|less than|at most|<=?|≤)\s*$", re.IGNORECASE)
_TARGET = re.compile(
    r"(?:\bslo|\bsla|objective|target|threshold|budget|goal|normal(?:ly)?|baseline|usual(?:ly)?)\s*(?:of|is|at|=|:)?\s*\(?$|"
    r"\b(?:warn(?:ing)?|crit(?:ical)?) (?:at|above|over)\s*\(?$|(?:[(,]\s*|\band )(?:warn|alert)\s*(?:at|above|over|below|under|[:=]|[<>]=?)?\s*$",
    re.IGNORECASE,
)
_SECONDS = {
    "ms": 0.001,
    "millisecond": 0.001,
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
    "w": 604800,
    "week": 604800,
    "month": 2_592_000,
}
_DENIAL = r"\b(?:no|not|without|avoid(?:s|ed|ing)?|prevent(?:s|ed|ing)?|nothing|never|zero|risk of)\s+"
_HYPOTHESIS = r"\b(?:would|could|may|might|if|will)\s+"
_WORDS_BETWEEN = r"(?:[\w'-]+\s+){{0,{reach}}}$"
_DENIED_ALTERNATIVE = (
    r"\b(?:no|without|zero)\s+(?:[\w-]+\s+){0,2}?(?:errors?|failures?|impact|issues?|problems?|drops?|changes?|anomal\w*|"
    r"alerts?|spikes?)\s+(?:or|nor)\s+"
)
"""A denial of a failure that reaches across 'or': 'no request errors or latency change'. Not 'no response or
connection timed out', where 'no response' is itself the failure, nor 'not loading or timing out'."""
_DENIED_SUBJECT = (
    r"(?:\b(?:no|zero)\s+(?:(?!(?:and|or|but)\b)[\w'-]+\s+){1,3}(?:is|are|was|were|has been|have been|got|gets?)\s+|"
    r"(?<![\d.,])\b0\s+(?:(?!(?:and|or|but|of)\b)[\w'-]+\s+){1,2})(?:\w+ly\s+)?$"
)
"""A count of nothing as the subject: '0 tasks failed permanently', 'no order import is delayed' (the words
between are the subject, a longer reach than a denial right before the word)."""
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_JOINED_VERBS = re.compile(r"\b(sign|log)[\s-]+(in|on|up)(s?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    """One statement of the alert and the field it is in."""

    text: str
    field: str
    heading: str = ""
    """The clause before a colon, when this one starts with a number ('tarball requests returning 404: 33%
    over 15m') or only names it a value ('... was > 0.05 during the last 5m: value 0.67'): what the number
    measures is named there."""


@dataclass(frozen=True)
class Number:
    """A number read with its unit; `start`/`end` locate it in its clause."""

    value: float
    unit: str
    bound: Bound
    target: bool
    start: int
    end: int
    text: str


INTEGER = r"\d{1,3}(?:,\d{3})+|\d+"
"""A whole number as alerts write it, with or without thousands separators ('1,180')."""
_PERCENT_WORD = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:percent|per\s?cent|pct)\b", re.IGNORECASE)
_COUNTED_NOUN = (
    r"requests?|calls?|queries|query|attempts?|sign-?ins?|logins?|sessions?|users?|"
    r"customers?|accounts?|payments?|charges?|checkouts?|orders?|purchases?|transactions?|messages?|sends|texts|"
    r"emails?|deliveries|uploads?|writes?|reads?|lookups?|jobs?|builds?|events?|responses?|api calls?|"
    r"page ?views?|page loads?|submissions?"
)
_COUNTED = rf"(?=\s+(?:[\w.-]+\s+){{0,3}}?(?:{_COUNTED_NOUN})\b)"
_IN_EVERY = re.compile(
    rf"(?<![\w.,])({INTEGER})\s+(?:in|out of)\s+(?:every\s+)?({INTEGER})\b"
    r"(?!\s*(?:ms|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|months?)\b)",
    re.IGNORECASE,
)
"""'4 in 10' is a share; '12 in 15 minutes' is a count in a window, not 80 % of anything."""
_OF_COUNTED = re.compile(
    rf"(?<![\w.,])({INTEGER})\s+(?:of|/)\s+(?:every\s+|all\s+)?({INTEGER})\b{_COUNTED}", re.IGNORECASE
)
_COUNT_AFTER_NOUN = re.compile(
    rf"(?P<lead>\b(?!attempts?\b)(?:{_COUNTED_NOUN})\b"
    r"(?:\s+(?:in|over|during|within|for) (?:the )?(?:last |past )?(?:\d+\s*)?(?:s|m|h|d|secs?|seconds?|mins?|minutes?|"
    r"hrs?|hours?|days?|window|period)\b)?(?:\s*[:=]\s*|\s+))"
    rf"(?P<n>{INTEGER})\s+(?:of|out of)\s+(?P<m>{INTEGER})(?![\w,.]*\d)"
    r"(?=\s*(?:$|[.,;:)(\]|]|\b(?:in|over|during|within|since|for|today|this|last|per)\b))",
    re.IGNORECASE,
)
"""'Successful payments in the last 10m: 0 of 412', 'failed uploads: 2 out of 1,000': the count's noun right before
it (a window between them at most), so the count is a share of it. Not a count followed by its own unit ('6 of 310
hosts'), nor one whose noun is further back ('Checkout ALB healthy hosts: 1 of 3', 'job failed at step 2 of 3'), nor
an attempt counter ('failed login attempts 5 of 5': one account's tries)."""
_SHARE_WORDS = {
    "half": 50,
    "a third": 33,
    "one third": 33,
    "two thirds": 67,
    "a quarter": 25,
    "one quarter": 25,
    "three quarters": 75,
}
_SHARE_WORD = re.compile(
    r"\b(?:(?:nearly|almost|about|around|roughly|over|more than|some)\s+)?(half|a third|one third|two thirds|a quarter|"
    r"one quarter|three quarters)\b(?:\s*\([^)]*\))?(?=\s+(?:of|the|all)\b)",
    re.IGNORECASE,
)
_HALVED = re.compile(r"\bhalved\b", re.IGNORECASE)
_PERCENT_RANGE = re.compile(
    r"\bbetween\s+(\d+(?:\.\d+)?)\s*%?\s*and\s*(\d+(?:\.\d+)?)\s*%|"
    r"(?<!from )(?<![\w.%])(\d+(?:\.\d+)?)\s*%?\s*(?:-|–|—|to)\s*(\d+(?:\.\d+)?)\s*%",
    re.IGNORECASE,
)
"""'10-20%', '10% to 20%', 'between 10 and 20%': a range is read at its middle, the best single estimate;
'from 2% to 40%', 'jumped 2% to 40%' are a change, not a range."""


_CHANGE = re.compile(
    r"\b(?:from|rose|rising|risen|jump\w*|climb\w*|increas\w*|grew|grow\w*|went|fell|fall\w*|drop\w*|decreas\w*|"
    r"spik\w*|up|down)\b[^.;]{0,20}$",
    re.IGNORECASE,
)


def _middle(match: re.Match[str]) -> str:
    low, high = (float(x) for x in (match.group(1, 2) if match.group(1) else match.group(3, 4)))
    before = match.string[max(0, match.start() - 30) : match.start()]
    if low >= high or " to" in match.group(0).lower() and _CHANGE.search(before):
        return match.group(0)  # 'jumped 2% to 40%': a change, not a range
    return f"{(low + high) / 2:g}%"


def _as_share(n: str, m: str) -> str | None:
    part, whole = int(n.replace(",", "")), int(m.replace(",", ""))
    return f"{100 * part / whole:.3g}%" if whole and part <= whole else None


def normalise(text: str) -> str:
    """One spelling for the forms a share takes: '31 percent' -> '31%', '3,100 of 10,000 requests' and
    '31 in 100 requests' -> '31% of ... requests', 'successful payments: 0 of 412' -> 'successful payments: 0%',
    'half of' -> '50% of', 'halved' -> 'down 50%', '10-20%' -> '15%'. A count of hosts, nodes or regions ('6 of 310
    hosts') is left as it is: the N-of-M reader weighs those."""
    text = _PERCENT_WORD.sub(lambda m: f"{m.group(1)}%", text)
    text = _PERCENT_RANGE.sub(_middle, text)
    text = _COUNT_AFTER_NOUN.sub(
        lambda m: m.group("lead") + s if (s := _as_share(m.group("n"), m.group("m"))) else m.group(0), text
    )
    text = _IN_EVERY.sub(lambda m: f"{s} of" if (s := _as_share(m.group(1), m.group(2))) else m.group(0), text)
    text = _OF_COUNTED.sub(lambda m: f"{s} of" if (s := _as_share(m.group(1), m.group(2))) else m.group(0), text)
    text = _SHARE_WORD.sub(lambda m: f"{_SHARE_WORDS[m.group(1).lower()]}%", text)
    return _HALVED.sub("down 50%", text)


def clean(text: str) -> str:
    """The alert's words without monitor decoration (links, markup, query value dumps), shares in one spelling."""
    text = _LINKS.sub(lambda m: m.group(1) or "", text)
    text = _GRAFANA_VALUES.sub("", text)
    return normalise(_MARKUP.sub("", text))


_A_VALUE = re.compile(r"(?:(?:current |observed |measured |last )?values?|current|observed)\b\W*\d", re.IGNORECASE)


def clauses(text: str, field: str) -> list[Clause]:
    cleaned = clean(text)
    found: list[Clause] = []
    start, heading = 0, ""
    for end in (*_CLAUSE_END.finditer(cleaned), None):
        part = cleaned[start : end.start() if end else len(cleaned)].strip(" ,.()[]")
        if part:
            found.append(Clause(part, field, heading if part[0].isdigit() or _A_VALUE.match(part) else ""))
        heading = part if end is not None and ":" in end.group(0) else ""
        start = end.end() if end else len(cleaned)
    return found


def numbers(text: str) -> Iterator[Number]:
    """Every number in `text` with its unit, threshold bound and whether it is a target."""
    for match in _NUMBER.finditer(text):
        if match.start() > 0 and (text[match.start() - 1].isalnum() or text[match.start() - 1] in "_-/."):
            continue
        before = text[max(0, match.start() - 24) : match.start()]
        sign = (match.group("lt") or "").strip()
        if sign.startswith(">") or _AT_LEAST.search(before):
            bound: Bound = "at_least"
        elif sign.startswith("<") or _AT_MOST.search(before):
            bound = "at_most"
        else:
            bound = "exact"
        unit = (match.group("unit") or "").lower()
        yield Number(
            value=float(match.group("value").replace(",", "")),
            unit="x" if unit == "×" else unit,
            bound=bound,
            target=bool(_TARGET.search(before)),
            start=match.start(),
            end=match.end(),
            text=match.group(0).strip(),
        )


def duration_seconds(number: Number) -> float | None:
    """A duration in seconds, or None when the number has no time unit."""
    unit = number.unit.rstrip("s") if len(number.unit) > 2 else number.unit
    factor = _SECONDS.get(unit)
    return number.value * factor if factor is not None else None


def negated(text: str, start: int, *, hypothetical: bool = True, reach: int = 2) -> bool:
    """Whether a word at most `reach` words before `start` denies what follows ('to avoid data loss',
    'no errors'), or, with `hypothetical`, only supposes it ('would fail'). A reported possibility
    ('may have been exfiltrated') is still a report: exposure readers pass `hypothetical=False`."""
    before = text[max(0, start - 48) : start]
    between = _WORDS_BETWEEN.format(reach=reach)
    if re.search(_DENIAL + between, before, re.IGNORECASE):
        return True
    if re.search(_DENIED_ALTERNATIVE + between, before, re.IGNORECASE):
        return True
    if re.search(_DENIED_SUBJECT, before, re.IGNORECASE):
        return True
    return hypothetical and bool(re.search(_HYPOTHESIS + between, before, re.IGNORECASE))


def name_tokens(value: str) -> list[str]:
    """The words of a name: `Web.AuthController.github_callback/2` -> web, auth, controller, github, callback, 2;
    'sign-in' and 'log in' become one word ('signin', 'login')."""
    joined = _JOINED_VERBS.sub(lambda m: m.group(1) + m.group(2) + m.group(3), value)
    return [token for token in _WORD_SPLIT.split(_CAMEL.sub(" ", joined).lower()) if token]


def quote(text: str, start: int, end: int, *, margin: int = 40) -> str:
    """The words around a match, trimmed to whole words, for evidence."""
    left = max(0, start - margin)
    right = min(len(text), end + margin)
    snippet = text[left:right]
    if left > 0 and " " in snippet:
        snippet = snippet.split(" ", 1)[1]
    if right < len(text) and " " in snippet:
        snippet = snippet.rsplit(" ", 1)[0]
    return snippet.strip()
