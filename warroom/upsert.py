"""Insert-or-ignore and increment-on-conflict in the dialect of the connection (SQLite or PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["insert_ignore", "insert_or_add"]


def _insert(conn: Connection, table: Table) -> Any:
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any], conflict: list[str]) -> Any | None:
    """Insert a row unless one with the same `conflict` columns exists; returns the new primary key or None."""
    statement = _insert(conn, table).values(**values).on_conflict_do_nothing(index_elements=conflict)
    pk = list(table.primary_key.columns)
    row = conn.execute(statement.returning(*pk)).first()
    return None if row is None else row[0]


def insert_or_add(conn: Connection, table: Table, values: dict[str, Any], conflict: list[str], column: str) -> None:
    """Insert a counter row, or add `values[column]` to the existing one."""
    statement = _insert(conn, table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=conflict, set_={column: table.c[column] + statement.excluded[column]}
    )
    conn.execute(statement)
