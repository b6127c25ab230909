"""`bench.ingest_inprocess`: both modes run and measure what they say (every delivery answered
202 through the app, or the run fails)."""

from __future__ import annotations

import pytest

from bench import ingest_inprocess


def test_the_app_mode_posts_signed_deliveries_that_are_all_accepted() -> None:
    assert ingest_inprocess._through_the_app(40, seed=1) > 0


def test_the_app_mode_fails_when_a_delivery_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(ingest_inprocess, "SECRET", "not-the-secret-the-app-was-given-" + "1" * 9)
    real = ingest_inprocess.checkout_outage
    monkeypatch.setattr(ingest_inprocess, "checkout_outage", lambda _secret, **kw: real("another-secret", **kw))
    with pytest.raises(RuntimeError, match="answered 401"):
        ingest_inprocess._through_the_app(5, seed=1)


def test_the_transaction_mode_writes_the_storm() -> None:
    assert ingest_inprocess._transactions(20, 4, seed=1) > 0
