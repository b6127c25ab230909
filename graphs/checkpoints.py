"""Where the graphs' checkpoints live: a SQLite file beside the database by default, PostgreSQL in
production.

On PostgreSQL the tables are made by `warroom migrate` (`prepare_checkpoints`), and a process that
finds them missing or behind makes them itself, one process at a time. The lock is polled, never
waited on: LangGraph's setup runs `CREATE INDEX CONCURRENTLY`, which waits for every open
transaction in the database, and a second process blocked on that same lock is one. PostgreSQL
cannot see that cycle, and first boots of `serve` beside `worker` used to hang on it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver

__all__ = ["SETUP_LOCK", "SETUP_LOCK_TIMEOUT", "open_checkpointer", "prepare_checkpoints"]

SETUP_LOCK = "warroom.checkpoints.setup"
SETUP_LOCK_TIMEOUT = 300.0
_POLL_SECONDS = 0.05


@contextmanager
def open_checkpointer(url: str) -> Iterator[BaseCheckpointSaver[Any]]:
    """SQLite file by default, PostgreSQL in production; tables made or brought up to date first."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        saver = SqliteSaver(conn)
        saver.setup()
        try:
            yield saver
        finally:
            conn.close()
        return
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg_pool import ConnectionPool

    # A checked pool, not one connection: after a failover or a reaped idle connection the
    # next job reconnects instead of failing until the process restarts.
    with ConnectionPool(
        _libpq_url(url),
        min_size=1,
        max_size=4,
        kwargs=_pg_kwargs(),
        check=ConnectionPool.check_connection,
        name="warroom-checkpoints",
    ) as pool:
        pg_saver = PostgresSaver(pool)  # type: ignore[arg-type]  # rows are dicts: see _pg_kwargs
        _set_up_postgres(pg_saver, pool)
        yield pg_saver


def prepare_checkpoints(url: str, *, lock_timeout: float = SETUP_LOCK_TIMEOUT) -> None:
    """Make the checkpoint tables now (`warroom migrate`), so no serving process has to."""
    if url.startswith("sqlite:///"):
        with open_checkpointer(url):
            return
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg_pool import ConnectionPool

    with ConnectionPool(_libpq_url(url), min_size=1, max_size=2, kwargs=_pg_kwargs(), open=True) as pool:
        _set_up_postgres(PostgresSaver(pool), pool, lock_timeout=lock_timeout)  # type: ignore[arg-type]


def _pg_kwargs() -> dict[str, Any]:
    from psycopg.rows import dict_row

    return {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}


def _libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _set_up_postgres(saver: Any, pool: Any, *, lock_timeout: float = SETUP_LOCK_TIMEOUT) -> None:
    """Run LangGraph's migrations unless they are already in; under a polled advisory lock."""
    latest = len(saver.MIGRATIONS) - 1
    if _applied_version(pool) >= latest:
        return
    with pool.connection() as lock:
        deadline = time.monotonic() + lock_timeout
        while not lock.execute("SELECT pg_try_advisory_lock(hashtext(%s)) AS locked", (SETUP_LOCK,)).fetchone()[
            "locked"
        ]:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"another process has been setting up the checkpoint tables for {lock_timeout:.0f} s; "
                    "run `warroom migrate` once, then start the processes"
                )
            time.sleep(_POLL_SECONDS)
        try:
            if _applied_version(pool) < latest:
                saver.setup()
        finally:
            lock.execute("SELECT pg_advisory_unlock(hashtext(%s))", (SETUP_LOCK,))


def _applied_version(pool: Any) -> int:
    """The newest LangGraph checkpoint migration applied here; -1 on a fresh database."""
    with pool.connection() as conn:
        if conn.execute("SELECT to_regclass('checkpoint_migrations') IS NOT NULL AS present").fetchone()["present"]:
            row = conn.execute("SELECT coalesce(max(v), -1) AS v FROM checkpoint_migrations").fetchone()
            return int(row["v"])
    return -1
