"""The `warroom` command answers `--help`, `--version` and a typo without importing the server,
the graphs or the model SDKs (they took 5.7 s to import on the 2-core machine)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from importlib.metadata import version

import pytest
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


def _without_warroom(monkeypatch) -> None:
    import os

    for name in [n for n in os.environ if n.startswith("WARROOM_")]:
        monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgresql+psycopg://warroom:hunter2@127.0.0.1:1/warroom", "Connection refused"),
        ("mysql://db.example/warroom", "No module named 'MySQLdb' (warroom runs on sqlite:///path or postgresql"),
        ("not a url", "(not a database URL)"),
    ],
)
def test_a_database_that_cannot_be_opened_is_one_line_and_exit_status_2(monkeypatch, url, said) -> None:
    _without_warroom(monkeypatch)
    monkeypatch.setenv("WARROOM_DATABASE_URL", url)
    result = CliRunner().invoke(app, ["migrate"])
    assert result.exit_code == 2
    assert "cannot open the database" in result.output and said in result.output
    assert "hunter2" not in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 3


def test_serve_refuses_a_port_in_use_before_touching_the_database(monkeypatch, tmp_path) -> None:
    _without_warroom(monkeypatch)
    monkeypatch.setenv("WARROOM_DATABASE_URL", f"sqlite:///{tmp_path / 'warroom.db'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 2 and f"cannot listen on 127.0.0.1:{port}" in result.output
    assert not (tmp_path / "warroom.db").exists()
