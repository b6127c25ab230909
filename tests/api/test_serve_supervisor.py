"""`warroom serve` as a user runs it: the API in one process, the scheduler, graphs and outbox in
a second one it starts. Killing the worker (`kill -9`) loses nothing: the supervisor starts a new
one, which takes over the dead one's work and triages what arrived meanwhile. SIGTERM stops
both; `kill -9` of the API process stops the worker too (its stdin closes), so no orphan keeps
sending."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from api.scenarios import Delivery, checkout_outage, sentry_event_alert
from api.server import free_port
from api.supervisor import WORKER_NICENESS
from tools.webhooks.base import hmac_sha256_hex
from warroom.clock import utcnow

SECRET, TOKEN = "serve-sentry-secret", "serve-api-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(predicate, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    return None


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")} | {
        "WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'warroom.db'}",
        "WARROOM_DATA_DIR": str(tmp_path / "data"),
        "WARROOM_SENTRY_CLIENT_SECRET": SECRET,
        "WARROOM_API_TOKEN": TOKEN,
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        up = _wait_for(lambda: _answers(f"{base}/healthz"), 60)
        assert up, log.read_text()
        yield process, base, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _delivery(payload: dict[str, object]) -> Delivery:
    body = json.dumps(payload).encode()
    return Delivery(
        body,
        {
            "content-type": "application/json",
            "sentry-hook-resource": "event_alert",
            "request-id": uuid.uuid4().hex,
            "sentry-hook-signature": hmac_sha256_hex(SECRET, body),
        },
    )


def _post_all(base: str, deliveries) -> int:
    with httpx.Client(base_url=base, timeout=10) as client:
        for delivery in deliveries:
            answer = client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers)
            assert answer.status_code == 202, answer.text
    return int(answer.json()["incident_id"])


def _triaged(base: str, incident_id: int) -> bool:
    incident = httpx.get(f"{base}/api/incidents/{incident_id}", headers=AUTH, timeout=5).json()
    return any(entry["kind"] == "status_page" for entry in incident["timeline"])


def test_a_killed_worker_is_restarted_and_loses_nothing_and_sigterm_stops_both(served) -> None:
    process, base, log = served
    worker = _wait_for(lambda: _children(process.pid), 30)
    assert worker and len(worker) == 1, log.read_text()
    (worker_pid,) = worker
    assert f"worker: pid {worker_pid}" in log.read_text()

    first = _post_all(base, checkout_outage(SECRET, events=20, minutes=1, start=utcnow() - timedelta(minutes=1)))
    assert _wait_for(lambda: _triaged(base, first), 30), "the worker process never triaged the first incident"

    os.kill(worker_pid, signal.SIGKILL)
    # Alerts of a second outage arrive while no worker runs: the API still answers and stores them.
    now = utcnow()
    second = [
        sentry_event_alert(
            event_id=f"{n:032x}",
            issue_id="777",
            at=now,
            path="/api/login",
            user_id=f"u{n}",
            browser=("Firefox", "121.0"),
            region="eu-west-1",
        )
        for n in range(12)
    ]
    second_id = _post_all(base, [_delivery(payload) for payload in second])
    assert second_id != first

    restarted = _wait_for(lambda: [p for p in _children(process.pid) if p != worker_pid], 60)
    assert restarted, log.read_text()
    assert f"the worker process exited with -9 (pid {worker_pid}); restarting it" in log.read_text()
    assert _wait_for(lambda: _triaged(base, second_id), 60), log.read_text()[-3000:]
    assert httpx.get(f"{base}/api/incidents/{second_id}", headers=AUTH, timeout=5).json()["alert_count"] == 12

    # What systemd does: SIGTERM to every process of the service. The API shuts down gracefully and
    # ends by that signal; the worker waits to be stopped by it, and is not restarted meanwhile.
    os.killpg(process.pid, signal.SIGTERM)
    assert process.wait(30) in (0, -signal.SIGTERM), log.read_text()[-3000:]
    assert "Application shutdown complete" in log.read_text()
    assert log.read_text().count("restarting it") == 1, log.read_text()[-3000:]
    assert _wait_for(lambda: not _alive(restarted[0]), 15), "the worker outlived `warroom serve`"


def test_the_worker_stops_when_the_api_process_is_killed(served) -> None:
    process, base, log = served
    worker = _wait_for(lambda: _children(process.pid), 30)
    assert worker, log.read_text()
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _wait_for(lambda: not _alive(worker[0]), 20), "the worker outlived a killed API process"
    assert not re.search(r"Traceback", log.read_text()), log.read_text()[-3000:]


def test_the_worker_runs_at_a_lower_cpu_priority_than_the_api(served) -> None:
    """On a machine short of cores the API, answering webhooks, gets the CPU before triage."""
    process, base, log = served
    worker = _wait_for(lambda: _children(process.pid), 30)
    assert worker and len(worker) == 1, log.read_text()
    api_nice = os.getpriority(os.PRIO_PROCESS, process.pid)
    expected = min(api_nice + WORKER_NICENESS, 19)
    assert _wait_for(lambda: os.getpriority(os.PRIO_PROCESS, worker[0]) == expected, 30), (
        f"worker nice {os.getpriority(os.PRIO_PROCESS, worker[0])}, API {api_nice}"
    )
    assert os.getpriority(os.PRIO_PROCESS, process.pid) == api_nice == os.getpriority(os.PRIO_PROCESS, 0)
