"""The second reader: the bundled encoder, the committed detector, and how it may move a decision."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from agents.cto.decision import decide
from agents.cto.refine import _apply_opinion
from agents.cto.resemblance import look
from agents.cto.resemblance.detector import THRESHOLD, Detector, Neighbour, Resemblance, detector
from agents.cto.resemblance.encoder import encoder
from agents.cto.resemblance.fit import fit
from agents.cto.severity import classify
from agents.cto.signals import read_signals
from agents.cto.signals.facts import StatementKind
from evals.harness import load_cases
from evals.resemblance import TRAINING_SETS
from evals.sets import HOLDOUT
from tests.agents.cto.alerts import alert
from tests.fakes.spec import spec_path
from warroom.severity import Confidence, Severity

REFERENCE = json.loads(spec_path("minilm/reference-embeddings.json").read_text())


@pytest.mark.parametrize("index", range(len(REFERENCE["texts"])))
def test_the_numpy_encoder_gives_sentence_transformers_own_embeddings(index: int):
    """The last reference text is longer than 256 tokens: both cut it at the same place."""
    mine = encoder().embed(REFERENCE["texts"][index])
    assert np.abs(mine - np.array(REFERENCE["embeddings"][index])).max() < 1e-5


def test_the_committed_detector_was_fitted_on_exactly_the_public_sets_with_their_labels():
    fitted = detector()
    cases = [case for case_set in TRAINING_SETS for case in load_cases(case_set.root)]
    assert fitted.cases == [case.name for case in cases], "run `uv run python -m evals.resemblance` after a set changes"
    assert fitted.is_p0.tolist() == [case.expected is Severity.P0 for case in cases]
    assert not set(fitted.cases) & {p.name for p in Path(HOLDOUT.root).iterdir()}


def test_refitting_the_committed_embeddings_gives_the_committed_weights():
    fitted = detector()
    weights, intercept = fit(fitted.embeddings, fitted.is_p0)
    assert np.allclose(weights, fitted.weights, atol=1e-6)
    assert intercept == pytest.approx(fitted.intercept, abs=1e-6)


def test_the_committed_embeddings_are_the_encoders_own_for_the_committed_texts():
    fitted = detector()
    for i in range(0, len(fitted.texts), 37):
        assert np.abs(encoder().embed(fitted.texts[i]) - fitted.embeddings[i]).max() < 1e-5, fitted.cases[i]


def test_the_nearest_cases_are_named_and_a_training_text_finds_itself():
    fitted = detector()
    read = fitted.judge(fitted.embeddings[0])
    assert read.nearest[0].case == fitted.cases[0]
    assert read.nearest[0].similarity == pytest.approx(1.0, abs=1e-3)
    assert len(read.nearest) == 3


def test_a_lockout_the_rules_size_as_errors_is_raised_to_an_uncertain_p0_the_on_call_can_undo():
    locked_out = alert(
        "Customers locked out: SSO provider returns 500 on every callback", service="idp", level="warning"
    )
    assert decide(read_signals(locked_out)).severity is Severity.P1
    result = classify(locked_out)
    assert (result.severity, result.rule, result.confidence) == (Severity.P0, "resembles_p0", Confidence.UNCERTAIN)
    assert result.floor is Severity.P1, "the rules' own level is the floor: the on-call or the model may go back to it"
    assert result.asks_confirmation
    assert result.facts["rules_alone"] == "P1" and result.facts["p0_resemblance"] >= THRESHOLD
    said = next(e for e in result.evidence if e.signal == "resemblance")
    assert "nearest labelled cases" in said.detail and said.points_to is Severity.P0


def test_an_alert_that_reads_like_nothing_serious_is_left_where_the_rules_put_it():
    slow = alert("nightly report export slow", "export job took 48 minutes instead of 20", service="reports")
    assert classify(slow) == decide(read_signals(slow))


def _reads(p: float) -> Resemblance:
    return Resemblance(p0_probability=p, nearest=[Neighbour(case="some-case", p0=True, similarity=0.9)])


@pytest.fixture
def reads_like_p0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(look, "resemblance", lambda text: _reads(0.99))


@pytest.mark.usefixtures("reads_like_p0")
@pytest.mark.parametrize(
    ("title", "fields", "rule"),
    [
        ("checkout errors on staging", {"service": "checkout", "environment": "staging"}, "non_production"),
        ("disk 85% on worker-2; no customer impact", {"service": "worker"}, None),
    ],
)
def test_what_the_table_settles_otherwise_is_never_raised(title: str, fields: dict[str, str], rule: str | None):
    decided = decide(read_signals(alert(title, **fields)))
    assert decided.severity is not Severity.P0
    if rule:
        assert decided.rule == rule
    else:
        assert StatementKind.NO_IMPACT.value in decided.facts["statements"]
    assert classify(alert(title, **fields)) == decided


def test_a_p0_is_left_alone_and_only_a_reading_at_the_threshold_raises(monkeypatch: pytest.MonkeyPatch):
    down = alert("checkout unreachable", service="checkout", level="warning")
    monkeypatch.setattr(look, "resemblance", lambda text: _reads(0.99))
    assert classify(down) == decide(read_signals(down))
    errors = alert("IntegrityError in OrderSerializer", source="sentry", event_count=4, users_affected=2)
    monkeypatch.setattr(look, "resemblance", lambda text: _reads(THRESHOLD - 0.001))
    assert classify(errors).rule != "resembles_p0"
    monkeypatch.setattr(look, "resemblance", lambda text: _reads(THRESHOLD))
    assert classify(errors).rule == "resembles_p0"


def test_the_model_may_take_a_raise_back_to_the_rules_level_with_a_reason_but_not_below(reads_like_p0: None):
    from agents.cto.refine import SeverityOpinion

    raised = classify(alert("IntegrityError in OrderSerializer", source="sentry", event_count=4, users_affected=2))
    rules_level = raised.floor
    back = _apply_opinion(
        raised, SeverityOpinion(severity=rules_level, reason="one serializer bug, four events"), "llm:m"
    )
    assert back.severity is rules_level
    if rules_level is not Severity.P3:
        below = Severity(f"P{rules_level.rank + 1}")
        held = _apply_opinion(raised, SeverityOpinion(severity=below, reason="a serializer bug, nothing more"), "llm:m")
        assert held.severity is Severity.P0


def test_the_detector_file_round_trips(tmp_path: Path):
    fitted = detector()
    fitted.save(tmp_path / "copy.npz")
    again = Detector.load(tmp_path / "copy.npz")
    assert again.cases == fitted.cases and again.texts == fitted.texts
    assert np.array_equal(again.embeddings, fitted.embeddings) and again.intercept == fitted.intercept


def test_a_broken_second_reader_leaves_the_rules_decision_and_says_so(monkeypatch: pytest.MonkeyPatch):
    def broken(text: str) -> Resemblance:
        raise FileNotFoundError("model.safetensors")

    monkeypatch.setattr(look, "resemblance", broken)
    errors = alert("IntegrityError in OrderSerializer", source="sentry", event_count=4, users_affected=2)
    decided = decide(read_signals(errors))
    result = classify(errors)
    assert (result.severity, result.rule, result.floor) == (decided.severity, decided.rule, decided.floor)
    assert result.evidence[-1].detail == "not read (FileNotFoundError): the rules' level stands"


def test_a_labelled_cases_own_words_recall_its_label_and_do_not_raise(monkeypatch: pytest.MonkeyPatch):
    """The demo's single 'TypeError ... (reading 'amount')' is word for word the tuned P0 storm, which volume made
    P0: the rules, counting this alert's one event, keep their level."""
    errors = alert("IntegrityError in OrderSerializer", source="sentry", event_count=4, users_affected=2)
    same = Resemblance(
        p0_probability=0.99, nearest=[Neighbour(case="p0-checkout-error-storm", p0=True, similarity=1.0)]
    )
    monkeypatch.setattr(look, "resemblance", lambda text: same)
    assert classify(errors) == decide(read_signals(errors))
