"""The optional chat model, and how untrusted text is handed to it.

warroom is correct without a model (DESIGN.md: deterministic engine by default); a model only
improves wording and reasoning. So building one never fails loudly: without configuration there
is simply no model, and every caller has a deterministic answer ready.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata

import openai
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI
from pydantic import ValidationError

from warroom.redaction import redact_secrets
from warroom.settings import Settings

__all__ = [
    "NOT_A_NAME",
    "delimit_untrusted",
    "describe_failure",
    "facts_json",
    "make_chat_model",
    "model_name",
    "plain_name",
]

_OPEN = "<<<UNTRUSTED {label}>>>"
_CLOSE = "<<<END UNTRUSTED {label}>>>"
# Runs of angle-bracket-like characters (ASCII, full-width, guillemets, math and CJK brackets)
# could forge our `<<<` / `>>>` markers; a single one cannot, so only runs are neutralised.
_LOOKALIKE_RUN = re.compile(
    "[<>\u00ab\u00bb\u02c2\u02c3\u2039\u203a\u27e8\u27e9\u276e\u276f\u3008\u3009\ufe64\ufe65\uff1c\uff1e]{2,}"
)
_LABEL_UNSAFE = re.compile(r"[^a-z0-9_]+")
_TOKEN = r"[^\s<>\"'`\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]{1,120}"
_PLAIN_NAME = re.compile(r"[\w.\-/:@]{1,120}")
_PLAIN_ENDPOINT = re.compile(rf"(?:[A-Z]{{3,7}} )?{_TOKEN}(?: in {_TOKEN})?")
NOT_A_NAME = "(not a plain name: quoted with the untrusted text)"
"""What the trusted facts show in place of a name that reads like prose."""


def make_chat_model(settings: Settings, *, timeout: float = 20.0) -> BaseChatModel | None:
    """A chat model when `WARROOM_LLM_MODEL` and `OPENAI_API_KEY` are both set, else None.

    The key and `OPENAI_BASE_URL` are read by `ChatOpenAI` from the environment itself, so the key
    never passes through our code, logs or prompts. Chat Completions is used (not the Responses
    API) because that is what every OpenAI-compatible endpoint speaks. One retry only: the
    deterministic answer is always there, so a slow model must not hold an incident up.
    """
    if not settings.llm_model or not os.environ.get("OPENAI_API_KEY"):
        return None
    return ChatOpenAI(
        model=settings.llm_model,
        timeout=timeout,
        max_retries=1,
        use_responses_api=False,
    )


def model_name(model: BaseChatModel) -> str:
    """The name evidence and timelines credit, e.g. `gpt-4o-mini`."""
    for attribute in ("model_name", "model"):
        value = getattr(model, attribute, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


def delimit_untrusted(label: str, text: str) -> str:
    """`text` wrapped in markers that tell the model it is data to read, not orders to follow.

    Whatever the text contains cannot close the block early: runs of angle-bracket look-alikes
    (after NFKC folding, so full-width forms count too) become `_`, and control characters other
    than newline and tab are dropped. Credentials in it (`warroom.redaction`) never reach the
    provider: every piece of third-party text a prompt carries passes through here.
    """
    safe_label = _LABEL_UNSAFE.sub("_", label.lower()).strip("_") or "text"
    folded = unicodedata.normalize("NFKC", text)
    cleaned = redact_secrets("".join(ch for ch in folded if ch in "\n\t" or unicodedata.category(ch)[0] != "C"))
    body = _LOOKALIKE_RUN.sub("_", cleaned)
    return f"{_OPEN.format(label=safe_label)}\n{body}\n{_CLOSE.format(label=safe_label)}"


def plain_name(value: str, *, endpoint: bool = False) -> bool:
    """Whether a name an alert chose reads as systems write one: a service or an environment is one word
    of at most 120 letters, digits and `_ . - / : @`; an endpoint is one token without quotes, angle
    brackets or invisible characters, which may also carry its method and its Sentry culprit's function
    (`POST /v1/sign_ins`, `app/main.bundle in bootstrap`). Such a name may sit among a prompt's trusted
    facts; anything else is prose someone put in a name field, and prose from an alert goes with the
    untrusted text. A sentence written as one word (`IGNORE_THE_RULES`) still passes: the floor, not
    this test, is what bounds what the model can do with it."""
    return bool((_PLAIN_ENDPOINT if endpoint else _PLAIN_NAME).fullmatch(value))


def describe_failure(error: BaseException) -> str:
    """A short, secret-free reason for the timeline: never the provider's own message."""
    if isinstance(error, openai.APITimeoutError):
        return "timed out"
    if isinstance(error, openai.APIConnectionError):
        return "could not connect"
    if isinstance(error, openai.APIStatusError):
        return f"HTTP {error.status_code}"
    if isinstance(error, (ValidationError, ValueError)):
        return "invalid output"
    return type(error).__name__


def facts_json(facts: dict[str, object]) -> str:
    """Trusted facts as the prompts show them: stable key order, dates as text. A name warroom took
    from an alert (a service, an endpoint with its query string) could still hold a credential, so
    every string is redacted as untrusted text is."""
    return json.dumps(_redacted(facts), indent=2, sort_keys=True, default=str)


def _redacted(value: object) -> object:
    if isinstance(value, str):
        return redact_secrets(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted(item) for item in value]
    return value
