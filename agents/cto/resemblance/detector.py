"""How much an alert's words resemble the P0 alerts of the labelled public cases.

The rules read facts (shares, surfaces, statements) and miss what they have no words for: on
alerts written by people who never saw them, they found half of the P0s. A sentence embedding
does not need the exact words. `p0_detector.npz` holds a logistic regression over
all-MiniLM-L6-v2 embeddings, fitted by `python -m evals.resemblance` on the tuned, development
and paraphrase sets (never the held-out one), with those cases' names, labels, texts and
embeddings so that a test can refit it and the evidence can name the nearest cases.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from agents.cto.resemblance.encoder import encoder

__all__ = ["DETECTOR_FILE", "NEAREST", "THRESHOLD", "Detector", "Neighbour", "Resemblance", "detector", "resemblance"]

DETECTOR_FILE = Path(__file__).with_name("p0_detector.npz")
THRESHOLD = 0.5
"""Leaving each of the nine blind development batches out in turn, raising the rules to P0 at 0.5 found 48 of 53
P0s (the rules as first written: 27) and wrongly raised 13 of 90 others."""
NEAREST = 3


class Neighbour(BaseModel):
    """A labelled case whose alert reads most like this one."""

    case: str
    p0: bool
    similarity: float


class Resemblance(BaseModel):
    model_config = ConfigDict(frozen=True)

    p0_probability: float
    nearest: list[Neighbour]

    @property
    def reads_like_p0(self) -> bool:
        return self.p0_probability >= THRESHOLD


class Detector(BaseModel):
    """The fitted detector and the cases it was fitted on."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    cases: list[str]
    is_p0: NDArray[np.bool_]
    texts: list[str]
    embeddings: NDArray[np.float32]
    weights: NDArray[np.float64]
    intercept: float

    @classmethod
    def load(cls, path: Path = DETECTOR_FILE) -> Detector:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                cases=[str(c) for c in data["cases"]],
                is_p0=data["is_p0"],
                texts=[str(t) for t in data["texts"]],
                embeddings=data["embeddings"],
                weights=data["weights"],
                intercept=float(data["intercept"]),
            )

    def save(self, path: Path = DETECTOR_FILE) -> None:
        np.savez_compressed(
            path,
            cases=np.array(self.cases),
            is_p0=self.is_p0,
            texts=np.array(self.texts),
            embeddings=self.embeddings,
            weights=self.weights,
            intercept=np.array(self.intercept),
        )

    def judge(self, vector: NDArray[np.float32]) -> Resemblance:
        score = float(vector.astype(np.float64) @ self.weights + self.intercept)
        similarity = self.embeddings.astype(np.float32) @ vector
        order = np.argsort(-similarity, kind="stable")[:NEAREST]
        return Resemblance(
            p0_probability=round(1.0 / (1.0 + np.exp(-score)), 4),
            nearest=[
                Neighbour(case=self.cases[i], p0=bool(self.is_p0[i]), similarity=round(float(similarity[i]), 3))
                for i in order
            ],
        )


@cache
def detector() -> Detector:
    return Detector.load()


@lru_cache(maxsize=2048)
def resemblance(text: str) -> Resemblance:
    """The detector's reading of `text`; cached, since an incident is reclassified as alerts fold in."""
    return detector().judge(encoder().embed(text))
