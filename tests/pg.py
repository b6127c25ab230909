"""A throwaway PostgreSQL server for the tests: one cluster per session, one database per test.

Registered in tests/conftest.py (`pytest_plugins`), so any test can ask for `postgres_url`
(the session's server), `postgres_database_url` (a fresh, empty database of its own) or
`module_postgres_database_url` (one shared by the tests of a module).
The binaries come from Debian's packages (tests/system-deps.sh installs them for `make test`).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest

__all__ = ["module_postgres_database_url", "postgres_database_url", "postgres_url"]

BIN_GLOB = "/usr/lib/postgresql/*/bin"
# Not UTC on purpose: many production servers keep the OS zone, and aware datetimes read back
# must still come out right.
SERVER_TIMEZONE = "Asia/Kolkata"
_numbers = itertools.count(1)


def _bin_dir() -> Path:
    found = sorted(glob.glob(BIN_GLOB), key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0)
    found = [p for p in found if Path(p, "initdb").exists() and Path(p, "pg_ctl").exists()]
    if not found:
        pytest.fail(
            f"PostgreSQL server binaries not found under {BIN_GLOB}: run `bash tests/system-deps.sh` "
            "(as root; `make test` does it) or `apt-get install postgresql`",
            pytrace=False,
        )
    return Path(found[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*argv: str | Path) -> list[str]:
    """initdb refuses to run as root, so root runs the server as Debian's `postgres` user."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return [*prefix, *map(str, argv)]


def _run(argv: list[str], what: str) -> None:
    result = _exec(argv)
    if result.returncode != 0:
        _fail(what, result)


def _exec(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def _fail(what: str, result: subprocess.CompletedProcess[str]) -> NoReturn:
    pytest.fail(f"{what} failed ({result.returncode}): {result.stderr or result.stdout}", pytrace=False)


def _admin(port: int) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server on a free loopback port, with an empty `warroom` database; removed at the end."""
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="warroom-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    _run(
        _as_postgres(
            bin_dir / "initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C.UTF-8",
        ),
        "initdb",
    )
    port = _start(bin_dir, data, root)
    try:
        with _admin(port) as conn:
            conn.execute("CREATE DATABASE warroom")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/warroom"
    finally:
        subprocess.run(
            _as_postgres(bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


_PORT_TAKEN = "could not bind IPv4 address"
_START_TRIES = 5


def _start(bin_dir: Path, data: Path, root: Path) -> int:
    """Start the server on a free port and return it. A free port can be taken between `_free_port` closing it and
    the server binding it (another xdist worker's server, a test's own listener): then the log says so and the next
    free port is tried, instead of every PostgreSQL test erroring on a race."""
    log = root / "server.log"
    for _ in range(_START_TRIES):
        log.unlink(missing_ok=True)  # each try reads only its own log
        port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} "
            f"-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
            f"-c timezone={SERVER_TIMEZONE}"
        )
        argv = _as_postgres(bin_dir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start")
        result = _exec(argv)
        if result.returncode == 0:
            return port
        if _PORT_TAKEN not in (log.read_text(errors="replace") if log.exists() else ""):
            break
    _fail("pg_ctl start", result)


@contextmanager
def fresh_database(postgres_url: str) -> Iterator[str]:
    """A fresh empty database on the session's server, dropped (connections and all) afterwards."""
    base, _ = postgres_url.rsplit("/", 1)
    port = int(base.rsplit(":", 1)[1])
    name = f"test_{os.getpid()}_{next(_numbers)}"
    with _admin(port) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with _admin(port) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_database_url(postgres_url: str) -> Iterator[str]:
    with fresh_database(postgres_url) as url:
        yield url


@pytest.fixture(scope="module")
def module_postgres_database_url(postgres_url: str) -> Iterator[str]:
    with fresh_database(postgres_url) as url:
        yield url
