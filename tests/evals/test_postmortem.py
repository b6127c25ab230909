"""The postmortem gate, and proof that each completeness check fails on the draft it is meant to catch."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from evals.harness import Outcome
from evals.lifecycle import Response
from evals.postmortem import judge_postmortem, score_postmortems

pytestmark = pytest.mark.timeout(300)


def test_every_resolved_p0_p1_postmortem_is_complete_true_and_blameless(outcomes):
    result = score_postmortems(outcomes)
    assert result.errors == []
    assert result.cases == sum(o.response is not None for o in outcomes) >= 40
    assert [f"{f.case} [{f.check}] {f.detail}" for f in result.failures] == []


def test_a_blaming_note_is_kept_out_of_the_root_cause(outcomes):
    [outcome] = [o for o in outcomes if o.case == "p0-checkout-success-rate-metric"]
    assert "Sam forgot" in outcome.response.notes[1]
    assert "Sam" not in outcome.response.postmortem["data"]["root_cause"]


@pytest.fixture
def response(outcomes: list[Outcome]) -> Response:
    [outcome] = [o for o in outcomes if o.case == "p0-checkout-error-storm"]
    assert outcome.response is not None and judge_postmortem(outcome.response) == {}
    return outcome.response


def _with(response: Response, markdown: str | None = None, **data: object) -> Response:
    pm = response.postmortem
    changed = {**pm, "markdown": markdown or pm["markdown"], "data": {**pm["data"], **data}}
    return response.model_copy(update={"postmortem": changed})


def test_a_missing_section_is_caught(response):
    markdown = response.postmortem["markdown"].replace("## Five whys", "## Why")
    assert "Five whys" in judge_postmortem(_with(response, markdown))["sections"]


def test_an_action_item_without_an_owner_is_caught(response):
    items = [{**response.action_items[0], "owner": ""}, *response.action_items[1:]]
    assert "action_items" in judge_postmortem(response.model_copy(update={"action_items": items}))


def test_a_status_page_entry_off_its_stored_time_is_caught(response):
    timeline = [dict(e) for e in response.postmortem["data"]["timeline"]]
    entry = next(e for e in timeline if e["source"] == "status page")
    entry["at"] = (datetime.fromisoformat(entry["at"]) + timedelta(minutes=1)).isoformat()
    assert "timeline" in judge_postmortem(_with(response, timeline=timeline))


def test_a_duration_that_is_not_resolved_minus_started_is_caught(response):
    impact = {**response.postmortem["data"]["impact"], "duration": 60.0}
    assert "durations" in judge_postmortem(_with(response, impact=impact))


def test_blaming_language_is_caught(response):
    markdown = response.postmortem["markdown"] + "\nDana Reyes broke checkout with a careless deploy.\n"
    assert "blameless" in judge_postmortem(_with(response, markdown))


def test_a_root_cause_other_than_the_noted_one_is_caught(response):
    assert "root_cause" in judge_postmortem(_with(response, root_cause="a cosmic ray"))


def test_a_customer_address_in_the_postmortem_is_caught(response):
    markdown = response.postmortem["markdown"] + "\n| T99 | 02:10 UTC | comms | | sent to ann@example.com |\n"
    assert "no_addresses" in judge_postmortem(_with(response, markdown))


def test_an_unknown_why_where_the_notes_give_the_cause_is_caught(response):
    whys = [{"question": "Why?", "answer": "unknown — to be completed", "source": "to be completed"}]
    assert "whys_from_notes" in judge_postmortem(_with(response, five_whys=whys))


def test_a_title_whose_duration_differs_from_the_impact_is_caught(response):
    assert "one_duration" in judge_postmortem(_with(response, title="Checkout failed for 3 minutes"))


def test_a_we_will_sentence_left_unfiled_is_caught(response):
    notes = [*response.notes, "We'll page the payments team on every checkout P0."]
    assert "commitments_filed" in judge_postmortem(response.model_copy(update={"notes": notes}))


def test_a_pile_of_machine_items_or_a_repeated_one_is_caught(response):
    items = response.postmortem["data"]["action_items"]
    extra = [
        {**items[-1], "title": f"Review dashboard number {n} for the service", "source": "missed target"}
        for n in range(6)
    ]
    assert "few_specific_items" in judge_postmortem(_with(response, action_items=items + extra))
    assert "few_specific_items" in judge_postmortem(_with(response, action_items=items + items[-1:]))
    assert "few_specific_items" not in judge_postmortem(response)
