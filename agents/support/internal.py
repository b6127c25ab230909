"""What a customer must never be shown: stack traces, addresses, hosts, paths, exception names.

One list for every check of what reaches a customer: the grounding of a public draft, and
whether a human's note (a cause, a fix) may be quoted in one. A note is held to more: responders
write pod and numbered host names (`checkout-7d9f8`, `db-2`) and release numbers (`2026.11.2`)
that, in a draft, could only be a region (`us-east-1`) or a figure the facts already vouch for.
"""

from __future__ import annotations

import re

from agents.blameless import find_blame
from warroom.redaction import EMAIL_ADDRESS

__all__ = ["internal_details", "quotable"]

_INTERNAL: list[tuple[str, re.Pattern[str]]] = [
    (
        "a stack trace",
        re.compile(
            r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|"
            r"^\s*at [\w.$<>]+\s*\(.*\)\s*$|\bat [\w.$<>]+ \([^)]*:\d+(?::\d+)?\)",
            re.M,
        ),
    ),
    ("an email address", EMAIL_ADDRESS),
    ("an IP address", re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b|\b(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}\b", re.I)),
    (
        "a hostname",
        re.compile(
            r"\bhttps?://\S+|\blocalhost\b|\bip-\d+-\d+-\d+-\d+\b|"
            r"\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.){2,}[a-z]{2,63}\b|"
            r"\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.(?:com|net|org|io|dev|app|co|ai|cloud|internal|local|"
            r"lan|corp|svc|cluster|intra|private)\b",
            re.I,
        ),
    ),
    (
        "a file path",
        re.compile(
            r"(?<![\w/:])/(?:[\w.@-]+/)+[\w.@-]*|\b[a-z]:\\[\w\\ .-]+|"
            r"\b[\w/-]+\.(?:py|js|mjs|ts|tsx|jsx|java|go|rb|php|cs|rs|kt|scala|cpp|c|h|ex|exs)\b(?::\d+)?",
            re.I,
        ),
    ),
    (
        "an exception name",
        re.compile(
            r"\b(?:[a-z_][\w]*\.)*[A-Z][A-Za-z0-9]*(?:Error|Exception|Fault)\b|"
            r"\b(?:ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EPIPE|SIGKILL|SIGSEGV|OOMKilled)\b"
        ),
    ),
]
_IN_NOTES = re.compile(
    r"\b[a-z]+(?:-[a-z0-9]+)*-\d+\b|\b[a-z0-9]+-[0-9a-f]{6,}\b"  # pods, numbered hosts
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+){2,}\b"  # dotted host names and release numbers
    r"|\b\w+(?:Error|Exception)\b"
)
_NAME = re.compile(r"\b[A-Z][a-z]+\b")


def internal_details(text: str) -> list[tuple[str, str]]:
    """(what it is, the first excerpt) for each kind of internal detail in `text`."""
    return [(what, match[0].strip()) for what, pattern in _INTERNAL for match in [pattern.search(text)] if match]


def quotable(note: str) -> bool:
    """Whether a human's note may be quoted to customers: no internal detail, no pod or numbered
    host name, and no person as the cause (any capitalised word is taken for a name)."""
    return not internal_details(note) and not _IN_NOTES.search(note) and not find_blame(note, _NAME.findall(note))
