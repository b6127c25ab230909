"""Shares and rates in every form an alert states them.

A percentage or a ratio means nothing alone: "48%" is an error ratio beside "5xx", an
availability beside "uptime", a saturation beside "disk", what is left of normal traffic beside
"of normal". Each number takes the meaning of the nearest measure word in its clause, so "5xx
ratio 1.0", "error rate 0.48", "48% of requests failing", "HTTP 530 on 1.9% of requests",
"availability 97.2%", "success ratio 0.972", "orders/min down 80%", "6 of 310 hosts failing",
"error budget burn rate 14.4x (SLO 99.9%)" and "Apdex 0.42" all become typed facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from agents.cto.signals.facts import Availability, FailingShare, Saturation, Throughput
from agents.cto.signals.text import SERVER_ERROR, STATUS_CODE, Clause, Number, negated, numbers, quote

__all__ = ["Measures", "measure_class", "read_measures"]

_RESOURCE_WORDS = "memory|mem|ram|disk|space|storage|capacity|inodes"
"""What 'available' can be of besides the service: a resource, whose available share is what is left of it."""
_CLASSES: dict[str, re.Pattern[str]] = {
    "crash_free": re.compile(r"\bcrash[- ]free\b", re.IGNORECASE),
    "success": re.compile(
        r"availability(?![- ]zone)|uptime|succe\w+|non-5xx|\b2xx\b|healthy|apdex|served ok|(?<=%\s)passing\b|"
        r"(?<![a-z])(?<!mem[ _.])(?<!memory[ _.])(?<!disk[ _.])(?<!space )(?<!storage )(?<!inodes )(?<!nodefs\.)"
        rf"available(?![ _](?:{_RESOURCE_WORDS}|headroom|bytes)\b)|"
        r"\b(?:answer|respond|resolv|complet|succeed)(?:s|es|ed|ing|e)?(?: to)?\s+(?:only|just)\s+(?=\d+(?:\.\d+)?\s*%\s+of\b)|"
        r"\b(?:checks?|tests?|probes?|assertions?)\s+(?:are\s+|were\s+)?passing\b|"
        r"(?<!not )(?<!never )\baccepted\b|"
        r"(?<!not )(?<!never )(?<!n't )\b(?:delivered|arrived|got through|reached (?:the |their |its )?(?:receiving|"
        r"recipient|destination|remote|other end|inbox))\b"
        r"(?!\s+(?:late|with (?:a )?delay|delayed|slowly|twice|out of order|more than once|to the wrong|"
        r"to (?:the )?(?:spam|junk)|with errors?))",
        re.IGNORECASE,
    ),
    "burn": re.compile(r"burn(?:ing)?(?:\s+rate)?", re.IGNORECASE),
    "saturation": re.compile(
        r"\bcpu\b|memory|\bmem\b|(?<![a-z])mem_?available|\bdisk\b|volume|storage|quota|utili[sz]\w*|usage|\bused\b|\bfull\b|"
        r"pool|capacity|"
        r"\bsteal\b|(?<![\w.])load(?![\w.])(?! ?balanc)|saturat\w*|headroom|\binodes?\b|\bheap\b|connections?\b|\bidle\b",
        re.IGNORECASE,
    ),
    "throughput": re.compile(
        r"of (?:the )?(?:normal|usual|baseline|expected|typical)|throughput|\btraffic\b|per (?:minute|second)|/min\b|/s\b|"
        r"\brpm\b|\brps\b|draining|\bdown\b(?= *\d)",
        re.IGNORECASE,
    ),
    "slow": re.compile(
        r"slower than|(?:over|above|exceed\w*|breach\w*) (?:the |its )?(?:slo|objective)|rebuffer\w*|"
        r"frustrated",
        re.IGNORECASE,
    ),
    "failing": re.compile(
        rf"errors?|\berr\b|5xx|4xx|{STATUS_CODE}|fail\w*|timeouts?|timing out|timed out|time out|reject\w*|refus\w*|"
        r"servfail|\banrs?\b|unreachable|unresponsive|\blost\b|\bloss\b|drop\w*|crash(?![- ]free)\w*|not (?:being )?scheduled|stuck|\bqueued\b|unhealthy|"
        r"\bwaiting\b|\bpending\b|\bdelayed\b|"
        r"denied|abort\w*|throttl\w*|unavailable|\bdown\b|broken|not (?:sent|delivered|processed|working)|"
        r"stopped (?:reporting|responding|working|serving|processing|sending)|blue[- ]?screen\w*|\bbsod\b|"
        r"can(?:no|')t|\b(?:technical|processor|system)[- ]declin(?:es|e rate|e ratio)\b",
        re.IGNORECASE,
    ),
}
_UNIT = re.compile(
    r"^\s*(?:of\s+)?(?:(?:all|the|its|new|our|[\w/.*-]+)\s+){0,3}?(?P<unit>requests?|queries|query|calls?|users?|customers?|"
    r"accounts?|orgs?|organi[sz]ations?|tenants?|sessions?|hosts?|instances?|servers?|nodes?|pods?|replicas?|pops|"
    r"locations?|regions?|zones?|jobs?|builds?|sign-?ins?|logins?|checks?|lookups?|viewers?|clusters?|machines?|"
    r"deliveries|messages?|sends|orders?|payments?|transactions?|uploads?|devices?|endpoints?|sensors?|agents?|workers?|shards?|packets?|"
    r"events?|writes?|reads?|charges?|checkouts?|purchases?|responses?)\b",
    re.IGNORECASE,
)
_RATIO_CUE = re.compile(
    r"(?:ratio|rate|share|current(?: value)?|currently|now|value|is|was|=|of|at|failures|errors|5xx|-wide|overall|"
    r"success|availability)\s*:?\s*\(?$",
    re.IGNORECASE,
)
_ASIDE = re.compile(
    r"\((?![^()]*(?:/|\bper\b|\b(?:hours?|days?|mins?|minutes?|secs?|seconds?|count)\b))[^()]*\)\s*$", re.IGNORECASE
)
"""'success (edge logs + RUM beacons) 0.78': an aside between the measure and its value; not a unit ('error rate
(errors/sec) 0.8', 'uptime (hours) 0.2'), which says the number is not a share."""
_OVERALL = re.compile(r"(?:\b\w+-wide|\boverall|\bin total|\bacross (?:the )?\w+)\s*:?\s*\(?$", re.IGNORECASE)
"""'shard-wide 0.039', 'overall 2%': the share of the whole, beside a share measured on one part of it."""
_RATE_AFTER = re.compile(
    r"\s*(?:(?:failure|error|success|crash|crash-free|timeout|5xx)\s+)?(?:rate|ratio)\b", re.IGNORECASE
)
"""'0.031 failure rate in the last 10 minutes': Sentry's metric alerts put the value before its aggregate."""
_SUCCESS_RATE = re.compile(r"\bsuccess (?:rate|ratio)\s*$", re.IGNORECASE)
"""'payment success rate: 0.31': a decimal the colon cut from its rate is that rate. A bare 'job success: 0.0' is not
one (a job's or a pipeline's outcome, not requests)."""
_OF_AFTER = re.compile(r"\s*of\s+(?:the\s+|all\s+|its\s+)?[a-z]", re.IGNORECASE)
"""'0.45 of attempts': a decimal share of something counted."""
_SHARE_OF_FAILING = re.compile(
    r"\s*of\s+(?:all\s+|the\s+|its\s+)?(?:[\w/.-]+\s+){0,3}?(?:fail\w*|error\w*|time[sd]? out|timing out|5xx|"
    r"reject\w*|unreachable|not (?:responding|reachable|served|delivered))\b",
    re.IGNORECASE,
)
"""'50% of all HTTP traffic erroring': the share is of what fails, whatever measure word sits nearer ('traffic')."""
_OF_THE_FAILURES = re.compile(
    r"\s*(?:of|among)\s+(?:all\s+|the\s+|those\s+|these\s+)?(?:failures|errors|exceptions|failed requests|"
    r"failing requests|5xxs?|5xx (?:responses|errors))\b",
    re.IGNORECASE,
)
"""'97% of failures', 'among the errors': a share of the failures (which status, which client), not of the traffic."""
_N_OF_M = re.compile(
    r"\b(?P<n>\d+)(?:\s+(?:of|out of)\s+|\s*/\s*)(?P<m>\d+)\s+(?P<unit>(?:[\w-]+\s+){0,3}?(?:hosts?|instances?|servers?|nodes?|"
    r"pods?|replicas?|pops|locations?|regions?|zones?|members?|shards?|workers?|machines?|clusters?|"
    r"data ?cent(?:er|re)s?|probes?|checks?))\b",
    re.IGNORECASE,
)
_EVERY = re.compile(
    r"\b(?:every|all)\s+(?:of\s+the\s+)?(?:[\w.-]+\s+){0,3}?(?P<unit>requests?|calls?|queries|writes?|inserts?|saves?|"
    r"uploads?|sign-?ins?|logins?|payments?|checkouts?|orders?|builds?|deliveries|lookups?|checks?|probes?|"
    r"api calls?|page loads?|purchases?|attempts?|sessions?|launch(?:es)?|jobs?|renders?|[a-z][\w-]*[a-rt-z]s)\b(?:[^.;]|\.(?=\w)){0,40}?"
    r"\b(?P<verb>fail\w*|return(?:s|ing)? (?:5\d\d|4\d\d|an? error)|"
    rf"reject\w*|error\w*|time(?:s|d)? out|refused|{SERVER_ERROR}|crash\w*|unavailable)",
    re.IGNORECASE,
)
_FOR_EVERY = re.compile(
    rf"\b(?:fail\w*|return(?:s|ing)? (?:5\d\d|4\d\d|an? error)|reject\w*|{SERVER_ERROR}|error\w*|time(?:s|d)? out)\b[^.;]{{0,30}}?"
    r"\bfor (?:all|every)\s+(?:[\w.-]+\s+){0,2}?(?P<unit>requests?|calls?|queries|writes?|uploads?|sign-?ins?|logins?|"
    r"payments?|checkouts?|orders?|builds?|deliveries|users?|customers?|attempts?|purchases?)\b",
    re.IGNORECASE,
)
_VERB_ALL = re.compile(
    r"\b(?:reject\w*|declin\w*|fail\w* on|block\w*|drop\w*|refus\w*|timing out on|time(?:s|d)? out on)\s+(?:all|every)\s+"
    r"(?:[\w.-]+\s+){0,2}?(?P<unit>[a-z][\w-]*[a-rt-z]s|requests?|calls?|logins?|payments?|transactions?|connections?)\b",
    re.IGNORECASE,
)
_NO_SUCCESS = re.compile(
    r"\bno (?:successful|2xx) (?:requests?|responses?)|\b0 healthy\b|\bzero successful\b", re.IGNORECASE
)
_DROP = re.compile(
    r"\b(?:down|dropped|drop(?:ped)? by|fell|fallen|decreased|declined|lower)\s+(?:by\s+)?(?P<pct>\d+(?:\.\d+)?)\s*%",
    re.IGNORECASE,
)
_DROP_FROM = re.compile(
    r"\b(?:fell|fallen|dropped|down|declined|decreased|collapsed|plunged)\s+from\s+~?(?P<was>\d[\d,]*(?:\.\d+)?)(?P<was_x>(?-i:[kKM]))?\s*"
    r"(?:[a-z/]+\s+)?to\s+~?(?P<now>\d[\d,]*(?:\.\d+)?)(?P<now_x>(?-i:[kKM]))?(?!\s*(?:%|ms|s|m|h|sec|seconds?|minutes?|min|hours?)\b)",
    re.IGNORECASE,
)
"""'accepted events/s fell from 410,000 to 1,200': what is left of the work, as a share of what it was."""
_SCALE = {"k": 1e3, "K": 1e3, "M": 1e6}
_RATE_NOW = (
    r"(?P<now>\d[\d,]*(?:\.\d+)?)(?P<now_x>(?-i:[kKM]))?\s*/\s*(?P<per>\d*\s*(?:min|m|s|sec|h|hr|hour|minute))\b"
)
_BASELINE = r"(?:baseline|normal|usual|typical|expected|same (?:hour|time|day) last week|last week|yesterday)"
_AGAINST_BASELINE = [
    re.compile(
        rf"{_RATE_NOW}(?:\s+(?:for|over)\s+\d+\s*(?:m|mins?|minutes?|h|hours?)\b)?\s*[(,]?\s*(?:(?:vs\.?|versus|against)\s+)?"
        rf"(?:(?:a|the|its)\s+)?(?:\d+[dhwm]\s+)?{_BASELINE}\s*(?:of|:|=|is|was)?\s*~?"
        r"(?P<was>\d[\d,]*(?:\.\d+)?)(?P<was_x>(?-i:[kKM]))?",
        re.IGNORECASE,
    ),
    re.compile(
        rf"{_RATE_NOW}\s+(?:vs\.?|versus|against)\s+~?(?P<was>\d[\d,]*(?:\.\d+)?)(?P<was_x>(?-i:[kKM]))?\s*/\s*(?P=per)\s*"
        rf"\(?\s*{_BASELINE}",
        re.IGNORECASE,
    ),
]
"""'sends 0/min (baseline 41,000/min)', 'accepted 31/10m vs 59/10m baseline', 'sends 12/min for 15m (7d baseline 480/min)':
a rate beside what it normally is."""
_ZERO_BESIDE_BASELINE = re.compile(
    rf"(?<![\d.,])0(?:\.0+)?\s*/\s*(?:min|m|s|sec|h|hr|hour|minute)\b[^.;]{{0,40}}?\b(?:\d+[dhwm]\s+)?{_BASELINE}\b",
    re.IGNORECASE,
)
"""'inserted: 0/min for 15m (7d baseline for Sunday 16:00 ET: 480/min)': none of a rate that has a baseline is left,
whatever the baseline's figure and wherever the alert puts it."""
_BELOW_BASELINE = re.compile(
    rf"\b(?P<pct>\d+(?:\.\d+)?)\s*%\s+(?:below|under|lower than|beneath)\s+(?:the\s+|its\s+)?(?:[\w-]+\s+)?{_BASELINE}",
    re.IGNORECASE,
)
"""'egress 62% below the 1h baseline': what is left is the rest of the baseline."""
_EXPECTED = re.compile(
    r"\bexpected (?:dip|drop|decline|decrease|fall|lull)\b|"
    r"\b(?:dip|drop|decline|decrease|fall|lull)\s+(?:is |was )?(?:as )?expected\b|"
    r"\bexpected after the (?:promo\w*|campaign|sale|event|launch|holiday\w*)\b|\bseasonal\w*",
    re.IGNORECASE,
)
"""A fall the alert itself says was foreseen ('expected after the promo ended', 'a seasonal dip'): none of its
throughput readings is a collapse. Only words about the dip count: 'recovery is expected in 20 minutes', 'did not
work as expected' or a holiday sale say nothing of the kind, and maintenance is how many outages start."""
_NOT_WORK = re.compile(
    rf"\berr\w*|5xx|4xx|\b[45]\d\ds\b|{STATUS_CODE}|fail\w*|retr\w*|throttl\w*|reject\w*|timeouts?|exception\w*|crash\w*|"
    r"declin\w*|drop\w*|evict\w*|dead[- ]letter\w*|\bslow\w*|latenc\w*|\blag\w*|backlog\w*|\bqueue\w*|\bwait\w*|"
    r"duration\w*|\bp\d\d\b|\bpackets?\b|\b(?:pods?|nodes?|replicas?|hosts?|instances?|connections?)\b",
    re.IGNORECASE,
)
"""What falling is a recovery (errors, retries, throttling, exceptions, slow queries, latency, backlogs) or capacity
(pods, hosts): not work done."""
_CLAUSE_JOIN = re.compile(r"\b(?:and|while|but|whereas)\b", re.IGNORECASE)
"""'Ingress pods restarted and requests/s fell from 12,000 to 300': what fell is in the clause with the verb. Only
a conjunction starts that clause: a comma may sit inside a number or around an aside ('errors/min, after the
rollback, fell from 2,300 to 40')."""
_ZERO = re.compile(
    r"\b(?:zero|no|0)\s+(?:new\s+)?(?:orders?|payments?|transactions?|checkouts?|sign-?ups?|requests?|traffic|throughput|"
    r"events? (?:received|processed)|messages? (?:sent|processed|delivered))\b(?!\s+(?:errors?|failures?|fail\w*|timeouts?|latency|impact|"
    r"issues?|problems?|loss|drops?|changes?|anomal\w*|spikes?|alerts?|rejections?|retries))"
    r"(?!(?:\s+(?:or|and|nor)\s+[\w-]+)?(?:\s+[\w-]+)?\s+(?:(?:were|was|are|is|have been|has been|"
    r"had been|got|being)\s+)?(?:\w+ly\s+)?(?:lost|rejected|affected|impacted|dropped|failed|missed|missing|declined|"
    r"duplicated|corrupted|errored|blocked|throttled|stuck|delayed|double[- ]charged|charged twice)\b)|"
    r"\b(?:dropped|fell|fallen|down|declined) to (?:near[- ]|almost |nearly )?(?:zero|0)\b|\bthroughput (?:dropped |fell )?to (?:zero|0)\b",
    re.IGNORECASE,
)
_ZERO_RATE = re.compile(
    r"\b(?:throughput|tps|rps|qps)\s*(?:is |at |of |=\s*|:\s*)?(?:zero|0)(?:\.0+)?(?![.,]\d)(?!\s*%)\b", re.IGNORECASE
)
"""'throughput 0 tx/min', 'rps = 0.0': a rate at zero; not '0% below baseline', and not when the words before it
name errors or retries ('5xx rps 0', `_of_work`)."""


@dataclass
class Measures:
    shares: list[FailingShare]
    availability: list[Availability]
    throughput: list[Throughput]
    saturation: list[Saturation]
    burn_rates: list[tuple[float, float | None, str, str]]
    """(factor, SLO target percent or None, quote, field)"""
    apdex: list[tuple[float, str, str]]
    slow_shares: list[tuple[float, str, str]]


def _gap(match: re.Match[str], number: Number) -> int | None:
    """Characters between a word and a number, or None when they overlap."""
    if match.end() <= number.start:
        return number.start - match.end()
    if match.start() >= number.end:
        return match.start() - number.end
    return None


_NAMED_RATIO = re.compile(r"\b(?:ratio|rate)\s*[:=]?\s*$", re.IGNORECASE)
_NEXT_ITEM = re.compile(r"[,;]\s")
"""'crash-free users 99.2%, ANR rate 2.1%': a measure word after a comma names the next figure, not this one."""


def measure_class(clause: str, number: Number) -> str | None:
    """The measure a number belongs to: the measure word nearest to it in its clause. A number right after 'ratio'
    or 'rate' ('5xx ratio 0.96, db connection wait ...') belongs to the words before it, and a word past the next
    comma to the next figure."""
    best: tuple[int, str] | None = None
    named_before = _NAMED_RATIO.search(clause[max(0, number.start - 12) : number.start]) is not None
    for name, pattern in _CLASSES.items():
        for match in pattern.finditer(clause):
            distance = _gap(match, number)
            if distance is None or name == "failing" and negated(clause, match.start()):
                continue
            if match.start() >= number.end and (
                named_before and name != "throughput" or _NEXT_ITEM.search(clause[number.end : match.start()])
            ):
                continue
            if best is None or distance < best[0]:
                best = (distance, name)
    return best[1] if best else None


def _under_heading(clause: Clause, number: Number) -> tuple[str, Number]:
    """The clause with the clause before its colon put back in front, and the number moved to match."""
    shift = len(clause.heading) + 2
    return f"{clause.heading}: {clause.text}", replace(number, start=number.start + shift, end=number.end + shift)


def _measure(clause: Clause, number: Number) -> str | None:
    """The measure of a number, read from the clause before the colon when its own clause names none."""
    kind = measure_class(clause.text, number)
    if kind is None and clause.heading:
        kind = measure_class(*_under_heading(clause, number))
    return kind


def _unit(clause: str, number: Number) -> str:
    match = _UNIT.match(clause[number.end :])
    return match.group("unit").lower() if match else "requests"


_TARGET_AFTER = re.compile(
    r"\s*(?:(?:availability|error|errors|error-rate|latency|alert|alerting|uptime|success|warning|critical|paging)[ -])?"
    r"(?:threshold|slo|sla|objective)\b",
    re.IGNORECASE,
)
"""'above the 5% threshold', 'against a 99.9% availability SLO': the figure named a target right after it, not a
measure. Not 'error rate 12.3% exceeds threshold' or 'availability 97.2% below SLO': a verb between them says the
figure is the measure."""


def _as_percent(clause: str, number: Number) -> float | None:
    """A percentage, or a ratio in 0..1 written as a decimal after a cue ('ratio 1.0', 'current 0.41')."""
    if number.target or _TARGET_AFTER.match(clause[number.end :]):
        return None
    if number.unit == "%":
        return number.value if number.value <= 100 else None
    if number.unit or not 0 <= number.value <= 1 or "." not in number.text:
        return None
    before = _ASIDE.sub("", clause[max(0, number.start - 80) : number.start])[-16:]
    if _RATIO_CUE.search(before) or _RATE_AFTER.match(clause[number.end :]):
        return number.value * 100
    return number.value * 100 if _OF_AFTER.match(clause[number.end :]) else None


def read_measures(parts: Iterable[Clause]) -> Measures:
    found = Measures([], [], [], [], [], [], [])
    alert = list(parts)
    foreseen = any(_EXPECTED.search(clause.text) for clause in alert)
    for clause in alert:
        text = clause.text
        for number in numbers(text):
            _read_number(found, clause, number)
        for match in _N_OF_M.finditer(text):
            n, m = int(match.group("n")), int(match.group("m"))
            probe = Number(n, "", "exact", False, match.start(), match.end(), match.group(0))
            if m and n <= m and measure_class(text, probe) == "failing":
                found.shares.append(
                    FailingShare(
                        share=n / m,
                        unit=match.group("unit").lower(),
                        measure=f"{n} of {m}",
                        quote=quote(text, match.start(), match.end()),
                        field=clause.field,
                    )
                )
        for match in (*_EVERY.finditer(text), *_FOR_EVERY.finditer(text), *_VERB_ALL.finditer(text)):
            verb = match.start("verb") if "verb" in match.re.groupindex else match.start()
            if not negated(text, match.start()) and not negated(text, verb):  # 'all volumes online, no disks failed'
                found.shares.append(
                    FailingShare(
                        share=1.0,
                        unit=match.group("unit").lower(),
                        measure="every one failing",
                        quote=quote(text, match.start(), match.end()),
                        field=clause.field,
                    )
                )
        for match in _NO_SUCCESS.finditer(text):
            found.availability.append(Availability(percent=0, quote=match.group(0), field=clause.field))
        if foreseen:
            continue  # 'down 70% vs yesterday, expected after the promo ended': a dip the team foresaw
        for match in _DROP.finditer(text):
            remaining = max(0.0, 1 - float(match.group("pct")) / 100)
            found.throughput.append(
                Throughput(remaining=remaining, quote=quote(text, match.start(), match.end()), field=clause.field)
            )
        for match in _DROP_FROM.finditer(text):
            was, now = _amount(match, "was"), _amount(match, "now")
            if 0 <= now < was and _CLASSES["throughput"].search(text[: match.end()]) and _of_work(text, match):
                found.throughput.append(
                    Throughput(remaining=now / was, quote=quote(text, match.start(), match.end()), field=clause.field)
                )
        against_baseline = [m for pattern in _AGAINST_BASELINE for m in pattern.finditer(text)]
        for match in against_baseline:
            was, now = _amount(match, "was"), _amount(match, "now")
            if 0 <= now < was and _of_work(text, match):
                found.throughput.append(
                    Throughput(remaining=now / was, quote=quote(text, match.start(), match.end()), field=clause.field)
                )
        for match in [] if against_baseline else _ZERO_BESIDE_BASELINE.finditer(text):
            if _of_work(text, match):
                found.throughput.append(
                    Throughput(remaining=0, quote=quote(text, match.start(), match.end()), field=clause.field)
                )
        for match in _BELOW_BASELINE.finditer(text):
            if _of_work(text, match):
                remaining = max(0.0, 1 - float(match.group("pct")) / 100)
                found.throughput.append(
                    Throughput(remaining=remaining, quote=quote(text, match.start(), match.end()), field=clause.field)
                )
        for match in _ZERO.finditer(text):
            found.throughput.append(Throughput(remaining=0, quote=match.group(0), field=clause.field))
        for match in _ZERO_RATE.finditer(text):
            if _of_work(text, match):
                found.throughput.append(Throughput(remaining=0, quote=match.group(0), field=clause.field))
    _current_value(found, alert)
    return found


def _amount(match: re.Match[str], group: str) -> float:
    """'410,000', '1.2k', '~1,900': the number a rate pattern captured, scaled."""
    return float(match.group(group).replace(",", "")) * _SCALE.get(match.group(f"{group}_x") or "", 1)


def _of_work(text: str, match: re.Match[str]) -> bool:
    """Whether what fell is work done: the words right before the figure, in its own clause, name no errors,
    retries or capacity (`_NOT_WORK`)."""
    subject = " ".join(_CLAUSE_JOIN.split(text[: match.start()])[-1].split()[-5:])
    return not _NOT_WORK.search(subject)


_MONITOR_BOUND = re.compile(r"\bwas\s*[<>]=?\s*\d", re.IGNORECASE)
_CURRENT_VALUE = re.compile(
    r"\b(?:current value|value)\s*[:=]?\s*\(?\s*(?P<value>\d+(?:\.\d+)?)(?![\d,.]\d)\s*(?P<pct>%)?(?!\s*(?:/|ms\b|s\b|x\b))",
    re.IGNORECASE,
)


_THE_REST = re.compile(r"\b(?:the )?(?:other|remaining|rest of the)\s*$", re.IGNORECASE)
_SAID_FINE = re.compile(
    r"^[^.;,]{0,60}?(?:\(normal\b|\bnormally\b|\bwithin (?:the )?normal (?:range|bands?)\b)", re.IGNORECASE
)
"""A share said to be fine where it stands: the rest of the work going through, a peer's figure called normal."""


def _current_value(found: Measures, alert: list[Clause]) -> None:
    """A monitor that says its metric 'was > 0.05' and then gives the 'Current value: 0.997' (Datadog's form) has
    measured the value; the bound is only the threshold it crossed. The value is read as the bound's measure."""
    bounded = [s for s in found.shares if s.bound != "exact" and _MONITOR_BOUND.search(s.quote)]
    floors = [a for a in found.availability if a.bound != "exact" and _MONITOR_BOUND.search(a.quote)]
    if not bounded and not floors:
        return
    for clause in alert:
        text = f"{clause.heading}: {clause.text}" if clause.heading else clause.text  # 'Current value: 0.997'
        match = _CURRENT_VALUE.search(text)
        if match is None:
            continue
        value = float(match.group("value"))
        percent = value if match.group("pct") else value * 100 if value <= 1 else None
        if percent is None or percent > 100:
            return
        where = quote(text, *match.span())
        if bounded:
            found.shares.append(
                bounded[0].model_copy(
                    update={
                        "share": percent / 100,
                        "bound": "exact",
                        "measure": "the monitor's current value",
                        "quote": where,
                    }
                )
            )
        else:
            found.availability.append(
                floors[0].model_copy(update={"percent": percent, "bound": "exact", "quote": where})
            )
        return


def _read_number(found: Measures, clause: Clause, number: Number) -> None:
    text, field = clause.text, clause.field
    if number.unit == "x" and not number.target:
        kind = _measure(clause, number)
        if kind == "burn":
            target = next((n.value for n in numbers(text) if n.unit == "%" and n.target), None)
            where = quote(text, number.start, number.end)
            if target is not None and target < 100:
                share = min(number.value * (100 - target) / 100, 1.0)
                found.shares.append(
                    FailingShare(
                        share=share,
                        measure=f"error budget burning {number.value:g}x against a {target:g}% SLO",
                        quote=where,
                        field=field,
                    )
                )
            else:
                found.burn_rates.append((number.value, None, where, field))
        return
    kind = _measure(clause, number)
    if kind == "success" and re.search(r"apdex", text, re.IGNORECASE) and number.value <= 1 and not number.unit:
        found.apdex.append((number.value, quote(text, number.start, number.end), field))
        return
    percent = _as_percent(text, number)
    if (
        percent is None
        and kind == "success"
        and _SUCCESS_RATE.search(clause.heading)
        and not text[: number.start].strip()
    ):
        percent = _as_percent(*_under_heading(clause, number))  # 'success rate: 0.27': the cue is before the colon
    if percent is None:
        return
    if _OF_THE_FAILURES.match(text[number.end :]):
        return  # '400 page must be an integer (97% of failures)': what the failures are made of, not how many fail
    where = quote(text, number.start, number.end)
    if kind != "success" and _SHARE_OF_FAILING.match(text[number.end :]):
        kind = "failing"
    if kind in ("failing", None) and (
        _THE_REST.search(text[max(0, number.start - 24) : number.start]) or _SAID_FINE.match(text[number.end :])
    ):
        return  # 'the other 83% of requests are matched normally', 'UK trades: 0.4% pending (normal)'
    if kind == "crash_free":
        found.shares.append(
            FailingShare(
                share=(100 - percent) / 100,
                unit="sessions",
                measure=f"{percent:g}% crash-free: the rest crashed",
                bound={"at_least": "at_most", "at_most": "at_least"}.get(number.bound, "exact"),
                quote=where,
                field=field,
            )
        )
    elif kind == "success":
        found.availability.append(Availability(percent=percent, bound=number.bound, quote=where, field=field))
    elif kind == "failing":
        overall = _OVERALL.search(text[max(0, number.start - 24) : number.start])
        found.shares.append(
            FailingShare(
                share=percent / 100,
                unit=_unit(text, number),
                measure="overall failing share" if overall else "stated failing share",
                overall=overall is not None,
                bound=number.bound,
                quote=where,
                field=field,
            )
        )
    elif kind == "saturation":
        used = 100 - percent if _left_over(text, number) else percent
        found.saturation.append(Saturation(resource=_resource(text), percent=used, quote=where, field=field))
    elif kind == "throughput":
        if re.search(r"of (?:the )?(?:normal|usual|baseline|expected|typical)", text, re.IGNORECASE):
            bound = "at_most" if number.bound == "at_most" else "exact"
            found.throughput.append(Throughput(remaining=percent / 100, bound=bound, quote=where, field=field))
    elif kind == "slow":
        found.slow_shares.append((percent / 100, where, field))
    elif kind is None and _UNIT.match(text[number.end :]):
        found.shares.append(
            FailingShare(
                share=percent / 100,
                unit=_unit(text, number),
                measure="share affected",
                affected_only=True,
                quote=where,
                field=field,
            )
        )


_LEFT_OVER = re.compile(
    r"headroom|free|spare|left|\bidle\b|(?<=% )available\b|"
    rf"available(?:[ _](?:{_RESOURCE_WORDS}|percent|pct))?(?:\s+(?:is|at))?"
    r"(?=\s*[:=]?\s*[<>~]?\s*\d+(?:\.\d+)?\s*%)",
    re.IGNORECASE,
)
"""'disk 8% free', 'MemAvailable 0.6%', '3% available': 'available' is what is left only right beside its percentage;
'0 threads available' or '1.2 GiB available' after 'pool 100% busy' says nothing of that percentage."""
_IN_USE = re.compile(r"\bused\b|\bin use\b|utili[sz]\w*|usage|\bfull\b", re.IGNORECASE)


def _left_over(text: str, number: Number) -> bool:
    """Whether a percentage is what is left ('8% free', 'CPU idle 8%'), not what is used: the nearer word decides, so
    'memory 96% used while CPU sits idle' is 96% used."""

    def nearest(pattern: re.Pattern[str]) -> int | None:
        return min((g for m in pattern.finditer(text) if (g := _gap(m, number)) is not None), default=None)

    left, used = nearest(_LEFT_OVER), nearest(_IN_USE)
    return left is not None and (used is None or left < used)


def _resource(text: str) -> str:
    match = _CLASSES["saturation"].search(text)
    return match.group(0).lower() if match else "capacity"
