"""The investigation suite's runner: cases played against a real warroom, fake Sentry and real
Prometheus, graded on their findings; the model path against the scripted fake model, as in CI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine

from evals.__main__ import main
from evals.investigation.cases import load_cases, resolve
from evals.investigation.report import render, score
from evals.investigation.runner import CaseResult, run_case
from tests.fakes.openai_server import FakeOpenAI, investigator, tool_requests
from warroom.alerts.models import Alert
from warroom.findings import store as findings
from warroom.findings.models import Confidence, Finding, MadeBy, Verdict
from warroom.incidents import store as incidents
from warroom.migrations import upgrade

[BAD_RELEASE] = load_cases(names=["upload-path-restart-loop"])


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    script = investigator(
        [("sentry_latest_event", {}), ("metric_series", {"metric": "http_requests_total"})],
        extra_claims=[
            {"text": "It is the database.", "citations": []},
            {"text": "Frame 40 says so.", "citations": ["sentry:event:latest:frame:40"]},
        ],
    )
    with FakeOpenAI(script) as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        yield server


def test_the_rules_first_look_finds_a_bad_release_and_cites_it() -> None:
    result = run_case(BAD_RELEASE)
    assert result.error is None and result.path == "rules"
    assert result.level == "right_cause"
    assert {"sentry:issue:first_release", "sentry:event:latest:frame:0"} <= set(result.key_evidence_cited)
    assert result.claims == result.claims_cited and result.invented == []
    assert not result.rests_on_noise and result.tool_calls > 0 and 0 < result.text_chars < 2000


def test_the_model_path_runs_its_tool_calls_and_is_graded_on_its_grounded_finding(scripted: FakeOpenAI) -> None:
    result = run_case(BAD_RELEASE, llm_model="fake-model")
    assert result.error is None and result.path == "model"
    assert result.tool_calls == 2 and result.dropped_claims == 2
    assert result.level == "right_cause" and result.invented == []
    turns = tool_requests(scripted.requests)
    # Every incident the case opens that is investigated (P3 incidents are not) runs the two
    # tool calls, then the report: turns with 0, 1 and 2 tool answers, once per investigation.
    assert result.incidents >= 1
    answered = sorted(sum(m["role"] == "tool" for m in t["messages"]) for t in turns)
    investigations = len(answered) // 3
    assert investigations >= 1 and answered == sorted([0, 1, 2] * investigations)


def test_a_held_out_score_is_printed_without_naming_a_case() -> None:
    results = [
        CaseResult(case="secret-case", path="rules", level="right_area", claims=2, claims_cited=2, tool_calls=5),
        CaseResult(case="other-secret", path="rules", error="not investigated: its incidents were rated P3"),
    ]
    shown = render(score(results), title="rules, held-out set", private=True)
    assert "secret" not in shown
    assert "right area 1/2 (50%)" in shown and "wrong 1/2 (50%)" in shown
    assert "no finding: 1 (not investigated, rated P3: 1; errors: 0)" in shown
    assert "secret-case" in render(score(results), title="rules, development set", private=False)


def test_responders_verdicts_in_a_warroom_database_are_read_back_per_path(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'warroom.db'}"
    upgrade(url)
    engine = create_engine(url)
    now = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    with engine.begin() as conn:
        incident_id = incidents.open_incident(
            conn, Alert(source="api", delivery_key="d", dedup_key="k", title="t", occurred_at=now), now
        )
        for n, (made_by, verdict) in enumerate(
            [
                (MadeBy.RULES, Verdict.RIGHT),
                (MadeBy.RULES, Verdict.WRONG),
                (MadeBy.RULES, None),
                (MadeBy.MODEL, Verdict.PARTLY),
            ]
        ):
            finding = Finding(hypothesis="h", confidence=Confidence.LOW, made_by=made_by)
            finding_id = findings.save_finding(conn, key=f"k{n}", incident_id=incident_id, finding=finding, now=now)
            assert finding_id is not None
            if verdict is not None:
                findings.set_verdict(conn, finding_id, verdict, actor="alice", note=None, now=now)
    engine.dispose()
    assert main(["--verdicts", url]) == 0
    printed = capsys.readouterr().out
    assert "rules: right 1, partly 0, wrong 1, not judged 1, right 50% of those judged" in printed
    assert "model: right 0, partly 1, wrong 0, not judged 0, right 0% of those judged" in printed


[METRICS_ONLY] = load_cases(names=["waf-regex-cpu-exhaustion"])


def test_the_series_an_alert_names_are_read_from_a_real_prometheus_and_cited() -> None:
    result = run_case(METRICS_ONLY)
    assert result.error is None and result.level in ("right_cause", "one_hop_short")
    graphed = [c for c in result.citations if c.startswith("prom:")]
    assert graphed and all(resolve(METRICS_ONLY, c) for c in graphed)
    assert result.claims == result.claims_cited and result.invented == []


def test_the_model_may_graph_only_the_metrics_the_alerts_name(monkeypatch: pytest.MonkeyPatch) -> None:
    script = investigator(
        [
            (
                "metric_series",
                {"metric": "container_cpu_usage_seconds_total", "labels": {"pod": "edge-proxy-7d9f8-2xkqp"}},
            ),
            ("metric_series", {"metric": "node_load1"}),
        ]
    )
    with FakeOpenAI(script) as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        result = run_case(METRICS_ONLY, llm_model="fake-model")
    assert result.error is None and result.path == "model" and result.tool_calls == 2
    last = tool_requests(server.requests)[-1]
    graphed, refused = [m["content"] for m in last["messages"] if m["role"] == "tool"]
    assert (
        '"citation": "prom:container_cpu_usage_seconds_total{' in graphed
        and 'pod=\\"edge-proxy-7d9f8-2xkqp\\"' in graphed
    )
    assert "'node_load1' is not a metric an alert names" in refused
