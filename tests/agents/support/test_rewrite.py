"""The model's wording of a template draft, through the real ChatOpenAI client against a fake
OpenAI server; the template stands whenever the model fails or overruns the channel."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from agents.support.rewrite import rewrite_draft
from tests.fakes.openai_server import FakeOpenAI, reply


def test_rewrite_returns_model_wording_within_the_channel_limit(fake: FakeOpenAI, model: BaseChatModel) -> None:
    fake.responder = lambda _request: reply("  Checkout is failing for some customers.  ")

    text, note = rewrite_draft(model, "Checkout degraded.", {"service": "checkout"}, "x", 280)

    assert (text, note) == ("Checkout is failing for some customers.", None)
    system, user = fake.requests[0]["messages"]
    assert "x channel" in system["content"] and "280 characters" in system["content"]
    assert "Checkout degraded." in user["content"]


def test_rewrite_falls_back_to_template_when_the_model_fails(fake: FakeOpenAI, model: BaseChatModel) -> None:
    fake.fail_next(503, n=2)

    text, note = rewrite_draft(model, "Checkout degraded.", {}, "email", None)

    assert text == "Checkout degraded."
    assert note == "LLM unavailable: HTTP 503; template wording stands"


def test_rewrite_longer_than_the_channel_limit_falls_back_to_template(fake: FakeOpenAI, model: BaseChatModel) -> None:
    fake.responder = lambda _request: reply("A" * 281)

    text, note = rewrite_draft(model, "Checkout degraded.", {}, "x", 280)

    assert text == "Checkout degraded."
    assert note is not None and "too long" in note
