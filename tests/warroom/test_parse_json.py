"""`parse_json`'s orjson path gives exactly what the standard library's gives: the same values
(types included: an integer past 64 bits stays an exact int) and the same refusal, word for
word, on whatever a sender might post."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.untrusted import MalformedJSON, parse_json, parse_json_slowly

SPECS = Path(__file__).resolve().parent.parent / "specs"


def _outcome(parse, body: bytes) -> tuple[str, Any]:
    try:
        return "value", _typed(parse(body))
    except MalformedJSON as exc:
        return "refused", str(exc)


def _typed(value: Any) -> Any:
    """The value with every number's type made visible (1 == 1.0 == True in Python)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return (type(value).__name__, value)


EDGES = [
    b"{}",
    b" [1, 2.5, -0.0, 1e308, 0.1e-400] ",
    b'{"a": 1, "a": 2}',
    b'{"id": 18446744073709551615}',
    b'{"id": 18446744073709551616}',
    b'{"id": -9223372036854775809}',
    b'{"id": 123456789012345678901234567890}',
    b'{"note": "order 1234567890123456789 failed"}',
    b'{"v": 1e400}',
    b'{"v": -1e400}',
    b'{"v": NaN}',
    b'{"v": Infinity}',
    b'"\\ud800"',
    b'{"k\\u0000": "v\\u0000"}',
    b'"\\udc00\\ud800x"',
    b"\xef\xbb\xbf{}",
    b'{"a": "\xff"}',
    b'{"a": "\xc3\xa9"}',
    b'{"a": "line\nbreak"}',
    b"[1, 2,]",
    b'{"a": 1} trailing',
    b"",
    b"   ",
    b"01",
    b"[" * 64 + b"]" * 64,
    b"[" * 65 + b"]" * 65,
    b"[" * 2000 + b"]" * 2000,
    b'["' + b"[" * 100 + b'"]',
    b"[[[]]",
]


@pytest.mark.parametrize("body", EDGES, ids=[repr(b[:30]) for b in EDGES])
def test_edges_read_as_the_standard_library_reads_them(body: bytes) -> None:
    assert _outcome(parse_json, body) == _outcome(parse_json_slowly, body)


def test_an_integer_past_64_bits_stays_exact() -> None:
    assert parse_json(b'{"id": 18446744073709551616}') == {"id": 18446744073709551616}
    assert type(parse_json(b'{"id": -9223372036854775809}')["id"]) is int


@pytest.mark.parametrize("path", sorted(SPECS.rglob("*.json")), ids=lambda p: str(p.relative_to(SPECS)))
def test_every_recorded_payload_reads_the_same(path: Path) -> None:
    body = path.read_bytes()
    assert _outcome(parse_json, body) == _outcome(parse_json_slowly, body)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_any_document_reads_the_same(value: Any) -> None:
    body = json.dumps(value).encode()
    assert _outcome(parse_json, body) == _outcome(parse_json_slowly, body)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64) | st.text(max_size=64).map(str.encode))
def test_any_bytes_are_refused_or_read_alike(body: bytes) -> None:
    assert _outcome(parse_json, body) == _outcome(parse_json_slowly, body)
