"""What the source and warroom's own counting say: the source's label, the volume, the state words.

The label (`critical`, `warning`, PagerDuty `P2`, urgency `high`) is what the monitor's author
thought when they wrote the rule, not what is happening now: one signal among the others. Volume
is what warroom counted: events and distinct users, and the window they came in. One delivery
that carries a count (a Sentry issue with `count: 57`) has no window, so it has no rate; a rate
stated by the monitor ("1000 events in the last 10 minutes") has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from agents.cto.signals.facts import SourceLabel, State, StateKind, Volume
from agents.cto.signals.text import (
    CAPACITY_CHECK,
    PEERS_NEAR_ZERO,
    SERVER_ERROR,
    WHOLE_FLEET,
    Clause,
    negated,
    numbers,
    quote,
)
from warroom.severity import Severity

__all__ = ["HINTS", "read_label", "read_states", "read_volume"]

HINTS: dict[str, Severity] = {
    "fatal": Severity.P1,
    "critical": Severity.P1,
    "p1": Severity.P1,
    "page": Severity.P1,
    "sev1": Severity.P1,
    "p0": Severity.P0,
    "sev0": Severity.P0,
    "emergency": Severity.P0,
    "error": Severity.P2,
    "p2": Severity.P2,
    "sev2": Severity.P2,
    "major": Severity.P2,
    "high": Severity.P2,
    "warning": Severity.P3,
    "warn": Severity.P3,
    "low": Severity.P3,
    "info": Severity.P3,
    "p3": Severity.P3,
    "sev3": Severity.P3,
    "p4": Severity.P3,
    "p5": Severity.P3,
    "minor": Severity.P3,
    "none": Severity.P3,
    "success": Severity.P3,
}
_STATES: list[tuple[StateKind, re.Pattern[str]]] = [
    (
        StateKind.DOWN,
        re.compile(
            r"\bdown\b(?! \d)(?! from\b)|\bunreachable\b|\bunavailable\b|\boffline\b|(?<!partial )\boutage\b|\bnot accepting\b|"
            r"\bcannot be reached\b|\bcan't be reached\b|\bno healthy\b|\b0 healthy\b|\blost quorum\b|\bno leader\b|"
            r"\bno primary\b|\brefus\w* (?:all )?writes\b|\bhalted\b|\bpowered down\b|\bpower (?:loss|lost)\b|"
            r"\bcrash[- ]?loop\w*|\brestarting in a loop\b|\bhung\b|\bstuck\b(?! (?:in|on) (?:the )?(?:queue|backlog)\b)|\bwon't boot\b|\bfail\w* to boot\b|"
            r"\bcannot elect\b|\bunresponsive\b|\b(?:connectivity|connection|network) (?:lost|down)\b|"
            r"\blost (?:all )?(?:connectivity|network|connection)\b|\bno (?:network )?connectivity\b|\bnot (?:sending|serving|responding)\b|\bno successful\b|\bread[- ]only\b|\bsite not found\b|"
            r"\bnot (?:reachable|available|resolving)\b|\bstopped (?:responding|serving|reporting|answering)\b|\bwent dark\b|"
            r"\bblack-?holed\b|\bzero (?:throughput|traffic)\b|"
            r"\b(?:probe_success|up|success(?:_rate| rate)?|availability)\s*(?:==|=|is|at|:)\s*0(?:\.0+)?(?!\.?\d)%?|"
            r"\b(?:0|zero|none) of (?:the )?[\d,]+ (?:[\w/-]+ ){0,4}?(?:succeeded|successful|succeeding|passed|passing|"
            r"healthy|completed|reachable|responding)\b|"
            r"\bno (?!(?:new )?(?:errors?|issues?|problems?|alerts?|failures?|impact|anomal\w*|warnings?)\b)[\w /-]{1,30}? anywhere\b",
            re.IGNORECASE,
        ),
    ),
    (
        StateKind.FAILING,
        re.compile(
            rf"\bfail\w*|\berrors?\b|\b5xx\b|{SERVER_ERROR}|\breject\w*|\btimeouts?\b|\btim(?:ing|ed) out\b|\bexception\b|"
            r"\bpanic\b|\bbugcheck\b|\btimes? out\b|\breturn(?:s|ing)? (?:[45]\d\d|errors?)\b|\bcrash\w*|\brefused\b|\bservfail\b|\bcannot\b|\bcan't\b|\bunable\b|\bbroken\b|"
            r"\bnot (?:loading|working|delivered|processed)\b|\bblue[- ]?screen\w*|\bbsod\b|\bkernel panic\w*|"
            r"\bstopped (?:reporting|responding|working|serving|processing|sending)\b|\b(?:are|is|were|was) [45]\d\ds?(?=\s*(?:$|[.,;:)]|(?:for|to|on|from|since|in|at|with|errors?|responses?)\b))|\berroring\b|\berror(?:ed|s)? out\b|\b[45]\d\ds\b",
            re.IGNORECASE,
        ),
    ),
    (
        StateKind.DEGRADED,
        re.compile(
            r"\bdegraded\b|\belevated\b|\bslow\w*|\blatency\b|\bthrottl\w*|\bpacket loss\b|\brebuffer\w*|\bflapping\b|"
            r"\bcongest\w*|\bintermittent\w*|\bunhealthy\b|\bsteal\b",
            re.IGNORECASE,
        ),
    ),
    (
        StateKind.DELAYED,
        re.compile(
            r"\blag\w*|\bdelay\w*|\bbacklog\w*|\bqueue age\b|\bbehind\b|\bpending\b(?! sectors?\b)|\bbacking up\b|\blate\b|\bnot draining\b|"
            r"\bqueued\b|\bnot started within\b|\bstuck (?:in|on) (?:the )?(?:queue|backlog)\b|"
            r"\boldest (?:[\w-]+ )?(?:is |at |age )?\d+(?:\.\d+)?\s*(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)\b",
            re.IGNORECASE,
        ),
    ),
    (
        StateKind.AT_RISK,
        re.compile(
            r"\bwill\b|\bexpir(?:e|es|ing|y|ation)\b|\bpredicted\b|\bforecast\w*|\bapproaching\b|\bdeprecat\w*|\bheadroom\b|\bquota\b|"
            r"\busage above\b|\bdistrust\w*|\bwarning\b|\butili[sz]\w*|\b(?:to|until|before) (?:it )?(?:overflows?|wraps?|"
            r"exhaustion|full|runs? out)\b",
            re.IGNORECASE,
        ),
    ),
]
_STATED_RATE = re.compile(
    r"\b(?P<count>\d[\d,]*)\s+(?:events|errors|failures|exceptions|occurrences)\s+(?:in|per)\s+(?:the\s+)?(?:last\s+|past\s+)?"
    r"(?P<span>\d+)?\s*(?P<unit>minutes?|mins?|hours?|hour|seconds?)\b",
    re.IGNORECASE,
)


def read_label(level: str | None) -> SourceLabel | None:
    hint = HINTS.get((level or "").lower())
    if hint is None or level is None:
        return None
    return SourceLabel(label=level, points_to=hint, quote=level, field="level")


_SAID_NORMAL = re.compile(
    r"^(?:\s+(?:rates?|ratios?|levels?|counts?|percentiles?))?(?:\s+and\s+[\w-]+(?:\s+(?:rates?|ratios?))?)?\s*"
    r"(?:is |are |was |were |remain |remains |stay |stays )?"
    r"(?:(?:normal|nominal|ok|fine|healthy)\b|(?:unchanged|flat|stable)\b(?!\s+(?:at|around|near|above|over|since)\b)|"
    r"within (?:the |its )?(?:slo|sla|target|threshold|budget|normal|expected|usual|limits?|bounds)\b)",
    re.IGNORECASE,
)
"""'latency normal', 'error rate unchanged': the measure is named to say it is fine, not that it is bad."""
_CLAUSE_SAID_NORMAL = re.compile(
    r"^[^.;,]{0,60}?\s(?:is |are |remain |remains |stay |stays )?(?:within (?:the |its )?(?:normal|expected|usual) "
    r"(?:range|bands?|limits|bounds)|normal|nominal)\W*$",
    re.IGNORECASE,
)
"""'CPU steal and proxy latency for machines on these hosts within normal range': the clause names its measures to
say they are fine, however many words stand between."""


_PEER_FIGURE_REACH = 16
"""How far after the peers' figure its measure word may stand ('< 0.1% 5xx errors')."""


def _of_peers(text: str, peers: tuple[int, int], at: int) -> bool:
    """Whether the state word at `at` belongs to the peers' figure: inside it, or its measure word right after it
    ('< 0.1% errors'), not another place's state after a comma ('Other regions 0.2%, us-east-1 down')."""
    start, end = peers
    return start <= at <= end or end < at <= end + _PEER_FIGURE_REACH and not re.search(r"[,;]", text[end:at])


_FUTURE_ONSET = re.compile(
    r"\s+(?:would|will)\s+(?:only\s+)?(?:start|begin)\b[^.;]{0,60}?\b(?:after|when|once|if|at \d|on \d|in \d)", re.I
)
"""'failures would start after the roll': a failure foreseen, not one under way."""


def read_states(parts: Iterable[Clause]) -> list[State]:
    found: list[State] = []
    parts = list(parts)
    capacity = any(CAPACITY_CHECK.search(clause.text) for clause in parts)
    for clause in parts:
        for match in WHOLE_FLEET.finditer(clause.text):
            if match.group("state").lower() == "critical" and capacity:
                continue  # 'all kafka hosts critical: disk usage 86%': a capacity check on every host, not all down
            found.append(State(kind=StateKind.DOWN, quote=quote(clause.text, *match.span()), field=clause.field))
        peers = [m.span() for m in PEERS_NEAR_ZERO.finditer(clause.text)]
        for kind, pattern in _STATES:
            for match in pattern.finditer(clause.text):
                rest = clause.text[match.end() :]
                if _SAID_NORMAL.match(rest) or _CLAUSE_SAID_NORMAL.match(rest) or _FUTURE_ONSET.match(rest):
                    continue
                if any(_of_peers(clause.text, span, match.start()) for span in peers):
                    continue  # 'Other 6 regions < 0.1% errors': the peers' noise, not a failure
                if not negated(clause.text, match.start()):
                    found.append(State(kind=kind, quote=quote(clause.text, *match.span()), field=clause.field))
    return found


def read_volume(events: int, users: int, first_seen: datetime, last_seen: datetime, parts: Iterable[Clause]) -> Volume:
    """Counted volume, with a rate only when there is a window: the deliveries' spread, or the monitor's own words."""
    span = (last_seen - first_seen).total_seconds() / 60
    minutes = max(span, 1.0) if span > 0 else None
    rate = events / minutes if minutes else None
    for clause in parts:
        match = _STATED_RATE.search(clause.text)
        if match is None or any(n.bound == "at_least" and n.start == match.start() for n in numbers(clause.text)):
            continue
        count = float(match.group("count").replace(",", ""))
        unit = match.group("unit").lower()
        per = float(match.group("span") or 1) * (
            60 if unit.startswith("hour") else 1 / 60 if unit.startswith("sec") else 1
        )
        stated = count / per
        if rate is None or stated > rate:
            return Volume(
                events=events,
                users=users,
                minutes=per,
                per_minute=stated,
                stated=True,
                quote=quote(clause.text, *match.span()),
                field=clause.field,
            )
    return Volume(
        events=events,
        users=users,
        minutes=minutes,
        per_minute=rate,
        quote="",
        field="volume",
    )
