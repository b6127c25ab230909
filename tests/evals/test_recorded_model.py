"""Recorded model answers: the export shows only the product's prompt, the import keeps answers once,
and the replay drives the real refine step through the real client, so a recorded raise decides."""

from __future__ import annotations

import json
import os

from evals.__main__ import main
from evals.harness import load_cases, run_cases
from evals.recorded_model import Answer, _is_severity, answers_for, ask_id, export, import_answers, recorded_model
from warroom.severity import Severity

_CASE = """source = "api"
expected = "P0"
why = "a secret exposed to another tenant: the data-exposure floor"

[citation]
url = "https://example.com/postmortem"
title = "The invoice mix-up"
company = "Examplecorp"
date = "2024-01-02"
summary = "Invoices of one tenant were rendered for another."
"""


def _set(tmp_path):
    root = tmp_path / "evals" / "development" / "examplecorp-invoices"
    root.mkdir(parents=True)
    (root / "case.toml").write_text(_CASE)
    body = {
        "title": "billing-ui render warnings",
        "message": "PDF renderer logged 14 warnings in 10 minutes; header template looked odd.",
        "service": "billing-ui",
        "level": "warning",
        "occurred_at": "2026-11-18T07:34:00Z",
    }
    (root / "payload.json").write_text(json.dumps(body))
    return root.parent


def test_the_export_is_the_products_request_and_nothing_about_the_case(tmp_path):
    root, out = _set(tmp_path), tmp_path / "asks"

    written, answered = export(out, root, {})

    assert (written, answered) == (1, 0)
    (ask,) = [p for p in out.glob("*.md") if p.name != "BRIEF.md"]
    text = ask.read_text()
    assert "# system" in text and "Severity levels" in text
    assert "<<<UNTRUSTED alert_1>>>" in text and "header template looked odd" in text
    for secret in ("examplecorp", "example.com", "data-exposure floor", "expected", "invoice mix-up"):
        assert secret not in text.lower()


def test_a_recorded_raise_decides_through_the_real_client_and_an_unanswered_request_leaves_the_rules(tmp_path):
    root, out = _set(tmp_path), tmp_path / "asks"
    cases = load_cases(root)
    with recorded_model("nobody", {}) as server:
        (rules,) = run_cases(cases, llm_model="recorded-nobody", jobs=1, lifecycle=False)
    assert server.unanswered and rules.severity is not Severity.P0

    export(out, root, {})
    (ask,) = [p.stem for p in out.glob("*.md") if p.name != "BRIEF.md"]
    given = out / "answers_r.json"
    given.write_text(json.dumps({ask: {"severity": "P0", "reason": "another tenant's invoices shown: exposure"}}))
    kept = tmp_path / "recorded"
    assert import_answers(given, "development", "r", kept) == 1
    given.write_text(json.dumps({ask: {"severity": "P3", "reason": "a second answer never replaces the first"}}))
    assert import_answers(given, "development", "r", kept) == 0

    with recorded_model("r", answers_for("r", kept)) as server:
        (raised,) = run_cases(cases, llm_model="recorded-r", jobs=1, lifecycle=False)
    assert raised.severity is Severity.P0
    assert not server.unanswered and server.answered == {ask}


def test_the_request_id_is_the_messages_alone():
    body = {"model": "m", "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]}
    assert ask_id(body) == ask_id({**body, "model": "other", "temperature": 0})
    assert ask_id(body) != ask_id({**body, "messages": [{"role": "user", "content": "u"}]})
    assert Answer(severity=Severity.P1, reason="r").severity is Severity.P1


def test_evals_recorded_scores_the_model_path_says_what_went_unanswered_and_puts_the_environment_back(
    monkeypatch, capsys
):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("WARROOM_LLM_MODEL", raising=False)

    code = main(
        ["--json", "--recorded", "nobody-recorded-this", "--jobs", "1", "--sets", "tuned", "p1-search-latency-5x-slo"]
    )

    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["llm"]["cases"] == 1
    assert report["recorded"]["requests"] >= 1 and report["recorded"]["unanswered"] == report["recorded"]["requests"]
    assert "OPENAI_BASE_URL" not in os.environ and "WARROOM_LLM_MODEL" not in os.environ


def test_a_second_reader_answers_only_what_the_first_never_saw(tmp_path):
    """`A+B`: a rule or prompt change asks new questions; A's answers to the old ones stand, B fills the rest."""
    (tmp_path / "development.a.json").write_text(
        json.dumps({"old": {"severity": "P1", "reason": "a's"}, "both": {"severity": "P2", "reason": "a's"}})
    )
    (tmp_path / "holdout.b.json").write_text(
        json.dumps({"both": {"severity": "P0", "reason": "b's"}, "new": {"severity": "P3", "reason": "b's"}})
    )
    merged = answers_for("a+b", tmp_path)
    assert {key: (a.severity, a.reason) for key, a in merged.items()} == {
        "old": (Severity.P1, "a's"),
        "both": (Severity.P2, "a's"),
        "new": (Severity.P3, "b's"),
    }
    assert answers_for("b+a", tmp_path)["both"].reason == "b's"


def test_only_the_refine_steps_schema_is_a_severity_request():
    """A postmortem's sections also ask for structured output: exported as a severity request, a reader was asked
    to rate a postmortem draft, and its answer could only be refused by the postmortem's parser."""

    def body(name: str) -> dict:
        return {"messages": [], "response_format": {"type": "json_schema", "json_schema": {"name": name, "schema": {}}}}

    assert _is_severity(body("SeverityOpinion"))
    assert not _is_severity(body("NarrativeDraft"))
    assert not _is_severity({"messages": []})  # wording and investigation requests
