"""Forms found in the development part of the stop-42 blind batch: a count of nothing as the subject, a
latency named under its objective, a monitor's own thresholds, a capacity projection, a team's spelling of
production, queue age, and failures every retry absorbed. Each is a form, with a near miss that must still
read as before."""

from __future__ import annotations

import pytest

from agents.cto.decision import decide
from agents.cto.signals.facts import StateKind
from agents.cto.signals.text import negated
from tests.agents.cto.alerts import signals
from warroom.severity import Severity


@pytest.mark.parametrize(
    ("text", "word", "denied"),
    [
        ("0 tasks failed permanently", "failed", True),
        ("no order import is delayed beyond the normal schedule", "delayed", True),
        ("no customer data was lost", "lost", True),
        ("0 of 12 probes failed", "failed", False),
        ("10 tasks failed", "failed", False),
        ("0.5 tasks failed", "failed", False),
        ("webhooks have no journal entry and cannot be replayed", "cannot", False),
    ],
)
def test_a_count_of_nothing_as_the_subject_denies_the_state(text: str, word: str, denied: bool):
    assert negated(text, text.index(word)) is denied


def test_no_order_import_delayed_is_not_zero_orders():
    read = signals("Import/export task timeouts", "no order import is delayed beyond the normal schedule")
    assert read.throughput == []
    assert signals("Order rate", "no orders received since 02:10").throughput[0].remaining == 0


def test_a_latency_named_under_its_objective_is_not_a_degraded_state():
    fine = signals("Disk IO high", "API p95 latency 290ms (SLO 500ms); no errors.")
    assert StateKind.DEGRADED not in {s.kind for s in fine.states}
    slow = signals("Search slow", "API p95 latency 2.9s (SLO 500ms)")
    assert StateKind.DEGRADED in {s.kind for s in slow.states}


def test_the_monitors_own_thresholds_are_not_readings_and_a_projection_is_time_left():
    read = signals(
        "mysql-main primary disk IO high",
        "Disk IO utilization averaged 81% during the daily peak hour (warning at 80%). "
        "Projected to reach saturation in ~6 weeks at current growth.",
    )
    assert sorted(s.percent for s in read.saturation if s.percent is not None) == [81.0]
    [forecast] = [s for s in read.saturation if s.resource == "capacity forecast"]
    assert forecast.forecast_seconds == 6 * 7 * 86_400


@pytest.mark.parametrize(
    ("label", "production"),
    [
        ("gprd", True),
        ("eu-prod", True),
        ("prod-2", True),
        ("production", True),
        ("preprod", False),
        ("pre-prod", False),
        ("nonprod", False),
        ("gstg", False),
        ("staging", False),
    ],
)
def test_a_teams_own_spelling_of_production_is_production(label: str, production: bool):
    [environment, *_] = signals("push to remote mirror failed", environment=label).environment
    assert environment.production is production


def test_the_age_of_a_queues_oldest_message_is_delay():
    read = signals("response insert queue 38,412 msgs, oldest 47 min, 0/12 consumers active")
    assert StateKind.DELAYED in {s.kind for s in read.states}


def test_failures_every_retry_absorbed_are_isolated_errors():
    text = (
        "31 task attempts timed out in the last hour (0.4% of 7,712)",
        "Every timed-out attempt was re-queued and completed on retry; 0 tasks failed permanently.",
    )
    decided = decide(signals(*text, service="import-export"))
    assert (decided.severity, decided.rule) == (Severity.P3, "isolated_errors")
    unabsorbed = decide(signals(text[0], "Timed-out attempts are not retried.", service="import-export"))
    assert unabsorbed.severity is Severity.P2


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("LedgerIndexMismatch: 27 indexed entries have no row in ledger_entries", "loss"),
        ("queue references point to missing stored messages (storage GET 404 on sampled ids)", "loss"),
        ("38 shipments carry a barcode already assigned to another parcel", "corruption"),
    ],
)
def test_rows_gone_from_their_table_and_identifiers_given_twice_are_loss_and_corruption(text: str, kind: str):
    assert kind in {e.kind for e in signals("Ledger check", text).exposure}


@pytest.mark.parametrize(
    "text",
    [
        "0 indexed entries have no row in ledger_entries",
        "reconciled: every indexed entry has a row in ledger_entries",
        "username already assigned to another account (signup validation)",
    ],
)
def test_nothing_missing_and_a_validation_message_are_not_loss(text: str):
    assert not {e.kind for e in signals("Ledger check", text).exposure} & {"loss", "corruption"}


def test_an_http_route_named_batch_is_a_request_not_background_work():
    route = signals("Indexing API rejecting writes", "1,312 calls answered 503", endpoints=["/1/indexes/*/batch"])
    assert route.surface.kind.value != "batch"
    task = signals("Task failing", "nightly job failed", endpoints=["reports.batch_export"])
    assert task.surface.kind.value == "batch"


def test_a_clause_that_ends_by_calling_its_measures_normal_names_no_bad_state():
    fine = signals(
        "Canary scheduler lag", "guest CPU steal and proxy latency for machines on these hosts within normal range"
    )
    assert StateKind.DEGRADED not in {s.kind for s in fine.states}
    mixed = signals("Canary scheduler lag", "checkout latency elevated, other services normal")
    assert StateKind.DEGRADED in {s.kind for s in mixed.states}


def test_a_rate_down_from_one_number_to_another_is_not_the_service_down():
    assert StateKind.DOWN not in {s.kind for s in signals("x", "jobs started/min down from ~1,900 to 410").states}
    assert StateKind.DOWN in {s.kind for s in signals("x", "job scheduler down for all orgs").states}
