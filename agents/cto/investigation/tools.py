"""The tools the model may call, as it sees them: names, what each returns, its arguments.

Every tool reads; none writes. `flows.investigation.toolbox` implements them over the store,
Sentry and Prometheus, and the model's last call is `report_finding`, whose arguments are the
finding (grounded before anyone sees it).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from warroom.findings.models import Confidence

__all__ = [
    "REPORT",
    "TOOLS",
    "ClaimArgs",
    "MetricArgs",
    "NoArgs",
    "PathArgs",
    "ReportArgs",
    "TagArgs",
    "ToolSpec",
    "openai_tools",
]


class NoArgs(BaseModel):
    pass


class TagArgs(BaseModel):
    key: str = Field(min_length=1, max_length=100, description="a tag key the issue carries, e.g. release, region")


class MetricArgs(BaseModel):
    metric: str = Field(min_length=1, max_length=200, description="a metric an alert's expression names")
    labels: dict[str, str] = Field(default_factory=dict, description="equality matchers to narrow it, optional")


class PathArgs(BaseModel):
    path: str = Field(min_length=1, max_length=500, description="a file path, e.g. from a stack frame")


class ClaimArgs(BaseModel):
    text: str = Field(min_length=1, description="one factual sentence")
    citations: list[str] = Field(description="the citation ids (from tool results) this sentence rests on")


class ReportArgs(BaseModel):
    hypothesis: str = Field(min_length=1, description="the most likely cause, in one or two sentences")
    confidence: Confidence
    claims: list[ClaimArgs] = Field(description="the facts the hypothesis rests on, each with its citations")
    next_checks: list[str] = Field(default_factory=list, description="what a responder should check next")


class ToolSpec(BaseModel):
    name: str
    description: str
    args: type[BaseModel]


TOOLS: list[ToolSpec] = [
    ToolSpec(
        name="incident_alerts", description="The incident's distinct alerts (source, title, text, PromQL).", args=NoArgs
    ),
    ToolSpec(
        name="incident_timeline",
        description="Responders' notes and what warroom recorded (severity, updates) so far.",
        args=NoArgs,
    ),
    ToolSpec(
        name="sentry_issue",
        description="The incident's Sentry issue: counts, first/last seen, the release it first appeared in, its tags.",
        args=NoArgs,
    ),
    ToolSpec(
        name="sentry_latest_event",
        description="The issue's latest event: the raised exception, in-app frames innermost first, last breadcrumbs.",
        args=NoArgs,
    ),
    ToolSpec(name="sentry_tag", description="How the issue's events split over one tag's values.", args=TagArgs),
    ToolSpec(name="sentry_recent_issues", description="Other Sentry issues seen around the incident.", args=NoArgs),
    ToolSpec(
        name="metric_series",
        description="A metric an alert names, from an hour before the incident to now: baseline, change, points.",
        args=MetricArgs,
    ),
    ToolSpec(
        name="similar_incidents",
        description="Resolved past incidents like this one, their postmortems' causes and action items.",
        args=NoArgs,
    ),
    ToolSpec(name="runbook", description="The service's runbook, section by section.", args=NoArgs),
    ToolSpec(name="code_owners", description="Who owns a file, from CODEOWNERS.", args=PathArgs),
]

REPORT = ToolSpec(
    name="report_finding",
    description="Your conclusion. Call it once, last. Every claim must cite ids that tool results contained.",
    args=ReportArgs,
)


def openai_tools() -> list[dict[str, Any]]:
    """The tools and `report_finding` in the OpenAI function-calling shape `bind_tools` accepts."""
    return [
        {
            "type": "function",
            "function": {
                "name": spec.name,
                "description": spec.description,
                "parameters": spec.args.model_json_schema(),
            },
        }
        for spec in [*TOOLS, REPORT]
    ]
