"""First boot on PostgreSQL: `warroom serve` and `warroom worker` started at the same moment on
a fresh database both come up, ten times in a row. Before checkpoint tables were set up under a
polled lock, one start in six hung forever: one process held the lock while its `CREATE INDEX
CONCURRENTLY` waited on the other's transaction, which waited on that lock."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from langgraph.checkpoint.postgres import PostgresSaver

from graphs.checkpoints import SETUP_LOCK, prepare_checkpoints

ROUNDS = 10
BOOT_TIMEOUT = 60.0


def _without_warroom_variables() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _started(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _healthy(port: int, deadline: float, process: subprocess.Popen[bytes]) -> bool:
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


def _checkpoint_version(url: str) -> int | None:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute("SELECT max(v) FROM checkpoint_migrations").fetchone()[0]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_serve_and_worker_started_together_on_a_fresh_database_both_come_up(
    postgres_database_url: str, tmp_path: Path, round_: int
) -> None:
    url = postgres_database_url
    env = {
        **_without_warroom_variables(),
        "WARROOM_DATABASE_URL": url,
        "WARROOM_DATA_DIR": str(tmp_path / "data"),
        "WARROOM_API_TOKEN": "boot-token",
        "WARROOM_SECRET_KEY": "boot-signing-key-boot-signing-key",
    }
    serve_port, worker_port = _free_port(), _free_port()
    warroom = [str(Path(sys.executable).parent / "warroom")]
    with (
        _started([*warroom, "serve", "--port", str(serve_port)], env, tmp_path / "serve.log") as serve,
        _started([*warroom, "worker", "--health-port", str(worker_port)], env, tmp_path / "worker.log") as worker,
    ):
        deadline = time.monotonic() + BOOT_TIMEOUT
        serve_up = _healthy(serve_port, deadline, serve)
        worker_up = _healthy(worker_port, deadline, worker)
        logs = {name: (tmp_path / f"{name}.log").read_text(errors="replace")[-2000:] for name in ("serve", "worker")}
        assert serve_up and worker_up, f"round {round_}: serve up={serve_up}, worker up={worker_up}\n{logs}"
        assert f"web UI: http://127.0.0.1:{serve_port}/incidents (sign in with the API token)" in logs["serve"]
    assert _checkpoint_version(url) == len(PostgresSaver.MIGRATIONS) - 1


def test_migrate_makes_the_checkpoint_tables_so_no_serving_process_has_to(
    postgres_database_url: str, tmp_path: Path
) -> None:
    env = {
        **_without_warroom_variables(),
        "WARROOM_DATABASE_URL": postgres_database_url,
        "WARROOM_DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "warroom"), "migrate"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "checkpoint tables included" in result.stdout
    assert _checkpoint_version(postgres_database_url) == len(PostgresSaver.MIGRATIONS) - 1


def test_a_setup_that_never_gets_the_lock_says_what_to_do_instead_of_hanging(postgres_database_url: str) -> None:
    with psycopg.connect(
        postgres_database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as other:
        other.execute("SELECT pg_advisory_lock(hashtext(%s))", (SETUP_LOCK,))
        started = time.monotonic()
        with pytest.raises(TimeoutError, match="run `warroom migrate` once"):
            prepare_checkpoints(postgres_database_url, lock_timeout=0.3)
        assert time.monotonic() - started < 10
