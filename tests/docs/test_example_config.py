"""docs/warroom.example.toml loads under the strict loader and is safe as it stands: nothing goes
to a customer without approval, someone can be paged, customers get a link back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from warroom.config_check import load_settings, risks
from warroom.severity import Severity

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "warroom.example.toml"


@pytest.fixture
def example(monkeypatch):
    for name in [n for n in os.environ if n.startswith("WARROOM_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("WARROOM_CONFIG", str(EXAMPLE))
    return load_settings()


def test_the_example_loads_and_warns_about_nothing(example) -> None:
    assert risks(example) == []


def test_the_example_sends_nothing_to_customers_on_its_own(example) -> None:
    for channel in ("email", "enterprise_email", "discord", "x"):
        assert not any(example.auto_sends(channel, severity) for severity in Severity), channel


def test_the_example_says_who_is_paged_and_who_a_handle_means(example) -> None:
    assert example.on_call.email and [p.email for p in example.escalation]
    assert [p.name for p in example.people_named("@example/payments")] == ["Ana Ortiz", "Raj Patel"]
    assert example.ack_sla_minutes[Severity.P0] == 5 and example.ack_sla_minutes[Severity.P1] == 15
    assert example.status_url == "https://status.example.com"
    assert example.accounts["acme"].email_domains == ["acme.example"]
