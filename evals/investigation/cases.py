"""The investigation suite's cases: incidents with a known cause and the evidence a fake world serves.

A case is a folder under `cases/` (the format, field by field, is in this package's README.md).
`load_cases()` parses every folder into a typed `Case`, refusing a malformed one with the file and
field at fault. `resolve()` says what a citation id points at in a case, so a grader can tell a
claim resting on served evidence from one citing something that was never there. The Sentry JSON
is kept exactly as the API returns it (the fake server serves it verbatim), and the metrics as the
OpenMetrics text `promtool tsdb create-blocks-from openmetrics` backfills.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from datetime import date as Day
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from prometheus_client.openmetrics.parser import text_string_to_metric_families
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from warroom.severity import Severity

__all__ = [
    "CASES_DIR",
    "SUITE_DIR",
    "HOLDOUT_FILE",
    "HOLDOUT_SEED",
    "ActionItem",
    "AlertDelivery",
    "Case",
    "CaseSpec",
    "Facts",
    "Grading",
    "Noise",
    "Note",
    "PastIncident",
    "RightCause",
    "SentryData",
    "Source",
    "UnknownCitation",
    "draw_holdout",
    "load_case",
    "load_cases",
    "read_holdout",
    "resolve",
    "runbook_sections",
]

SUITE_DIR = Path(__file__).resolve().parent
CASES_DIR = SUITE_DIR / "cases"
HOLDOUT_FILE = SUITE_DIR / "holdout.txt"
#: A case is held out when sha256(f"{HOLDOUT_SEED}:{slug}") read as a number is divisible by 3:
#: about a third of the cases, and adding a case never moves an existing one in or out.
HOLDOUT_SEED = "warroom-investigation-2026"

Category = Literal[
    "bad-release",
    "dependency-timeout",
    "config-change",
    "db-pool-saturation",
    "expired-certificate",
    "schema-migration-lock",
    "dns",
    "feature-flag",
    "memory-leak",
    "disk-full",
    "third-party-rate-limit",
    "cache-stampede",
    "queue-backlog",
    "clock-bug",
    "leap-day-bug",
    "regional-cloud-outage",
    "network-change",
    "credential-rotation",
    "batch-job-overload",
    "retry-storm",
    "poison-message",
    "db-change",
    "cloud-quota",
    "db-maintenance",
    "storage-limit",
    "bad-data",
]
AlertSource = Literal["sentry", "pagerduty", "alertmanager", "grafana", "datadog", "api"]
NoiseKind = Literal[
    "red_herring", "stale_deploy", "misleading_note", "unrelated_error", "unrelated_history", "injection"
]
Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
FactGroup = Annotated[list[Term], Field(min_length=1, description="alternatives: any one term satisfies the group")]
CitationId = Annotated[str, StringConstraints(pattern=r"^(alert|note|history|runbook|codeowners|sentry|prom):.+")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """The public postmortem the case is adapted from."""

    company: str = Field(min_length=1)
    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://\S+$")
    date: Day = Field(description="the day the incident began, as the postmortem states it")
    summary: str = Field(min_length=20, description="the real cause, in one line")
    adaptation: str = Field(min_length=10, description="what the case changed from the real story")


class Facts(_Strict):
    """Every group must be named in a finding's text; a group is named when any of its terms is."""

    facts: list[FactGroup] = Field(min_length=1)


class RightCause(Facts):
    cites: list[CitationId] = Field(min_length=1, description="the evidence a right finding rests on (any one)")


class Grading(_Strict):
    right_cause: RightCause
    one_hop_short: Facts
    right_area: Facts


class Noise(_Strict):
    """Evidence placed on purpose to mislead a lazy rule; a finding resting only on it is flagged."""

    kind: NoiseKind
    cites: CitationId
    why: str = Field(min_length=10)


class CaseSpec(_Strict):
    """`case.toml`."""

    title: str = Field(min_length=5)
    service: str = Field(min_length=1, description="the service the alerts name; runbook.md is its runbook")
    category: Category
    started_at: AwareDatetime = Field(description="the first alert's firing time; at_minute counts from here")
    observed_at: AwareDatetime = Field(description="the moment the fake world is snapshotted (no data after it)")
    severity: Severity
    severity_why: str = Field(min_length=10, description="the row of DESIGN.md's severity table that decides it")
    cause: str = Field(min_length=20, description="the known cause, in one sentence")
    source: Source
    grading: Grading
    noise: list[Noise] = Field(min_length=1)

    @model_validator(mode="after")
    def _observed_after_start(self) -> CaseSpec:
        if self.observed_at <= self.started_at:
            raise ValueError("observed_at must be after started_at")
        return self


class AlertDelivery(_Strict):
    """One webhook delivery, as the source sends it (the shape of `evals/cases/*/payloads.json` entries)."""

    source: AlertSource
    payload: dict[str, Any]
    resource: str | None = Field(default=None, description="Sentry-Hook-Resource, Sentry only")
    at_minute: float = Field(default=0.0, ge=0, description="minutes after started_at")


class Note(_Strict):
    at_minute: float = Field(ge=0, description="minutes after started_at")
    author: str = Field(min_length=1)
    text: str = Field(min_length=1)


class ActionItem(_Strict):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    status: Literal["open", "done"]
    due: Day


class PastIncident(_Strict):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    service: str = Field(min_length=1)
    severity: Severity
    started_at: AwareDatetime
    resolved_at: AwareDatetime
    cause: str = Field(min_length=10, description="the cause its postmortem states")
    postmortem_url: str = Field(pattern=r"^https?://\S+$")
    action_items: list[ActionItem] = Field(default_factory=list)


class SentryData(_Strict):
    """What the fake Sentry serves, each exactly as the endpoint returns it (see README.md)."""

    issue: dict[str, Any] = Field(description="GET /api/0/organizations/{org}/issues/{issue_id}/")
    latest_event: dict[str, Any] = Field(description="GET …/issues/{issue_id}/events/latest/")
    issues: list[dict[str, Any]] = Field(description="GET /api/0/organizations/{org}/issues/")
    tags: dict[str, list[dict[str, Any]]] = Field(description="key -> GET …/issues/{issue_id}/tags/{key}/values/")

    @property
    def issue_id(self) -> str:
        return str(self.issue["id"])

    def exception(self) -> dict[str, Any]:
        """The exception that was raised (the last of a chain)."""
        return self._entry("exception")["values"][-1]

    def frames(self) -> list[dict[str, Any]]:
        """The raised exception's frames, innermost first (index n is `…:frame:n`)."""
        stacktrace = self.exception().get("stacktrace") or {}
        return list(reversed(stacktrace.get("frames") or []))

    def breadcrumbs(self) -> list[dict[str, Any]]:
        return self._entry("breadcrumbs")["values"]

    def tag_details(self, key: str) -> dict[str, Any]:
        """GET …/issues/{issue_id}/tags/{key}/, derived from the values file as Sentry derives it."""
        rows = self.tags[key]
        return {
            "key": key,
            "name": next((t["name"] for t in self.issue.get("tags", []) if t["key"] == key), key),
            "uniqueValues": len(rows),
            "totalValues": sum(row["count"] for row in rows),
            "topValues": sorted(rows, key=lambda row: row["count"], reverse=True)[:9],
        }

    def _entry(self, kind: str) -> dict[str, Any]:
        for entry in self.latest_event["entries"]:
            if entry["type"] == kind:
                return entry["data"]
        raise KeyError(kind)


class Case(BaseModel):
    """One folder of the suite, parsed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str
    spec: CaseSpec
    alerts: list[AlertDelivery] = Field(min_length=1)
    runbook: str = Field(min_length=1)
    notes: list[Note] = Field(default_factory=list)
    history: list[PastIncident] = Field(default_factory=list)
    codeowners: str | None = None
    openmetrics: str | None = Field(default=None, description="prometheus.om, verbatim")
    sentry: SentryData | None = None

    @cached_property
    def series(self) -> list[tuple[str, dict[str, str]]]:
        """Every distinct (sample name, labels) in prometheus.om."""
        if self.openmetrics is None:
            return []
        seen: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, str]] = {}
        for family in text_string_to_metric_families(self.openmetrics):
            for sample in family.samples:
                seen.setdefault((sample.name, tuple(sorted(sample.labels.items()))), dict(sample.labels))
        return [(name, labels) for (name, _), labels in seen.items()]


class UnknownCitation(LookupError):
    """A citation id that points at nothing in the case."""


def load_cases(root: Path = CASES_DIR, names: list[str] | None = None) -> list[Case]:
    folders = sorted(p for p in root.iterdir() if (p / "case.toml").is_file())
    if names:
        folders = [p for p in folders if p.name in names]
    return [load_case(folder) for folder in folders]


def load_case(folder: Path) -> Case:
    def optional(name: str) -> str | None:
        path = folder / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def json_file(path: Path) -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{folder.name}/{path.relative_to(folder)}: not JSON: {exc}") from exc

    sentry_dir = folder / "sentry"
    sentry = None
    if sentry_dir.is_dir():
        sentry = SentryData(
            issue=json_file(sentry_dir / "issue.json"),
            latest_event=json_file(sentry_dir / "latest_event.json"),
            issues=json_file(sentry_dir / "issues.json"),
            tags={p.name.removesuffix(".json"): json_file(p) for p in sorted((sentry_dir / "tags").glob("*.json"))},
        )
    return Case(
        slug=folder.name,
        spec=CaseSpec.model_validate(tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))),
        alerts=json_file(folder / "alerts.json"),
        runbook=(folder / "runbook.md").read_text(encoding="utf-8"),
        notes=json_file(folder / "notes.json") if (folder / "notes.json").is_file() else [],
        history=json_file(folder / "history.json") if (folder / "history.json").is_file() else [],
        codeowners=optional("CODEOWNERS"),
        openmetrics=optional("prometheus.om"),
        sentry=sentry,
    )


def draw_holdout(slugs: list[str], seed: str = HOLDOUT_SEED) -> list[str]:
    """The held-out slugs, sorted: stable per slug, so a new case never reshuffles the others."""
    return sorted(s for s in slugs if int(hashlib.sha256(f"{seed}:{s}".encode()).hexdigest(), 16) % 3 == 0)


def read_holdout(path: Path = HOLDOUT_FILE) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def runbook_sections(runbook: str) -> dict[str, str]:
    """`## Heading` slug (GitHub's rule: lower case, punctuation dropped, spaces to hyphens) -> its text."""
    sections: dict[str, str] = {}
    current: str | None = None
    for line in runbook.splitlines():
        if line.startswith("## "):
            current = _slug(line[3:])
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return sections


def _slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


_MATCHER = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def resolve(case: Case, citation: str) -> Any:
    """What `citation` points at in `case` (grammar in README.md); `UnknownCitation` when nothing."""
    kind, _, rest = citation.partition(":")
    try:
        found = _RESOLVERS[kind](case, rest)
    except (KeyError, IndexError, ValueError, TypeError) as exc:
        raise UnknownCitation(citation) from exc
    if found is None or found == []:
        raise UnknownCitation(citation)
    return found


def _alert(case: Case, rest: str) -> Any:
    return case.alerts[_index(rest)]


def _note(case: Case, rest: str) -> Any:
    return case.notes[_index(rest)]


def _history(case: Case, rest: str) -> Any:
    incident_id, _, action = rest.partition(":action:")
    incident = next(i for i in case.history if i.id == incident_id)
    return next(a for a in incident.action_items if a.id == action) if action else incident


def _runbook(case: Case, rest: str) -> Any:
    return runbook_sections(case.runbook)[rest]


def _codeowners(case: Case, rest: str) -> Any:
    rules = [line.split() for line in (case.codeowners or "").splitlines() if line.strip() and not line.startswith("#")]
    return next(rule for rule in rules if rule[0] == rest)


def _prom(case: Case, rest: str) -> Any:
    name, brace, matchers = rest.partition("{")
    wanted = dict(_MATCHER.findall(matchers)) if brace else {}
    return [
        labels
        for sample, labels in case.series
        if sample == name and all(labels.get(k) == v for k, v in wanted.items())
    ]


def _sentry(case: Case, rest: str) -> Any:
    data = case.sentry
    if data is None:
        raise KeyError("no sentry data")
    parts = rest.split(":")
    match parts:
        case ["issue"]:
            return data.issue
        case ["issue", field]:
            return data.issue[_camel(field)]
        case ["issues", issue_id]:
            return next(i for i in data.issues if str(i["id"]) == issue_id)
        case ["event", "latest"]:
            return data.latest_event
        case ["event", "latest", "exception"]:
            return data.exception()
        case ["event", "latest", "release"]:
            return data.latest_event["release"]
        case ["event", "latest", "frame", n]:
            return data.frames()[_index(n)]
        case ["event", "latest", "breadcrumb", n]:
            return data.breadcrumbs()[_index(n)]
        case ["event", "latest", "tag", key]:
            return next(t for t in data.latest_event["tags"] if t["key"] == key)
        case ["tag", key]:
            return data.tags[key]
        case ["tag", key, *value]:
            return next(row for row in data.tags[key] if row["value"] == ":".join(value))
    raise KeyError(rest)


def _index(text: str) -> int:
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def _camel(snake: str) -> str:
    head, *tail = snake.split("_")
    return head + "".join(part.title() for part in tail)


_RESOLVERS = {
    "alert": _alert,
    "note": _note,
    "history": _history,
    "runbook": _runbook,
    "codeowners": _codeowners,
    "prom": _prom,
    "sentry": _sentry,
}
