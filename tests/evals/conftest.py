"""One run of every labelled case per test session, scored by all three suites."""

from __future__ import annotations

import pytest

from evals.harness import Outcome, load_cases, run_cases


@pytest.fixture(scope="session")
def outcomes() -> list[Outcome]:
    return run_cases(load_cases())
