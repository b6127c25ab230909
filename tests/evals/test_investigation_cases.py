"""The investigation suite's data is what the real services would serve, and its grading keys hold.

Sentry files are judged by Sentry's published response schemas, metrics by the OpenMetrics parser
and by promtool's own backfill, alerts by the product's normalisers; the grading keys are checked
against the case's own cause, its alerts and its evidence.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from typing import Any

import pytest

from evals.harness import Step
from evals.investigation.cases import (
    SUITE_DIR,
    Case,
    UnknownCitation,
    draw_holdout,
    load_cases,
    read_holdout,
    resolve,
)
from evals.investigation.grading import Finding, cites, grade, names
from tests.fakes.spec import OpenAPISpec, load_spec, schema_errors
from tools.webhooks import alertmanager, datadog, generic, grafana, pagerduty, sentry

CASES = load_cases()
SENTRY_CASES = [c for c in CASES if c.sentry is not None]
METRIC_CASES = [c for c in CASES if c.openmetrics is not None]
NORMALISERS = {
    "sentry": sentry,
    "pagerduty": pagerduty,
    "alertmanager": alertmanager,
    "grafana": grafana,
    "datadog": datadog,
    "api": generic,
}
ORG = "acme"


def _slug(case: Case) -> str:
    return case.slug


def _case(slug: str) -> Case:
    return next(c for c in CASES if c.slug == slug)


def test_the_suite_covers_every_shape_of_evidence_and_the_required_causes() -> None:
    assert len(CASES) >= 32
    shapes = {(c.sentry is not None, c.openmetrics is not None) for c in CASES}
    assert shapes == {(True, True), (True, False), (False, True), (False, False)}
    required = {
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
    }
    assert required <= {c.spec.category for c in CASES}
    assert sum(c.spec.category == "bad-release" for c in CASES) >= 3


def _response_schema(api: OpenAPISpec, path: str) -> dict[str, Any]:
    operation = api.operation("GET", path)
    assert operation is not None, f"GET {path} is not in the Sentry spec"
    return operation.spec["responses"]["200"]["content"]["application/json"]["schema"]


@pytest.mark.parametrize("case", SENTRY_CASES, ids=_slug)
def test_sentry_files_are_exactly_what_the_api_returns(case: Case) -> None:
    api = OpenAPISpec(load_spec("sentry-api-issues-events-subset.openapi.json"))
    data = case.sentry
    assert data is not None
    issue = f"/api/0/organizations/{ORG}/issues/{data.issue_id}/"
    bodies: list[tuple[str, Any]] = [
        (issue, data.issue),
        (issue + "events/latest/", data.latest_event),
        (f"/api/0/organizations/{ORG}/issues/", data.issues),
    ]
    for key, rows in data.tags.items():
        bodies += [(f"{issue}tags/{key}/values/", rows), (f"{issue}tags/{key}/", data.tag_details(key))]
    problems = [p for path, body in bodies for p in schema_errors(_response_schema(api, path), body, path)]
    assert problems == []


@pytest.mark.parametrize("case", SENTRY_CASES, ids=_slug)
def test_sentry_files_tell_one_consistent_story(case: Case) -> None:
    data = case.sentry
    assert data is not None
    assert data.latest_event["groupID"] == data.issue_id
    assert data.issue_id in {str(i["id"]) for i in data.issues}
    assert len(data.issues) >= 2, "an unrelated issue belongs in issues.json as noise"
    assert data.tags, "at least one tag distribution"
    totals = {t["key"]: t["totalValues"] for t in data.issue["tags"]}
    for key, rows in data.tags.items():
        assert {row["key"] for row in rows} == {key}
        assert totals[key] == sum(row["count"] for row in rows)
        assert totals[key] <= int(data.issue["count"])
    assert data.frames(), "the latest event has a stack trace"
    assert any(f["inApp"] for f in data.frames()), "and an in-app frame in it"
    assert data.issue["firstSeen"] <= data.latest_event["dateCreated"][:19] + "Z"
    observed = case.spec.observed_at.isoformat().replace("+00:00", "Z")
    assert data.issue["lastSeen"] <= observed
    for delivery in case.alerts:
        event = delivery.payload.get("data", {}).get("event") if delivery.source == "sentry" else None
        if event:
            assert event["issue_id"] == data.issue_id


def _timestamps(case: Case) -> list[float]:
    assert case.openmetrics is not None
    return [
        float(line.rsplit(" ", 1)[1]) for line in case.openmetrics.splitlines() if line and not line.startswith("#")
    ]


@pytest.mark.parametrize("case", METRIC_CASES, ids=_slug)
def test_metrics_parse_and_cover_the_half_hour_before_the_incident(case: Case) -> None:
    assert case.series, "prometheus.om parses and holds series"
    stamps = _timestamps(case)
    assert min(stamps) <= (case.spec.started_at - timedelta(minutes=30)).timestamp()
    assert max(stamps) <= case.spec.observed_at.timestamp(), "no sample after the snapshot"


@pytest.mark.parametrize("case", METRIC_CASES, ids=_slug)
def test_promtool_backfills_the_metrics(case: Case, tmp_path: Any) -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: tests/system-deps.sh installs it (Debian package prometheus)"
    source = tmp_path / "prometheus.om"
    source.write_text(case.openmetrics or "")
    done = subprocess.run(
        [
            promtool,
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "--max-block-duration=24h",
            str(source),
            str(tmp_path / "blocks"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("case", CASES, ids=_slug)
def test_every_alert_is_accepted_by_its_source_and_fires_when_it_says(case: Case) -> None:
    assert case.alerts[0].at_minute == 0
    for delivery in case.alerts:
        Step.model_validate(delivery.model_dump())
        at = case.spec.started_at + timedelta(minutes=delivery.at_minute)
        headers = {"sentry-hook-resource": delivery.resource} if delivery.resource else {}
        alerts = NORMALISERS[delivery.source].normalise(delivery.payload, headers, at)
        assert alerts
        assert all(abs(a.occurred_at - at) <= timedelta(minutes=2) for a in alerts)
        assert at <= case.spec.observed_at


@pytest.mark.parametrize("case", CASES, ids=_slug)
def test_every_grading_citation_points_at_evidence_in_the_case(case: Case) -> None:
    for citation in [*case.spec.grading.right_cause.cites, *(n.cites for n in case.spec.noise)]:
        resolve(case, citation)


@pytest.mark.parametrize("case", CASES, ids=_slug)
def test_the_known_cause_grades_right_and_the_alerts_alone_do_not(case: Case) -> None:
    key = list(case.spec.grading.right_cause.cites)
    assert grade(case, Finding(text=case.spec.cause, citations=key)).level == "right_cause"
    alert_text = " ".join(_strings([a.payload for a in case.alerts]))
    assert grade(case, Finding(text=alert_text, citations=key)).level != "right_cause"
    assert grade(case, Finding(text=f"Something is failing in {case.spec.service}.")).level != "wrong"


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)] if value is not None else []


def _evidence(case: Case) -> str:
    parts: list[Any] = [
        [a.payload for a in case.alerts],
        case.runbook,
        [n.model_dump(mode="json") for n in case.notes],
        [h.model_dump(mode="json") for h in case.history],
        case.codeowners,
        case.openmetrics,
    ]
    if case.sentry:
        parts.append(case.sentry.model_dump())
    return "\n".join(_strings(parts))


@pytest.mark.parametrize("case", CASES, ids=_slug)
def test_every_fact_of_the_right_cause_is_findable_in_the_evidence(case: Case) -> None:
    evidence = _evidence(case)
    missing = [g for g in case.spec.grading.right_cause.facts if not any(names(evidence, t) for t in g)]
    assert missing == []


def test_the_readme_lists_every_case_and_its_holdout_mark() -> None:
    table = (SUITE_DIR / "README.md").read_text().split("## The cases", 1)[1]
    rows = {line.split("`")[1]: line for line in table.splitlines() if line.startswith("| `")}
    assert set(rows) == {c.slug for c in CASES}
    assert {slug for slug, row in rows.items() if row.rstrip().endswith("| yes |")} == set(read_holdout())


def test_the_holdout_is_the_seeded_third() -> None:
    slugs = [c.slug for c in CASES]
    held = read_holdout()
    assert held == draw_holdout(slugs)
    assert 0.2 <= len(held) / len(slugs) <= 0.45


def test_a_cause_named_without_its_evidence_is_graded_on_the_lower_levels() -> None:
    case = _case("waf-regex-cpu-exhaustion")
    text = "Rule xss-body-0091 in rules-2026.05.14.2 is a backtracking regex pinning CPU on the edge-proxy pods."
    assert grade(case, Finding(text=text, citations=["prom:edge_rule_eval_seconds_total"])).level == "right_cause"
    assert grade(case, Finding(text=text, citations=["prom:http_requests_total"])).level == "one_hop_short"
    assert grade(case, Finding(text="The edge-proxy is unhealthy.")).level == "right_area"
    assert grade(case, Finding(text="The database replica is lagging.")).level == "wrong"


def test_invented_citations_are_reported_and_never_count_as_evidence() -> None:
    case = _case("waf-regex-cpu-exhaustion")
    finding = Finding(
        text=case.spec.cause, citations=["prom:edge_rule_eval_seconds_total_x", "runbook:nope", "alert:9"]
    )
    result = grade(case, finding)
    assert result.invented_citations == finding.citations
    assert result.level != "right_cause"
    with pytest.raises(UnknownCitation):
        resolve(case, "sentry:issue")


def test_a_finding_resting_only_on_planted_noise_is_flagged() -> None:
    case = _case("waf-regex-cpu-exhaustion")
    on_noise = grade(
        case, Finding(text="replica lag", citations=['prom:pg_replication_lag_seconds{instance="db-replica-2:9187"}'])
    )
    assert on_noise.rests_on_noise
    assert not grade(case, Finding(text="x", citations=["prom:edge_rules_bundle_info"])).rests_on_noise


def test_terms_are_matched_as_whole_words_and_citations_by_narrowing() -> None:
    assert names("the connection POOL is full", "pool")
    assert not names("spooling", "pool")
    assert names("release dashboard@4.18.0 broke it", "4.18.0")
    assert cites("sentry:tag:release:api@1", "sentry:tag:release")
    assert cites('prom:x{a="1",b="2"}', 'prom:x{a="1"}')
    assert cites('prom:x{a="1"}', "prom:x")
    assert not cites("prom:x", 'prom:x{a="1"}')
    assert not cites("sentry:issues", "sentry:issue")
