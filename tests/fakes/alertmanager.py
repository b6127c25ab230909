"""A real Prometheus Alertmanager on loopback, configured to send its webhooks to warroom.

Not a fake: the binary Debian ships (`prometheus-alertmanager`, installed by
tests/system-deps.sh) runs with a temporary config, a temporary storage path and clustering off,
so the test sees exactly the payloads, headers, grouping and resolve notifications a real
deployment sends. `DeliveryRecorder` wraps the warroom ASGI app to keep each request's headers,
which the stored alerts do not (warroom keeps the body, not the transport).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api.server import free_port
from tests.fakes.server_process import find_binary, server_process, wait_for

__all__ = ["Alertmanager", "DeliveryRecorder", "alertmanager_binary", "running_alertmanager", "wait_for"]

BINARIES = ("/usr/bin/prometheus-alertmanager", "prometheus-alertmanager", "alertmanager")

ROUTE = """\
route:
  receiver: warroom
  group_by: ['alertname']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
"""
"""Timings for a test, not for production: a group goes out at once and again a second later."""

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"
DOC_URL = "https://warroom.example.com/webhooks/alertmanager"
DOC_TOKEN_FILE = "/etc/alertmanager/warroom-token"


def documented_receivers() -> str:
    """The `receivers:` block docs/integrations.md tells adopters to paste, verbatim."""
    return fenced_block(DOC.read_text(), "alertmanager-receivers")


def fenced_block(markdown: str, marker: str) -> str:
    """The first fenced code block after `<!-- marker`."""
    after = markdown.split(f"<!-- {marker}", 1)[1]
    body = after.split("```", 2)[1]
    return body.split("\n", 1)[1]


def alertmanager_binary() -> str:
    """The Alertmanager executable, or an error that says how to install it (never a skip)."""
    return find_binary(BINARIES, "prometheus-alertmanager")


@dataclass
class Alertmanager:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def push(self, alerts: list[dict[str, Any]]) -> None:
        """Send alerts through Alertmanager's own API, as Prometheus does."""
        response = httpx.post(f"{self.base_url}/api/v2/alerts", json=alerts, timeout=5)
        if response.status_code != 200:
            raise AssertionError(f"Alertmanager refused the alerts: {response.status_code} {response.text}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def running_alertmanager(webhook_url: str, token: str, workdir: Path) -> Iterator[Alertmanager]:
    """Start Alertmanager with the receiver docs/integrations.md documents (its token in a
    `credentials_file`), pointed at `webhook_url`; stop it (and only it) on exit."""
    binary = alertmanager_binary()
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "alertmanager.yml"
    token_file = workdir / "warroom-token"
    token_file.write_text(token)
    receivers = documented_receivers()
    assert DOC_URL in receivers and DOC_TOKEN_FILE in receivers, "docs/integrations.md changed its Alertmanager example"
    config.write_text(ROUTE + receivers.replace(DOC_URL, webhook_url).replace(DOC_TOKEN_FILE, str(token_file)))
    port = free_port()
    argv = [
        binary,
        f"--config.file={config}",
        f"--storage.path={workdir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
        "--log.level=debug",
    ]
    log_path = workdir / "alertmanager.log"
    base_url = f"http://127.0.0.1:{port}"
    with server_process(argv, log_path, f"{base_url}/-/ready", "Alertmanager") as process:
        yield Alertmanager(base_url=base_url, process=process, log_path=log_path)


@dataclass
class DeliveryRecorder:
    """ASGI middleware keeping (method, path, headers) of every HTTP request the app receives."""

    app: Any
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            self.requests.append((scope["method"], scope["path"], headers))
        await self.app(scope, receive, send)
