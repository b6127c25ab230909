"""Insert-or-ignore and increment-on-conflict in the dialect of the connection (SQLite or PostgreSQL)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Connection, Executable, Table
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["insert_ignore", "insert_or_add"]


def _insert(conn: Connection, table: Table) -> Any:
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any], conflict: list[str]) -> Any | None:
    """Insert a row unless one with the same `conflict` columns exists; returns the new primary key or None."""
    row = conn.execute(_insert_ignore(conn.dialect.name, table, tuple(conflict)), values).first()
    return None if row is None else row[0]


@cache
def _insert_ignore(dialect: str, table: Table, conflict: tuple[str, ...]) -> Executable:
    """Built once, the values bound at execution: building the statement per call cost several
    times running it, and ingest schedules a job (an insert-or-ignore) for many alerts."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    pk = list(table.primary_key.columns)
    return insert(table).on_conflict_do_nothing(index_elements=list(conflict)).returning(*pk)


def insert_or_add(conn: Connection, table: Table, values: dict[str, Any], conflict: list[str], column: str) -> None:
    """Insert a counter row, or add `values[column]` to the existing one."""
    statement = _insert(conn, table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=conflict, set_={column: table.c[column] + statement.excluded[column]}
    )
    conn.execute(statement)
