"""The adapted sets: every case is well-formed and cited, the held-out split is the recorded one, and
nothing about a held-out case reaches the print-out or the JSON unless asked for."""

from __future__ import annotations

import hashlib
import json

import pytest

from evals.__main__ import main
from evals.harness import Outcome, load_cases, run_case
from evals.report import render_set, score, set_json
from evals.sets import DEVELOPMENT, HOLDOUT, HOLDOUT_SEED, PARAPHRASE, TUNED
from warroom.severity import Severity


def _recorded_rule(name: str) -> bool:
    """The split as recorded in evals/README.md, written out again so that a change to `in_holdout` shows."""
    return int(hashlib.sha256(f"13:{name}".encode()).hexdigest(), 16) % 3 == 0


def test_every_adapted_case_parses_cites_its_source_and_carries_a_label_and_a_reason():
    cases = load_cases(DEVELOPMENT.root) + load_cases(HOLDOUT.root)
    assert len(cases) >= 120
    for case in cases:
        assert case.citation is not None, case.name
        assert case.citation.url.startswith(("https://", "http://")), case.name
        assert case.citation.summary and case.citation.company and case.citation.date, case.name
        assert case.why.strip() and case.expected in Severity, case.name
    assert sum(c.expected is Severity.P0 for c in cases) >= 30
    assert all(any(c.expected is level for c in cases) for level in Severity)


def test_the_split_is_the_recorded_seeded_split():
    assert HOLDOUT_SEED == 13
    development = [c.name for c in load_cases(DEVELOPMENT.root)]
    holdout = [c.name for c in load_cases(HOLDOUT.root)]
    assert [n for n in development if _recorded_rule(n)] == [], "these belong in evals/holdout"
    assert [n for n in holdout if not _recorded_rule(n)] == [], "these belong in evals/development"
    assert len(holdout) >= 80 and len(development) >= 178, "a case was removed from an adapted set"


def test_adapted_cases_are_not_also_tuned_cases():
    tuned = {c.name for c in load_cases(TUNED.root)}
    adapted = {c.name for c in load_cases(DEVELOPMENT.root) + load_cases(HOLDOUT.root)}
    assert tuned.isdisjoint(adapted)


def _outcome(case: str, expected: str, got: str | None, error: str | None = None) -> Outcome:
    return Outcome(
        case=case,
        expected=Severity(expected),
        severity=Severity(got) if got else None,
        why="payments failing for 48% of requests",
        reason="rule critical-path-failing",
        evidence=["error_ratio: 0.48 from summary"],
        error=error,
    )


def test_a_private_set_prints_and_dumps_aggregates_but_no_case():
    outcomes = [
        _outcome("secret-case-one", "P0", "P1"),
        _outcome("secret-case-two", "P2", "P2"),
        _outcome("secret-case-three", "P1", None, error="RuntimeError: refused"),
    ]
    result = score(outcomes)
    private = render_set(result, private=True) + json.dumps(set_json(result, private=True))
    for detail in ("secret-case", "48% of requests", "critical-path-failing", "error_ratio", "refused"):
        assert detail not in private
    assert "1/3 correct" in private and "not played: 1" in private
    shown = render_set(result, private=False) + json.dumps(set_json(result, private=False))
    assert "secret-case-one" in shown and "error_ratio" in shown


def test_naming_cases_skips_the_held_out_set_instead_of_showing_single_results(capsys):
    assert main(["--sets", "holdout", "--json", "any-case"]) == 0
    assert "skipped" in json.loads(capsys.readouterr().out)["holdout"]


@pytest.mark.timeout(120)
def test_a_severity_only_run_stops_after_the_classification():
    [case] = load_cases(TUNED.root, names=["p0-whole-site-5xx"])
    outcome = run_case(case, lifecycle=False)
    assert outcome.severity is not None and outcome.error is None
    assert outcome.response is None and outcome.response_error is None


def test_every_paraphrase_retells_a_development_case_with_its_label_and_citation():
    development = {c.name: c for c in load_cases(DEVELOPMENT.root)}
    paraphrases = load_cases(PARAPHRASE.root)
    assert len(paraphrases) >= 75
    for case in paraphrases:
        original = development.get(case.paraphrase_of or "")
        assert original is not None, f"{case.name}: paraphrase_of names no development case"
        assert case.expected is original.expected and case.citation == original.citation, case.name
        assert case.steps[0].payload != original.steps[0].payload, f"{case.name}: not reworded"
        assert case.source == original.source, case.name


def test_the_score_says_how_often_the_rules_are_right_when_sure_and_when_they_ask():
    outcomes = [
        _outcome("a", "P0", "P0").model_copy(update={"confidence": "confident"}),
        _outcome("b", "P1", "P2").model_copy(update={"confidence": "confident"}),
        _outcome("c", "P2", "P2").model_copy(update={"confidence": "uncertain"}),
    ]
    result = score(outcomes)
    assert result.by_confidence == {"confident": {"cases": 2, "correct": 1}, "uncertain": {"cases": 1, "correct": 1}}
    printed = render_set(result, private=True)
    assert "confident 1/2 right; uncertain 1/1 right (asked of the on-call, except at P3)" in printed


def test_a_sentry_case_must_be_sent_as_the_resource_its_payload_is(tmp_path):
    """Sent under the wrong Sentry-Hook-Resource, an issue payload opens no incident: the case would score 'none'
    for a reason that has nothing to do with the rules."""
    folder = tmp_path / "some-issue-case"
    folder.mkdir()
    (folder / "payload.json").write_text(json.dumps({"action": "created", "data": {"issue": {"id": "1"}}}))
    spec = 'source = "sentry"\nexpected = "P2"\nwhy = "a failing feature, size unknown"\n'
    (folder / "case.toml").write_text(spec)
    with pytest.raises(ValueError, match="needs resource = 'issue'"):
        load_cases(tmp_path)
    (folder / "case.toml").write_text(spec.replace('"sentry"\n', '"sentry"\nresource = "issue"\n', 1))
    assert load_cases(tmp_path)[0].steps[0].resource == "issue"


def test_an_api_case_must_be_a_body_the_alerts_api_accepts(tmp_path):
    folder = tmp_path / "some-api-case"
    folder.mkdir()
    (folder / "payload.json").write_text(
        json.dumps({"title": "checkout failing", "started_at": "2026-11-18T07:34:00Z"})
    )
    (folder / "case.toml").write_text('source = "api"\nexpected = "P1"\nwhy = "checkout errors, size unknown"\n')
    with pytest.raises(ValueError, match="would refuse this body"):
        load_cases(tmp_path)


def test_a_case_with_earlier_recovered_firings_needs_a_first_delivery_the_harness_can_recover(tmp_path):
    """The harness writes a Sentry recovery only for a metric alert, so a history of self-clearing firings cannot be
    played from a Sentry event alert."""
    folder = tmp_path / "examplecorp-blip"
    folder.mkdir()
    (folder / "case.toml").write_text(
        'source = "sentry"\nresource = "event_alert"\nexpected = "P3"\nwhy = "a blip"\n'
        "[[past]]\ndays_ago = 2\nrecovered_after_minutes = 3\n"
    )
    (folder / "payload.json").write_text(json.dumps({"action": "triggered", "data": {"event": {"title": "x"}}}))
    with pytest.raises(ValueError, match="a Sentry recovery only for a metric alert"):
        load_cases(tmp_path)


def test_every_alert_of_a_grouped_delivery_is_scored_not_only_the_first(tmp_path):
    """An Alertmanager group carries several alerts, and each may open its own incident: a case whose second alert
    is the outage (a broker down first, then 96.8% of orders failing) is answered by the worse of the two."""
    from tests.fakes.spec import spec_payload

    payload = spec_payload("alertmanager-firing.json")
    first, second = payload["alerts"][:2]
    first["labels"].update(service="exchange-messaging", alertname="BrokerRestarted", severity="warning")
    first["annotations"] = {"summary": "exchange-messaging broker restarted", "description": "1 restart in 10m"}
    second["labels"].update(service="checkout", alertname="CheckoutFailing", severity="critical")
    second["annotations"] = {"summary": "checkout: 96.8% of order requests failing", "description": ""}
    folder = tmp_path / "grouped-delivery"
    folder.mkdir()
    (folder / "payload.json").write_text(json.dumps(payload))
    (folder / "case.toml").write_text('source = "alertmanager"\nexpected = "P0"\nwhy = "checkout failing for 97%"\n')
    outcome = run_case(load_cases(tmp_path)[0], lifecycle=False)
    assert (outcome.severity, outcome.incidents) == (Severity.P0, 2)
