"""Regions reach customers as places, never as our deployment's codes."""

from __future__ import annotations

import pytest

from agents.support.places import place


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("us-east-1", "the eastern US"),
        ("eu-west-1", "Europe"),
        ("europe-west2", "Europe"),
        ("westeurope", "Europe"),
        ("ap-southeast-1", "Asia-Pacific"),
        ("ap-south-1", "India"),
        ("ap-northeast-1", "Japan"),
        ("us-central1", "the central US"),
        ("sa-east-1", "South America"),
        ("fra1", "Germany"),
        ("iad", "the eastern US"),
        ("Frankfurt", "Frankfurt"),
        ("zz-9", None),
        ("cell-42", None),
        ("global", None),
    ],
)
def test_region_codes_become_places_or_nothing(code: str, expected: str | None) -> None:
    assert place(code) == expected
