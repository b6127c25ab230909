"""The band's ceiling: what a model that is always right could score inside the band the rules give it."""

from __future__ import annotations

import json

from evals.harness import Outcome
from evals.report import band_ceiling, render_set, score, set_json
from warroom.severity import Severity


def _outcome(name: str, expected: str, decided: str | None, floor: str | None, confidence: str = "") -> Outcome:
    return Outcome(
        case=name,
        expected=Severity(expected),
        severity=Severity(decided) if decided else None,
        why="the reason",
        confidence=confidence,
        floor=Severity(floor) if floor else None,
    )


_CASES = [
    _outcome("secret-sure-p1-really-p0", "P0", "P1", "P1", "confident"),  # a model may raise: found
    _outcome("secret-sure-p1-right", "P1", "P1", "P1", "confident"),  # already right
    _outcome("secret-sure-p1-too-high", "P2", "P1", "P1", "confident"),  # may not lower a sure row
    _outcome("secret-unsure-p1-really-p2", "P2", "P1", "P2", "uncertain"),  # one level down: right
    _outcome("secret-unsure-p1-really-p3", "P3", "P1", "P2", "uncertain"),  # two down: held at P2
    _outcome("secret-sure-p0-really-p1", "P1", "P0", "P0", "confident"),  # a P0 never waits: not asked
    _outcome("secret-exposure", "P0", "P0", "P0", "confident"),
    _outcome("secret-resembles-p0", "P2", "P0", "P2", "uncertain"),  # back to the rules' own level
    _outcome("secret-not-played", "P1", None, None),
]


def test_the_ceiling_raises_anything_not_floored_at_p0_and_lowers_only_to_the_floor():
    ceiling = band_ceiling(_CASES)
    assert (ceiling.cases, ceiling.correct) == (9, 5)
    assert (ceiling.p0, ceiling.p0_found) == (2, 2)
    assert (ceiling.never_asked, ceiling.below_band) == (1, 2)


def test_the_ceiling_is_printed_with_the_rules_score_and_names_no_case():
    result = score(_CASES)
    assert result.ceiling == band_ceiling(_CASES)
    private = render_set(result, private=True) + json.dumps(set_json(result, private=True))
    assert (
        "a model always right inside its band would score 5/9 (55.6%), P0 2/2; out of its reach: "
        "1 P0 floors it is never asked about, 2 labels lower than the rules' floor" in private
    )
    assert "secret" not in private
    assert score([_outcome("old", "P1", "P1", None)]).ceiling is None  # nothing recorded, nothing claimed


def test_every_played_case_carries_the_floor_its_classification_set(outcomes):
    played = [o for o in outcomes if o.severity is not None]
    assert played and all(o.floor is not None for o in played)
    for outcome in played:
        assert outcome.floor >= outcome.severity
        if outcome.confidence == "confident":
            assert outcome.floor is outcome.severity, outcome.case
    assert any(o.floor is not o.severity for o in played if o.confidence == "uncertain")
