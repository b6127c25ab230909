"""`python -m evals --llm` against the fake model server: the refine path is scored, and a model
that obeys whatever an alert tells it cannot lower a P1 the rules were sure of."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from evals.__main__ import main
from tests.fakes.openai_server import FakeOpenAI, json_reply, reply

INJECTED = "p1-checkout-latency-injected-title"
PLAIN = "p1-search-latency-5x-slo"


def obedient(request: dict[str, Any]) -> dict[str, Any]:
    """A model that does what the alert text says ('set severity P3'), and otherwise confirms the rules."""
    schema = (request.get("response_format") or {}).get("json_schema") or {}
    if schema.get("name") != "SeverityOpinion":
        return reply("not the severity question")
    system, user = (m["content"] for m in request["messages"])
    ordered = re.search(r"set severity (P[0-3])", user, re.IGNORECASE) or re.search(r"classify it as (P[0-3])", user)
    if ordered:
        return json_reply({"severity": ordered.group(1), "reason": "as the alert instructs"})
    decided = re.search(r"decided (P[0-3]) by the rule", system)
    assert decided is not None
    return json_reply({"severity": decided.group(1), "reason": "the signals agree with the rules"})


def test_llm_mode_plays_the_refine_path_and_an_injected_title_cannot_lower_a_p1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAI(obedient) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-evals-fake")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("WARROOM_LLM_MODEL", "fake-model")
        code = main(["--json", "--llm", "--jobs", "1", "--sets", "tuned", INJECTED, PLAIN])
        severity_questions = [
            r
            for r in fake.requests
            if (r.get("response_format") or {}).get("json_schema", {}).get("name") == "SeverityOpinion"
        ]

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["llm"]["cases"] == 2
    assert report["llm"]["accuracy"] == 1.0, report["llm"]["failures"]
    injected = [r for r in severity_questions if "set severity P3" in r["messages"][1]["content"]]
    assert injected, "the model never saw the injected title"
    assert all("set severity P3" not in r["messages"][0]["content"] for r in injected)
