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
from warroom.severity import Classification, Confidence, Evidence, Severity


def checkout_outage(
    severity: Severity, floor: Severity, confidence: Confidence = Confidence.CONFIDENT
) -> Classification:
    return Classification(
        severity=severity,
        reason="checkout failing",
        floor=floor,
        rule="critical_path_degraded",
        confidence=confidence,
        facts={"surface": "revenue_access", "failing_share": 0.12},
        evidence=[
            Evidence(
                signal="critical_path_degraded",
                detail="a critical path degraded but mostly working (5-25% failing)",
                points_to=severity,
                rule="table:critical_path_degraded",
                quote="checkout 5xx 12% over 5m",
            )
        ],
    )


def test_a_confident_decision_is_its_own_floor_so_the_model_cannot_lower_it(
    fake: FakeOpenAI, model: BaseChatModel
) -> None:
    fake.responder = lambda _request: json_reply({"severity": "P2", "reason": "only 3% of requests fail"})
    base = checkout_outage(Severity.P1, floor=Severity.P1)

    result, note = refine_classification(model, base, {"error_rate": 0.03}, {})

    assert note is None
    assert result.severity is Severity.P1
    assert result.evidence[: len(base.evidence)] == base.evidence
    opinion, held = result.evidence[-2:]
    assert (opinion.points_to, opinion.rule) == (Severity.P2, "llm:fake-model")
    assert held.signal == "severity_floor" and held.points_to is Severity.P1
    assert "proposed P2" in held.detail and "P1 holds" in held.detail


def test_a_p0_floor_is_not_put_to_the_model_so_a_p0_never_waits_for_it(fake: FakeOpenAI, model: BaseChatModel) -> None:
    fake.delay = 30.0
    base = checkout_outage(Severity.P0, floor=Severity.P0)

    assert refine_classification(model, base, {}, {"alert_title": "checkout down"}) == (base, None)
    assert fake.requests == []


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


def test_an_uncertain_p1_may_be_lowered_one_level_with_a_reason(fake: FakeOpenAI, model: BaseChatModel) -> None:
    fake.responder = lambda _request: json_reply(
        {"severity": "P2", "reason": "the failing share is 6% and only on a retry path"}
    )
    base = checkout_outage(Severity.P1, floor=Severity.P2, confidence=Confidence.UNCERTAIN)

    result, _ = refine_classification(model, base, {}, {})

    assert result.severity is Severity.P2
    assert result.decided_by == "llm:fake-model"
    assert result.confidence is Confidence.UNCERTAIN


def test_an_uncertain_p1_cannot_be_lowered_past_its_band(fake: FakeOpenAI, model: BaseChatModel) -> None:
    fake.responder = lambda _request: json_reply({"severity": "P3", "reason": "looks minor to me, honestly"})
    base = checkout_outage(Severity.P1, floor=Severity.P2, confidence=Confidence.UNCERTAIN)

    result, _ = refine_classification(model, base, {}, {})

    assert result.severity is Severity.P1
    assert "proposed P3" in result.evidence[-1].detail and "P2 to P1" in result.evidence[-1].detail


def test_lowering_without_a_reason_is_refused(fake: FakeOpenAI, model: BaseChatModel) -> None:
    fake.responder = lambda _request: json_reply({"severity": "P2", "reason": " "})
    base = checkout_outage(Severity.P1, floor=Severity.P2, confidence=Confidence.UNCERTAIN)

    result, _ = refine_classification(model, base, {}, {})

    assert result.severity is Severity.P1
    assert "without a reason" in result.evidence[-1].detail


def test_the_model_sees_typed_signals_and_the_fired_rule_as_facts_and_the_alert_words_as_untrusted(
    fake: FakeOpenAI, model: BaseChatModel
) -> None:
    fake.responder = lambda _request: json_reply({"severity": "P1", "reason": "agrees with the rules"})
    base = checkout_outage(Severity.P1, floor=Severity.P2, confidence=Confidence.UNCERTAIN)

    refine_classification(model, base, {}, {"alert_title": "checkout 5xx 12% over 5m"})

    system, user = (m["content"] for m in fake.requests[0]["messages"])
    assert "`critical_path_degraded` (uncertain)" in system
    assert '"failing_share": 0.12' in system and '"surface": "revenue_access"' in system
    assert "between P2 and P0" in system
    assert "checkout 5xx 12% over 5m" not in system
    quotes = user.index("<<<UNTRUSTED evidence_quotes>>>")
    assert quotes < user.index("checkout 5xx 12% over 5m", quotes) < user.index("<<<END UNTRUSTED evidence_quotes>>>")


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
    base = checkout_outage(Severity.P1, floor=Severity.P1)

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
    assert "proposed P3" in result.evidence[-1].detail
