"""The investigation's read-only tools over one incident: what the first look gathers in one go,
and what the model asks for one call at a time.

Nothing here writes: the store is read through `engine.connect()`, Sentry and Prometheus through
their read-only clients. A source that is not configured or fails becomes a problem the finding
names, never an error that stops the investigation. The model may only graph the metrics the
alerts' expressions name (narrowed by labels it chooses), so its questions stay cheap for
Prometheus whatever it reads in the evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any

import httpx
from pydantic import BaseModel, Field, ValidationError

from agents.cto.investigation.evidence import (
    AlertFact,
    Evidence,
    IssueFact,
    OwnerFact,
    PastIncidentFact,
    RunbookSection,
    SeriesFact,
)
from agents.cto.investigation.promql import Selector, selectors
from agents.cto.investigation.tools import REPORT, TOOLS, MetricArgs, PathArgs, TagArgs
from agents.cto.owners import matches
from flows.context import Context
from flows.investigation import incident_reads, metric_reads, sentry_reads
from flows.postmortem import codeowners_text
from tools.prometheus import Prometheus, PrometheusError
from tools.sentry import SentryAPI, SentryAPIError
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident

__all__ = ["Sources", "ToolResult", "Toolbox"]

#: Other Sentry issues are looked for from this long before the incident's first error.
ISSUE_LOOKBACK = timedelta(hours=3)
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


@dataclass(frozen=True)
class Sources:
    """The outside services the investigation may read; None where not configured."""

    sentry: SentryAPI | None = None
    prometheus: Prometheus | None = None


class ToolResult(BaseModel):
    """One tool call's answer: `content` for the model, `known` the citation ids it returned."""

    name: str
    content: Any = None
    known: dict[str, str] = Field(default_factory=dict)
    error: str | None = None


class Toolbox:
    def __init__(self, context: Context, sources: Sources, incident_id: int) -> None:
        self.context = context
        self.sources = sources
        self.incident_id = incident_id
        self.problems: list[str] = []
        self.reads = 0
        """How many reads (store queries, API requests, PromQL queries) the tools made."""

    @cached_property
    def incident(self) -> Incident:
        self.reads += 1
        with self.context.engine.connect() as conn:
            incident = incidents.get_incident(conn, self.incident_id)
        if incident is None:
            raise LookupError(f"incident {self.incident_id} does not exist")
        return incident

    @cached_property
    def alerts(self) -> list[AlertFact]:
        """The incident's alerts, then those of incidents that began within the correlation window
        of it (correlation may have kept one outage apart)."""
        self.reads += 1
        window = timedelta(minutes=self.context.settings.correlation_window_minutes)
        with self.context.engine.connect() as conn:
            beside = incident_reads.concurrent_incidents(conn, self.incident, window)
            return incident_reads.alert_facts(conn, [self.incident_id, *beside])

    @cached_property
    def recent_issues(self) -> list[IssueFact] | None:
        """Sentry issues seen from `ISSUE_LOOKBACK` before the incident until now."""
        api = self.sources.sentry
        if api is None:
            return None
        self.reads += 1
        try:
            return sentry_reads.recent_issues(api, self.incident.first_seen - ISSUE_LOOKBACK, self.context.clock.now())
        except (SentryAPIError, httpx.HTTPError, ValidationError, KeyError, TypeError) as exc:
            self.problems.append(f"Sentry's issue list ({_reason(exc)})")
            return None

    @cached_property
    def sentry_issue_id(self) -> str | None:
        """The Sentry issue a Sentry alert of the incident names; else the new issue of the
        service's Sentry project that began around it."""
        named = next((a.sentry_issue for a in self.alerts if a.sentry_issue), None)
        key = self.incident.dedup_key
        if named or key.startswith("sentry:issue:"):
            return named or key.removeprefix("sentry:issue:")
        services = {s for s in [self.incident.service, *(a.service for a in self.alerts)] if s}
        adopted = sentry_reads.new_issue_of(
            self.recent_issues or [], services, self.incident.first_seen - ISSUE_LOOKBACK
        )
        return adopted.id if adopted else None

    @cached_property
    def alert_selectors(self) -> list[Selector]:
        found: dict[str, Selector] = {}
        for alert in self.alerts:
            for expression in alert.expressions:
                for selector in selectors(expression):
                    found.setdefault(selector.promql(), selector)
        return list(found.values())

    def gather(self) -> Evidence:
        """Everything the first look reads, each source at most once."""
        incident = self.incident
        notes, _ = incident_reads.timeline_facts(incident)
        issue = self._sentry(lambda api, issue_id: sentry_reads.issue_fact(api, issue_id))
        event = self._sentry(lambda api, issue_id: sentry_reads.event_fact(api, issue_id))
        tags = (
            self._sentry(lambda api, issue_id: sentry_reads.tag_facts(api, issue_id, sentry_reads.tag_keys(issue)))
            if issue
            else None
        )
        return Evidence(
            incident=incident_reads.incident_fact(incident),
            alerts=self.alerts,
            notes=notes,
            issue=issue,
            event=event,
            tags=tags or [],
            other_issues=self._other_issues() or [],
            series=list({f.citation: f for s in self.alert_selectors for f in self._series(s) or []}.values()),
            past=self._past(),
            runbook=self._runbook(),
            owners=self._owners(),
            problems=list(dict.fromkeys(self.problems)),
        )

    def call(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        """Run one of `agents.cto.investigation.tools.TOOLS` for the model; a bad name or argument
        and a failing source come back as the result's `error`, for the model to read."""
        spec = next((t for t in TOOLS if t.name == name), None)
        if spec is None:
            allowed = ", ".join(t.name for t in TOOLS)
            hint = " (call it last, on its own)" if name == REPORT.name else ""
            return ToolResult(name=name, error=f"no tool named {name!r}{hint}; the tools are: {allowed}")
        try:
            args = spec.args.model_validate(arguments)
        except ValidationError as exc:
            return ToolResult(name=name, error=f"bad arguments: {exc.errors(include_url=False)}")
        self.problems = []
        content = self._run(name, args)
        error = "; ".join(self.problems) or None
        if content is None:
            return ToolResult(name=name, error=error or "nothing found")
        return ToolResult(name=name, content=_dump(content), known=_known(content), error=error)

    def _run(self, name: str, args: BaseModel) -> Any:
        if name == "incident_alerts":
            return self.alerts
        if name == "incident_timeline":
            notes, events = incident_reads.timeline_facts(self.incident)
            return {"notes": notes, "events": events}
        if name == "sentry_issue":
            return self._sentry(lambda api, issue_id: sentry_reads.issue_fact(api, issue_id))
        if name == "sentry_latest_event":
            return self._sentry(lambda api, issue_id: sentry_reads.event_fact(api, issue_id))
        if name == "sentry_tag":
            assert isinstance(args, TagArgs)
            return self._sentry(lambda api, issue_id: sentry_reads.tag_facts(api, issue_id, [args.key])) or None
        if name == "sentry_recent_issues":
            return self._other_issues()
        if name == "metric_series":
            assert isinstance(args, MetricArgs)
            return self._metric(args)
        if name == "similar_incidents":
            return self._past()
        if name == "runbook":
            return self._runbook() or None
        if name == "code_owners":
            assert isinstance(args, PathArgs)
            matching = [r for r in self._owners() if matches(r.pattern, args.path)]
            return matching[-1:] or None
        raise AssertionError(name)

    def _sentry(self, read: Any) -> Any:
        api, issue_id = self.sources.sentry, self.sentry_issue_id
        if issue_id is None:
            return None
        if api is None:
            self.problems.append(
                f"Sentry issue {issue_id} (set WARROOM_SENTRY_API_TOKEN and WARROOM_SENTRY_ORG to read it)"
            )
            return None
        self.reads += 1
        try:
            return read(api, issue_id)
        except (SentryAPIError, httpx.HTTPError, ValidationError, KeyError, TypeError) as exc:
            self.problems.append(f"Sentry issue {issue_id} ({_reason(exc)})")
            return None

    def _other_issues(self) -> list[IssueFact] | None:
        if self.recent_issues is None:
            return None
        return [i for i in self.recent_issues if i.id != self.sentry_issue_id]

    def _series(self, selector: Selector) -> list[SeriesFact] | None:
        prometheus = self.sources.prometheus
        if prometheus is None:
            self.problems.append(f"the series {selector.promql()} (set WARROOM_PROMETHEUS_URL to graph it)")
            return None
        self.reads += 1
        try:
            return metric_reads.series_facts(prometheus, selector, self.incident.first_seen, self.context.clock.now())
        except PrometheusError as exc:
            self.problems.append(f"the series {selector.promql()} ({_reason(exc)})")
            return None

    def _metric(self, args: MetricArgs) -> list[SeriesFact] | None:
        named = [s for s in self.alert_selectors if s.metric == args.metric]
        if not named:
            allowed = ", ".join(sorted({s.metric for s in self.alert_selectors})) or "none"
            self.problems.append(f"{args.metric!r} is not a metric an alert names (those are: {allowed})")
            return None
        bad = [k for k in args.labels if not _LABEL.match(k)]
        if bad:
            self.problems.append(f"not label names: {', '.join(bad)}")
            return None
        found: dict[str, SeriesFact] = {}
        for selector in named:
            for fact in self._series(selector.with_labels(args.labels)) or []:
                found.setdefault(fact.citation, fact)
        return list(found.values()) or None

    def _past(self) -> list[PastIncidentFact]:
        self.reads += 1
        with self.context.engine.connect() as conn:
            return incident_reads.past_incidents(conn, self.incident, self.alerts)

    def _runbook(self) -> list[RunbookSection]:
        self.reads += 1
        return incident_reads.runbook(self.context.settings, self.incident.service)

    def _owners(self) -> list[OwnerFact]:
        self.reads += 1
        return incident_reads.owner_facts(codeowners_text(self.context))


def _reason(exc: Exception) -> str:
    status = getattr(exc, "status", None)
    return f"HTTP {status}" if status else type(exc).__name__


def _dump(content: Any) -> Any:
    if isinstance(content, BaseModel):
        return content.model_dump(mode="json", exclude_none=True)
    if isinstance(content, list):
        return [_dump(item) for item in content]
    if isinstance(content, dict):
        return {key: _dump(value) for key, value in content.items()}
    return content


def _known(content: Any) -> dict[str, str]:
    """Every citation id a result carries, with its summary."""
    items = content if isinstance(content, list) else list(content.values()) if isinstance(content, dict) else [content]
    flat = [i for item in items for i in (item if isinstance(item, list) else [item])]
    found: dict[str, str] = {}
    for item in flat:
        if hasattr(item, "summaries"):
            found.update(item.summaries())
        elif hasattr(item, "summary"):
            found[item.citation] = item.summary()
    return found
