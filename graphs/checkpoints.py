"""Where the graphs' checkpoints live: a SQLite file beside the database by default, PostgreSQL in
production; the tables are created on first use, one process at a time."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver

__all__ = ["open_checkpointer"]


@contextmanager
def open_checkpointer(url: str) -> Iterator[BaseCheckpointSaver[Any]]:
    """SQLite file by default, PostgreSQL in production; tables are created on first use."""
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
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    # A checked pool, not one connection: after a failover or a reaped idle connection the
    # next job reconnects instead of failing until the process restarts.
    pg_url = url.replace("postgresql+psycopg://", "postgresql://")
    kwargs = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    with ConnectionPool(
        pg_url, min_size=1, max_size=4, kwargs=kwargs, check=ConnectionPool.check_connection, name="warroom-checkpoints"
    ) as pool:
        pg_saver = PostgresSaver(pool)  # type: ignore[arg-type]  # rows are dicts: see row_factory above
        with pool.connection() as lock:  # processes starting at once set the tables up one at a time
            lock.execute("SELECT pg_advisory_lock(hashtext('warroom.checkpoints.setup'))")
            try:
                pg_saver.setup()
            finally:
                lock.execute("SELECT pg_advisory_unlock(hashtext('warroom.checkpoints.setup'))")
        yield pg_saver
