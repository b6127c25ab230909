"""The labelled sets the evals score, and the seeded rule that splits the adapted cases.

`tuned` is `evals/cases/`: the rules were tuned while looking at it, so its score is not a
held-out figure. The adapted cases (public postmortems and status-page entries, labelled from the
severity table before the product was run on them) are split by a fixed rule on each case's
folder name: `in_holdout` puts about a third of them in `evals/holdout/`, the rest in
`evals/development/`. The rule is per case, so adding a case never moves another one, and
`tests/evals/test_sets.py` fails if a case sits on the wrong side. The held-out set is printed as
aggregates only (`private`), so whoever changes the rules does not see its cases by accident.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from evals.harness import CASES_DIR

__all__ = ["DEVELOPMENT", "HOLDOUT", "PARAPHRASE", "HOLDOUT_SEED", "SETS", "TUNED", "CaseSet", "SetGate", "in_holdout"]

EVALS_DIR = Path(__file__).resolve().parent
HOLDOUT_SEED = 13


def in_holdout(name: str) -> bool:
    """Whether the adapted case named `name` belongs to the held-out third (fixed seed, one case at a time)."""
    digest = hashlib.sha256(f"{HOLDOUT_SEED}:{name}".encode()).hexdigest()
    return int(digest, 16) % 3 == 0


@dataclass(frozen=True)
class SetGate:
    """What an adapted set must keep scoring: the level first achieved on it, less a small margin."""

    accuracy: float
    p0_recall: float


@dataclass(frozen=True)
class CaseSet:
    name: str
    root: Path
    title: str
    lifecycle: bool
    """P0/P1 cases are carried to resolution for the comms and postmortem suites."""
    private: bool
    """Only aggregates are shown, never a case name or a failure."""
    gate: SetGate | None = None
    """Checked by `python -m evals` (exit code) when the whole set is played."""


TUNED = CaseSet(
    "tuned", CASES_DIR, "tuned set (evals/cases; the rules were tuned on it)", lifecycle=True, private=False
)
DEVELOPMENT = CaseSet(
    "development",
    EVALS_DIR / "development",
    "development set",
    lifecycle=False,
    private=False,
    gate=SetGate(accuracy=0.86, p0_recall=0.90),
)
"""Gate: what the set scores after the last rule change, less a margin: 88/88 and P0 recall 29/29 after
issue 13's rule change, 131/132 (58/59) with the 44 cases added on 2026-12-04, and 264/276 (P0
109/112) with the 144 written blind to the rules in stop 31 (the gate came down from 97% because those
cases were added, not because a case that passed began to fail), 269/285 (P0 112/116) with nine more on
2026-12-05, and 300/330 (P0 122/130) with 45 more written blind to the rules in stop 34 (they scored 31/45
as written; the gate came down from 93%/96% for them, while the 285 before still score 269), and 320/355
(P0 129/138) with 25 more written blind in stop 38 (17/25 as written, 19/25 after a latency reading fix, 20/25
with the detector refitted on them; the 330 before still score 300), and 345/382 (P0 137/147) with 27 more written
blind in stop 39 (17/27 as written, 24/27 after general reader fixes; of the 355 before, one more scores, 321), and
364/408 (P0 143/154) with 26 more written blind in stop 40 (18/26 as written, 19/26 with the detector refitted on
them; the 382 before still score 345), and 407/457 (P0 158/172) with 49 more written blind in stop 41 (the 71 written
scored 50 as written; the gate's P0 recall came down from 92% for them, while the 408 before still score 364, P0
143/154), and 437/499 (P0 164/178) with 42 more written blind in stop 42 (the 72 written scored 48 as written,
27/42 of these; 30/42 after general reader fixes; the gate's accuracy came down from 89% for them, while the 457
before still score 407, P0 158/172), and 465/538 (P0 174/189) with 39 more written blind in stop 43 (the 60 written
scored 36 as written, 25/39 of these; no rule changed, the detector was refitted on them; the gate's accuracy came
down from 87% for them, while the 499 before still score 440), and 506/575 (P0 186/201) with 37 more written blind in stop 45
(the 60 written scored 50 as written, 31/37 of these; 36/37 after general reader fixes; the 538 before went from 472
to 470: three more right from the readers, five fewer once the P0 detector no longer raises a case it was fitted on,
which only recalled that case's label), and 589/659 (P0 209/223) with 84 more written blind in stop 46 (two batches of
60: 38/60 and 46/60 as written, 25/40 and 33/44 of these; 75/84 after general reader fixes narrowed by two reviews;
the 575 before went from 506 to 514), and 620/693 (P0 217/231) with 34 more written blind in stop 47 (27/34 as
written, 31/34 after reader fixes; the 659 before still score 589), and 653/737 (P0 228/245) with 44 more written
blind in stop 48 (28/44 as written, 32/44 after reader fixes narrowed by a review; the 693 before went from 620 to
621), and 687/782 (P0 237/258) with 45 more written blind in stop 49 (29/45 as written, 34/45 after reader fixes
narrowed by a review; the 737 before still score 653), and 719/827 (P0 245/271) with 45 more written blind in stop 50
(33/45 as written, 32/45 after one reader fix and the detector refitted on them, which no longer raises a case it was
fitted on; the gate's P0 recall came down from 91% for them, while the 782 before still score 687, P0 237/258). The
held-out set has no gate: its figure is below the issue's bar (see the README)."""
HOLDOUT = CaseSet("holdout", EVALS_DIR / "holdout", "held-out set", lifecycle=False, private=True)
PARAPHRASE = CaseSet(
    "paraphrase",
    EVALS_DIR / "paraphrase",
    "paraphrase set (development incidents reworded: robustness, not a held-out figure)",
    lifecycle=False,
    private=False,
)
"""Each case rewords one development case (`paraphrase_of`) with the same label: other synonyms, units,
number forms, field placement and service names. It measures whether the readers understand the
incident or only the wording they were tuned on. No gate: it is a measurement."""
SETS = (TUNED, DEVELOPMENT, PARAPHRASE, HOLDOUT)
