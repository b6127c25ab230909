"""Independent labels: the export hides the label, the import round-trips, the score reads them."""

from __future__ import annotations

import json

from evals.harness import Outcome, load_cases
from evals.relabel import export, import_labels
from evals.report import render_set, score, set_json
from warroom.severity import Severity

_CASE = """source = "api"
expected = "P0"
why = "checkout failing for 48% of requests: a revenue path over a quarter"

[citation]
url = "https://example.com/postmortem"
title = "The checkout outage"
company = "Examplecorp"
date = "2024-01-02"
summary = "Checkout failed for half of the requests for an hour."
"""


def _sets(tmp_path):
    root = tmp_path / "evals" / "development"
    for name in ("examplecorp-checkout", "examplecorp-search"):
        (root / name).mkdir(parents=True)
        (root / name / "case.toml").write_text(_CASE)
        body = {"title": f"{name.split('-')[1]} errors", "occurred_at": "2026-11-18T07:34:00Z"}
        (root / name / "payload.json").write_text(json.dumps(body))
    return root


def test_the_export_holds_the_alerts_and_the_brief_but_no_label_reason_citation_or_name(tmp_path):
    root = _sets(tmp_path)
    out = tmp_path / "out"
    assert export(out, root, sample=None, seed=1) == 2
    shown = "\n".join(p.read_text() for p in out.rglob("*") if p.is_file())
    assert "The severity table" in shown and "checkout errors" in shown and "api" in shown
    for hidden in ("expected", "48% of requests", "example.com", "Examplecorp", "examplecorp-"):
        assert hidden not in shown
    key = json.loads((tmp_path / "out.key.json").read_text())
    assert sorted(key.values()) == ["development/examplecorp-checkout", "development/examplecorp-search"]


def test_imported_labels_load_with_the_case_and_a_second_import_by_the_same_labeller_adds_nothing(tmp_path):
    root = _sets(tmp_path)
    out = tmp_path / "out"
    export(out, root, sample=None, seed=1)
    key = json.loads((tmp_path / "out.key.json").read_text())
    answers = {opaque: {"level": "P1", "sure": False, "why": "regional?"} for opaque in key}
    (out / "labels_A.json").write_text(json.dumps(answers))
    assert import_labels(out / "labels_A.json", by="labeller A", evals_dir=tmp_path / "evals") == 2
    assert import_labels(out / "labels_A.json", by="labeller A", evals_dir=tmp_path / "evals") == 0
    [case, _] = load_cases(root)
    assert [(r.level, r.sure, r.by) for r in case.relabel] == [(Severity.P1, False, "labeller A")]


def _outcome(name: str, expected: str, decided: str, relabels: list[str]) -> Outcome:
    return Outcome(
        case=name,
        expected=Severity(expected),
        severity=Severity(decided),
        why="the reason",
        relabels=[Severity(level) for level in relabels],
    )


def test_the_score_says_how_often_readers_agree_and_how_the_product_does_where_they_all_do():
    outcomes = [
        _outcome("secret-agreed-p0-found", "P0", "P0", ["P0", "P0"]),
        _outcome("secret-agreed-p0-missed", "P0", "P1", ["P0", "P0"]),
        _outcome("secret-split", "P1", "P2", ["P2", "P1"]),
        _outcome("secret-unread", "P2", "P2", []),
    ]
    result = score(outcomes)
    agreed = result.agreement
    assert agreed is not None
    assert (agreed.relabelled, agreed.labels, agreed.same, agreed.all_agree) == (3, 6, 5, 2)
    assert (agreed.correct_where_agreed, agreed.p0_where_agreed, agreed.p0_found_where_agreed) == (1, 2, 1)
    assert agreed.product_like_reader == 3
    private = render_set(result, private=True) + json.dumps(set_json(result, private=True))
    assert "every reader agrees on 2/3 relabelled cases, and there the product scores 1/2, P0 1/2" in private
    assert "secret" not in private
    assert "independent labels: P2, P1" in render_set(result, private=False)
    assert score([_outcome("a", "P1", "P1", [])]).agreement is None
