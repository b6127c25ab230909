"""The `warroom` command answers `--help`, `--version` and a typo without importing the server,
the graphs or the model SDKs (they took 5.7 s to import on the 2-core machine)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

from typer.testing import CliRunner

from api.cli import app

HEAVY = ("fastapi", "uvicorn", "langgraph", "langchain_core", "langchain_openai", "openai", "slack_sdk", "jinja2")


def test_importing_the_command_line_loads_none_of_the_server_or_the_agents() -> None:
    probe = f"import sys, json, api.cli; print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(result.stdout) == []


def test_version_prints_the_installed_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"warroom {version('warroom')}"


def test_every_command_is_still_listed_in_the_help() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "worker", "migrate", "demo", "check-config", "incident", "draft", "jobs", "outbox"):
        assert command in result.output
