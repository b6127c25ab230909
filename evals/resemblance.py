"""`python -m evals.resemblance`: refit the P0 detector (`agents/cto/resemblance/p0_detector.npz`).

Every case of the tuned, development and paraphrase sets is played through the product with the
second look switched off, and the text the rules classified (the most severe classification of
the case) is embedded and labelled P0 or not from the case's own label. The held-out set is never
read. Rerun it whenever a public case is added or relabelled: `tests/agents/cto/test_resemblance.py`
fails until the file matches the sets again.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import agents.cto.severity as severity
from agents.cto.resemblance.detector import DETECTOR_FILE, Detector
from agents.cto.resemblance.encoder import encoder
from agents.cto.resemblance.fit import fit
from agents.cto.signals import SeverityInput
from evals.harness import Case, load_cases, run_case
from evals.sets import DEVELOPMENT, PARAPHRASE, TUNED
from warroom.severity import Classification, Severity

__all__ = ["TRAINING_SETS", "classified_text", "refit"]

TRAINING_SETS = (TUNED, DEVELOPMENT, PARAPHRASE)


def classified_text(case: Case) -> str:
    """The text of the case's most severe classification by the rules alone."""
    seen: list[tuple[Severity, str]] = []

    def record(alert: SeverityInput, decided: Classification) -> Classification:
        seen.append((decided.severity, alert.message or alert.title))
        return decided

    original = severity.second_look
    severity.second_look = record
    try:
        outcome = run_case(case, lifecycle=False)
    finally:
        severity.second_look = original
    if outcome.error or not seen:
        raise RuntimeError(f"{case.name}: {outcome.error or 'nothing was classified'}")
    return min(seen, key=lambda s: s[0].rank)[1]


def refit() -> Detector:
    cases = [case for case_set in TRAINING_SETS for case in load_cases(case_set.root)]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        texts = list(pool.map(classified_text, cases))
    embeddings = np.array([encoder().embed(text) for text in texts], dtype=np.float32)
    is_p0 = np.array([case.expected is Severity.P0 for case in cases])
    weights, intercept = fit(embeddings, is_p0)
    return Detector(
        cases=[case.name for case in cases],
        is_p0=is_p0,
        texts=texts,
        embeddings=embeddings,
        weights=weights,
        intercept=intercept,
    )


if __name__ == "__main__":
    detector = refit()
    detector.save()
    print(f"{DETECTOR_FILE}: {len(detector.cases)} cases, {int(detector.is_p0.sum())} P0")
