"""Latency against its objective, in the forms monitors write it.

"p99 latency 25s (SLO 500ms)", "p95 2.1s vs 500ms objective", "2.6s, 5.2x the 500ms SLO",
"10x above SLO", "6.0s is 4x SLO (1.5s)", "p95 38m (normal 3m)", "3x baseline". The factor is
observed over objective; a comparison with the normal value is kept apart (`baseline`), because
the table speaks of the SLO. A duration after "for", "over", "in the last" is a window, not a
latency. A share stated beside it ("for 30% of requests", "40% of requests slower than the SLO")
is the share of requests over the objective.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agents.cto.signals.facts import Latency
from agents.cto.signals.text import Clause, duration_seconds, numbers, quote

__all__ = ["describe", "read_latency"]

_LATENCY_WORDS = re.compile(
    r"latenc\w*|\bp\d{2,3}\b|\d{2}p\b|duration|response times?|\bttfb\b|\bslow\w*|round[- ]trip|\brtt\b", re.IGNORECASE
)
_REQUEST_LATENCY = re.compile(r"latenc\w*|\bp\d{2,3}\b|\d{2}p\b|response times?|\bttfb\b", re.IGNORECASE)
"""A title or heading about request latency: a value against an SLO under it measures that, not a job's run time."""
_PERCENTILE = re.compile(r"\bp(\d{2,3}(?:\.\d+)?)\b|\b(\d{2})p\b|\b(median)\b", re.IGNORECASE)
_WINDOW = re.compile(
    r"(?:\bfor|\bover|\bin|\bwithin|\blast|\bsince|\bevery|\bafter|\bduring|\bpast|\bthe last)\s*(?:>\s*)?$",
    re.IGNORECASE,
)
_REFERENCE_BEFORE = re.compile(
    r"(?P<kind>\bslo|\bsla|objective|target|threshold|normal(?:ly)?|baseline|usual(?:ly)?|\bvs\.?|versus)"
    r"\s*(?:of|is|at|=|:)?\s*(?:(?:p\d{2,3}\s*)?(?:<=?|≤|under|below))?\s*\(?\s*$",  # "SLO p95 < 1.5 s"
    re.IGNORECASE,
)
_REFERENCE_PERCENTILE = re.compile(r"\(\s*(?P<kind>slo|sla|objective|target)\s*:?\s*p\d{2,3}\s*$", re.IGNORECASE)
"""An objective opening its own aside with the percentile it limits, '6.1s p95 (SLO p95 1.5s)'; not 'latency SLO p95
6.2s', the measured p95 of an SLO's metric."""
_REFERENCE_LIMIT = re.compile(r"\b(?P<kind>slo|sla|objective|target)\s*(?:of|is|=|:)?\s*p\d{2,3}\s*$", re.IGNORECASE)
"""An objective written as a limit on a percentile, 'SLO p95 < 1.5 s' (the number carries the '<')."""
_REFERENCE_AFTER = re.compile(
    r"^\)?\s*(?:\w+-[\w-]+\s+)?"  # one hyphenated name between: "1500ms board-open SLO" (not "6s misses SLO")
    r"(?P<kind>slo|sla|objective|target|threshold|normal|baseline)\b",
    re.IGNORECASE,
)
_OBJECTIVE = ("slo", "sla", "objective", "target")
_FACTOR = re.compile(
    r"(?:(?P<above>above|over|more than|exceeds?|exceeding|>)\s*)?"
    r"(?P<factor>\d+(?:\.\d+)?)\s*(?:x|×|times)\s+(?:(?:above|over|the|its|of|their)\s+)*"
    r"(?:[\w.]+\s+)?(?P<kind>slo|sla|objective|target|baseline|normal)\b",
    re.IGNORECASE,
)
_SHARE_NEAR = re.compile(
    r"(?P<pct>\d+(?:\.\d+)?)\s*%\s*(?:of\s+)?(?:[\w-]+\s+){0,2}?(?:requests?|users?|sessions?|"
    r"viewers?|queries|calls?|page loads?|customers?)",
    re.IGNORECASE,
)


def read_latency(parts: Iterable[Clause]) -> list[Latency]:
    found: list[Latency] = []
    alert = list(parts)
    about_latency = any(_REQUEST_LATENCY.search(c.text) for c in alert if c.field == "title")
    for index, clause in enumerate(alert):
        text = clause.text
        stated = _FACTOR.search(text)
        says_latency = _LATENCY_WORDS.search(text) or (stated and re.search(r"rebuffer|load time", text, re.I))
        if not says_latency and not (about_latency or _REQUEST_LATENCY.search(clause.heading)):
            continue
        observed, reference, kind = _durations(text)
        if observed is not None and reference is None:
            reference, kind = _objective_next(text, alert[index + 1 : index + 2], clause.field) or (reference, kind)
        if not says_latency and (reference is None or kind != "slo"):
            continue  # 'Current value: 7.9 s (SLO 2 s)' under a latency title measures latency without saying so
        share = _share(text)
        percentile = _percentile(text)
        measured = observed / reference if observed is not None and reference else None
        if stated and measured is not None and measured > float(stated.group("factor")):
            stated = None  # a stated factor below the measured one is a threshold ("above 3x SLO", "4500ms = 3x SLO")
        if stated:
            found.append(
                Latency(
                    factor=float(stated.group("factor")),
                    above=bool(stated.group("above")),
                    reference="slo" if stated.group("kind").lower() in _OBJECTIVE else "baseline",
                    observed_seconds=observed,
                    percentile=percentile,
                    slow_share=share,
                    quote=quote(text, stated.start(), stated.end(), margin=60),
                    field=clause.field,
                )
            )
        elif measured is not None:
            found.append(
                Latency(
                    factor=measured,
                    reference=kind,
                    observed_seconds=observed,
                    percentile=percentile,
                    slow_share=share,
                    quote=text[:160],
                    field=clause.field,
                )
            )
    return found


def _durations(text: str) -> tuple[float | None, float | None, str]:
    """The observed latency and the objective it is compared with, in seconds. A stated objective (SLO, SLA,
    target) outranks an alert's threshold: 'threshold 4500ms = 3x the 1500ms SLO' measures against the SLO."""
    observed: float | None = None
    reference: float | None = None
    kind = "slo"
    objective = False
    for number in numbers(text):
        seconds = duration_seconds(number)
        if seconds is None:
            continue
        before = text[max(0, number.start - 32) : number.start]
        after = text[number.end : number.end + 24]
        limit = _REFERENCE_LIMIT.search(before) if number.bound == "at_most" else None
        marked = (
            _REFERENCE_BEFORE.search(before)
            or limit
            or _REFERENCE_PERCENTILE.search(before)
            or _REFERENCE_AFTER.search(after)
        )
        if marked:
            word = marked.group("kind").lower()
            if reference is None or not objective and word in _OBJECTIVE:
                reference, objective = seconds, word in _OBJECTIVE
                kind = "baseline" if word.startswith(("normal", "baseline", "usual")) else "slo"
            continue
        if _WINDOW.search(before) or number.bound != "exact" and observed is not None:
            continue
        if number.bound == "at_least" and re.search(r"\bwas\s*>?\s*$", before):
            continue
        if observed is None or re.search(r"current\s*$", before, re.IGNORECASE):
            observed = seconds
    return observed, reference, kind


_BARE_OBJECTIVE = re.compile(r"^\(?\s*(?:slo|sla|objective|target)\b", re.IGNORECASE)
_OBJECTIVE_OPENED = re.compile(r"\(\s*(?:slo|sla|objective|target)\s*$", re.IGNORECASE)
"""'7.84 s (SLO: p95 < 1.0 s)': an aside that names the objective, whose value the colon cut into the next clause."""
_THRESHOLD_BEFORE = re.compile(r"(?:threshold|alert|warn\w*|critical)\W*$", re.IGNORECASE)
_WINDOW_AFTER = re.compile(r"\s*(?:window|rolling)\b", re.IGNORECASE)


def _objective_next(text: str, following: list[Clause], field: str) -> tuple[float, str] | None:
    """'3,140ms in the last 5 minutes (critical > 1,500ms; SLO 500ms)': the objective the semicolon cut into the next
    clause, when that clause is the objective alone: it starts with its name and observes nothing ('search SLO 500ms'
    or 'p50 SLO 300ms' is another measure's). An aside opened with the objective's name ('7.84 s (SLO: p95 < 1.0 s)')
    gives the next clause's limit as the objective: not a window ('30d window', 'over 10m') nor an alert's
    threshold."""
    if not following or following[0].field != field:
        return None
    if _BARE_OBJECTIVE.match(following[0].text):
        observed, reference, kind = _durations(following[0].text)
        if observed is None and reference is not None and kind == "slo":
            return reference, kind
    elif _OBJECTIVE_OPENED.search(text):
        aside = following[0].text
        limits = [
            (n.bound != "at_most", seconds)
            for n in numbers(aside)
            if (seconds := duration_seconds(n)) is not None
            and seconds < 3600
            and not _WINDOW.search(aside[max(0, n.start - 32) : n.start])
            and not _THRESHOLD_BEFORE.search(aside[max(0, n.start - 16) : n.start])
            and not _WINDOW_AFTER.match(aside[n.end :])
        ]
        if limits:
            return min(limits)[1], "slo"  # the limit ('p95 < 1.0 s') first, then the first other duration
    return None


def _share(text: str) -> float | None:
    match = _SHARE_NEAR.search(text)
    return float(match.group("pct")) / 100 if match else None


def _percentile(text: str) -> str | None:
    match = _PERCENTILE.search(text)
    if match is None:
        return None
    return "median" if match.group(3) else f"p{match.group(1) or match.group(2)}"


def describe(latency: Latency) -> str:
    what = f"{latency.percentile} latency" if latency.percentile else "latency"
    versus = "its SLO" if latency.reference == "slo" else "its normal value"
    if latency.above:
        versus = f"{versus} or more"
    share = f", {latency.slow_share:.0%} of requests over it" if latency.slow_share is not None else ""
    return f"{what} {latency.factor:.1f}x {versus}{share}"
