"""A model's severity answers, recorded once and replayed: the `--llm` path scored without a network.

No model endpoint is reachable where the evals run, so the refine step (`agents/cto/refine.py`) could
only ever be scored against scripted fakes. This records the product's own severity requests, byte
for byte, so that a reader (a model behind another door, or a helper session standing in for one)
answers them as the model would; a local OpenAI-compatible server then replays each answer to the
request it was given for, and `python -m evals --recorded NAME` scores the path through the real
`ChatOpenAI` client, the real prompt and the real floor.

    uv run python -m evals.recorded_model export /tmp/asks --set holdout
    # the reader writes /tmp/asks/answers_NAME.json: {"<id>": {"severity": "P1", "reason": "..."}}
    uv run python -m evals.recorded_model import /tmp/asks/answers_NAME.json --set holdout --by NAME
    uv run python -m evals --sets holdout --recorded NAME

A request is named by the hash of its messages, so the export carries no case name, label or
citation; only the product's prompt. A request with no recorded answer gets an error, and the
rules stand for it, as they do when a real provider fails: the score says how many went unanswered.
`export --recorded NAME` answers what is recorded and exports only what is new (a case whose later
request depends on an earlier answer).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, TypeAdapter

from agents.cto.refine import SeverityOpinion
from api.server import serve_app_in_thread
from evals.harness import load_cases, run_cases
from evals.sets import EVALS_DIR, SETS
from warroom.severity import Severity

__all__ = ["Answer", "RecordedModel", "answers_for", "ask_id", "recorded_model", "main"]

RECORDED_DIR = EVALS_DIR / "recorded"
_BRIEF = """# Answer as the model

Each `<id>.md` here is one request warroom sends its optional model when it classifies an incident:
the system message, then the user message, verbatim. Answer each one as the model would, from that
file alone, following its instructions (including the range of levels it allows). Do not look up
the incident elsewhere.

Write every answer into one file, `answers_<YOUR NAME>.json`, in this folder:

    {"<id>": {"severity": "P0", "reason": "one or two sentences citing the signals"}, ...}
"""


class Answer(BaseModel):
    """What the model is asked for (`agents.cto.refine.SeverityOpinion`), as the reader gave it."""

    model_config = ConfigDict(extra="forbid")

    severity: Severity
    reason: str


_ANSWERS = TypeAdapter(dict[str, Answer])


def ask_id(body: dict[str, Any]) -> str:
    """The request's name: a hash of its messages (roles and text), nothing the reader could trace."""
    messages = [(m.get("role"), m.get("content")) for m in body.get("messages", [])]
    return hashlib.sha256(json.dumps(messages, ensure_ascii=False).encode()).hexdigest()[:16]


def _is_severity(body: dict[str, Any]) -> bool:
    """The refine step asks for structured output named for its `SeverityOpinion`; wording and investigation
    requests ask for none, and a postmortem's sections ask for another schema: those are not severity requests,
    and a severity answer to one would only be refused by its parser."""
    response_format = body.get("response_format")
    if not isinstance(response_format, dict):
        return False
    schema = response_format.get("json_schema")
    return not isinstance(schema, dict) or schema.get("name") in (None, SeverityOpinion.__name__)


def answers_for(name: str, folder: Path = RECORDED_DIR) -> dict[str, Answer]:
    """Every recorded answer by `name`, over all sets. `A+B` is reader A's record with reader B's answers to
    the requests A never saw (a prompt or rule change asks new questions; A's answers to the old ones stand)."""
    merged: dict[str, Answer] = {}
    for reader in reversed(name.split("+")):
        for path in sorted(folder.glob(f"*.{reader}.json")):
            merged.update(_ANSWERS.validate_json(path.read_bytes()))
    return merged


class RecordedModel:
    """An OpenAI-compatible app that answers severity requests from `answers` and keeps every severity
    request it was sent (`asked`), answered or not, for the next export."""

    def __init__(self, answers: dict[str, Answer]) -> None:
        self.answers = answers
        self.asked: dict[str, dict[str, Any]] = {}
        self.answered: set[str] = set()
        self._lock = threading.Lock()

    @property
    def unanswered(self) -> set[str]:
        return set(self.asked) - self.answered

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat_completions(request: Request) -> JSONResponse:
            body = await request.json()
            if not isinstance(body, dict) or not _is_severity(body):
                return _error("only severity requests are recorded; the templates stand")
            key = ask_id(body)
            with self._lock:
                self.asked[key] = body
                answer = self.answers.get(key)
                if answer is not None:
                    self.answered.add(key)
            if answer is None:
                return _error(f"no recorded answer for {key}")
            content = json.dumps({"severity": answer.severity.value, "reason": answer.reason})
            return JSONResponse(
                {
                    "id": f"chatcmpl-{key}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "recorded"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content, "refusal": None},
                            "logprobs": None,
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                }
            )

        return app


def _error(message: str) -> JSONResponse:
    """A 400: the client does not retry it, so the rules stand at once, as with a failing provider."""
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error"}}, status_code=400)


@contextmanager
def recorded_model(name: str, answers: dict[str, Answer] | None = None) -> Iterator[RecordedModel]:
    """The replay server, with the environment `agents.llm.make_chat_model` reads pointing at it
    (`WARROOM_LLM_MODEL` is `recorded-NAME`); the environment is put back afterwards."""
    server = RecordedModel(answers_for(name) if answers is None else answers)
    keys = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "WARROOM_LLM_MODEL")
    saved = {k: os.environ.get(k) for k in keys}
    try:
        with serve_app_in_thread(server.app(), name="recorded-model") as url:
            os.environ.update(
                OPENAI_BASE_URL=f"{url}/v1",
                OPENAI_API_KEY="recorded-answers-no-key",
                WARROOM_LLM_MODEL=f"recorded-{name}",
            )
            yield server
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def export(folder: Path, root: Path, answers: dict[str, Answer]) -> tuple[int, int]:
    """Play the cases under `root` with `answers` and write every severity request that has none yet
    to `folder/<id>.md`. Returns (requests written, requests already answered)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "BRIEF.md").write_text(_BRIEF)
    with recorded_model("export", answers) as server:
        run_cases(load_cases(root), llm_model=os.environ["WARROOM_LLM_MODEL"], lifecycle=False)
    for key in sorted(server.unanswered):
        system, user = (m["content"] for m in server.asked[key]["messages"])
        (folder / f"{key}.md").write_text(f"# system\n\n{system}\n\n# user\n\n{user}\n")
    return len(server.unanswered), len(server.answered)


def import_answers(path: Path, set_name: str, name: str, folder: Path = RECORDED_DIR) -> int:
    """Merge a reader's answers into `<folder>/<set>.<name>.json`; returns how many are new (an
    answer already kept is never replaced: a record is what was answered, once)."""
    given = _ANSWERS.validate_json(path.read_bytes())
    target = folder / f"{set_name}.{name}.json"
    kept = _ANSWERS.validate_json(target.read_bytes()) if target.exists() else {}
    new = {k: v for k, v in given.items() if k not in kept}
    merged = {**kept, **new}
    folder.mkdir(exist_ok=True)
    target.write_text(json.dumps({k: merged[k].model_dump(mode="json") for k in sorted(merged)}, indent=1) + "\n")
    return len(new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.recorded_model", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    out = commands.add_parser("export", help="write the severity requests that have no recorded answer")
    out.add_argument("folder", type=Path)
    out.add_argument("--set", required=True, choices=[s.name for s in SETS])
    out.add_argument("--recorded", help="answer with this reader's recorded answers; export only the rest")
    into = commands.add_parser("import", help="keep a reader's answers in evals/recorded/")
    into.add_argument("file", type=Path)
    into.add_argument("--set", required=True, choices=[s.name for s in SETS])
    into.add_argument("--by", required=True, help="the reader's name: letters, digits and dashes")
    args = parser.parse_args(argv)
    if args.command == "export":
        root = next(s for s in SETS if s.name == args.set).root
        written, answered = export(args.folder, root, answers_for(args.recorded) if args.recorded else {})
        print(f"{written} requests written to {args.folder} ({answered} answered from the record)")
    else:
        if not args.by.replace("-", "").isalnum():
            parser.error("--by: letters, digits and dashes only")
        print(f"{import_answers(args.file, args.set, args.by)} new answers kept")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
