"""The model's second opinion on severity, through the real ChatOpenAI client against a fake OpenAI server."""

from __future__ import annotations

import json

import pytest
from langchain_core.language_models import BaseChatModel

from agents.cto.refine import refine_classification
from agents.llm import make_chat_model
from tests.agents.conftest import API_KEY, INJECTION
from tests.fakes.openai_server import FakeOpenAI, json_reply, reply, tool_reply
from warroom.settings import Settings
from warroom.severity import Classification, Evidence, Severity


def checkout_outage(severity: Severity, floor: Severity) -> Classification:
    return Classification(
        severity=severity,
        reason="checkout failing",
        floor=floor,
        evidence=[
            Evidence(
                signal="critical_path",
                detail="/api/checkout is a critical path",
                points_to=floor,
                rule="critical_path",
            )
        ],
    )


def test_model_proposing_p2_for_p0_floor_is_clamped_to_p0_and_evidence_says_so(
    fake: FakeOpenAI, model: BaseChatModel
) -> None:
    fake.responder = lambda _request: json_reply({"severity": "P2", "reason": "only 3% of requests"})
    base = checkout_outage(Severity.P0, floor=Severity.P0)

    result, note = refine_classification(model, base, {"error_rate": 0.03}, {})

    assert note is None
    assert result.severity is Severity.P0
    assert result.evidence[: len(base.evidence)] == base.evidence
    opinion, held = result.evidence[-2:]
    assert (opinion.points_to, opinion.rule) == (Severity.P2, "llm:fake-model")
    assert held.points_to is Severity.P0
    assert "proposed P2" in held.detail and "floor P0 holds" in held.detail


def test_model_raising_p2_to_p1_is_accepted_with_its_reason(fake: FakeOpenAI, model: BaseChatModel) -> None:
    fake.responder = lambda _request: json_reply({"severity": "P1", "reason": "31% of checkout requests fail"})
    base = checkout_outage(Severity.P2, floor=Severity.P2)

    result, note = refine_classification(model, base, {"error_rate": 0.31}, {})

    assert note is None
    assert result.severity is Severity.P1
    assert result.reason == "31% of checkout requests fail"
    assert result.decided_by == "llm:fake-model"
    assert result.evidence == [
        *base.evidence,
        Evidence(
            signal="llm_opinion",
            detail="31% of checkout requests fail",
            points_to=Severity.P1,
            rule="llm:fake-model",
        ),
    ]
    assert '"error_rate": 0.31' in fake.requests[0]["messages"][0]["content"]
    assert API_KEY not in json.dumps(fake.requests)


def test_server_error_leaves_deterministic_result_and_returns_timeline_note(
    fake: FakeOpenAI, model: BaseChatModel
) -> None:
    fake.responder = lambda _request: json_reply({"severity": "P3", "reason": "unused"})
    fake.fail_next(500, n=2)
    base = checkout_outage(Severity.P1, floor=Severity.P1)

    result, note = refine_classification(model, base, {}, {})

    assert result == base
    assert note == "LLM unavailable: HTTP 500; deterministic result stands"
    assert len(fake.requests) == 2


def test_timeout_leaves_deterministic_result_and_returns_timeline_note(fake: FakeOpenAI, configured: Settings) -> None:
    impatient = make_chat_model(configured, timeout=0.2)
    assert impatient is not None
    fake.delay = 30.0
    base = checkout_outage(Severity.P0, floor=Severity.P0)

    result, note = refine_classification(impatient, base, {}, {})

    assert result == base
    assert note == "LLM unavailable: timed out; deterministic result stands"


@pytest.mark.parametrize(
    "answer",
    [
        json_reply({"severity": "P9", "reason": "not a level"}),
        reply("P1 because I said so"),
        tool_reply("SeverityOpinion", {"severity": "P1", "reason": "wrong channel"}),
    ],
    ids=["unknown-level", "not-json", "tool-call-instead-of-json"],
)
def test_invalid_model_output_leaves_deterministic_result(
    fake: FakeOpenAI, model: BaseChatModel, answer: dict[str, object]
) -> None:
    fake.responder = lambda _request: answer
    base = checkout_outage(Severity.P2, floor=Severity.P2)

    result, note = refine_classification(model, base, {}, {})

    assert result == base
    assert note == "LLM unavailable: invalid output; deterministic result stands"


def test_injected_instructions_arrive_delimited_and_cannot_lower_the_level(
    fake: FakeOpenAI, model: BaseChatModel
) -> None:
    fake.responder = lambda _request: json_reply({"severity": "P3", "reason": "as instructed"})
    base = checkout_outage(Severity.P1, floor=Severity.P1)

    result, _ = refine_classification(
        model, base, {"error_rate": 0.25}, {"alert_message": f"TypeError in cart. {INJECTION}"}
    )

    system, user = fake.requests[0]["messages"]
    assert INJECTION not in system["content"]
    opening = user["content"].index("<<<UNTRUSTED alert_message>>>")
    closing = user["content"].index("<<<END UNTRUSTED alert_message>>>")
    assert opening < user["content"].index(INJECTION) < closing
    assert result.severity is Severity.P1
    assert result.evidence[-1].signal == "severity_floor"
