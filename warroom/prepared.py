"""`Prepared`: a Core statement compiled once for a dialect and run on the driver's own cursor.

For the ingest path's short statements SQLAlchemy's execution (compiled-cache lookup, execution
context, events, result wrapping) cost several times the driver's execute: 23.5 against 4.1 µs
for the correlation lookup on SQLite (bench/README.md). The SQL is SQLAlchemy's, and every bound
value and returned column still goes through its type's own processors, so what is stored and
read back is what `conn.execute` would store and read; what is skipped is SQLAlchemy's per-call
bookkeeping, including its execute events. Only for statements whose parameters are plain
column values (no Python-side defaults left to compute, no expanding `IN`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import Select

__all__ = ["Prepared"]

Processor = Callable[[Any], Any]


class Prepared:
    def __init__(self, statement: Select[Any] | UpdateBase, dialect: Dialect, keys: Sequence[str] = ()) -> None:
        """`keys`: for an INSERT, the columns the parameters will name (as `conn.execute` would
        compile it for them)."""
        compiled = statement.compile(dialect=dialect, column_keys=list(keys) or None)
        self.sql = compiled.string
        self._compiled = compiled
        self._order = compiled.positiontup
        self._binds: list[tuple[str, Processor]] = [
            (name, process)
            for bind, name in compiled.bind_names.items()
            if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        ]
        self._results: list[Processor | None] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in statement.exported_columns
        ]
        self._converts = any(self._results)

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run with `params` in `conn`'s transaction; the returned rows, their values converted."""
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(self.sql, self._bound(params))
            fetched = cursor.fetchall() if self._results else []
        finally:
            cursor.close()
        if not self._converts:
            return [tuple(row) for row in fetched]
        return [
            tuple(
                value if process is None else process(value) for value, process in zip(row, self._results, strict=True)
            )
            for row in fetched
        ]

    def many(self, conn: Connection, params: Sequence[Mapping[str, Any]]) -> None:
        """Run once per parameter set, returning nothing (`executemany`)."""
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(self.sql, [self._bound(p) for p in params])
        finally:
            cursor.close()

    def _bound(self, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        values = self._compiled.construct_params(dict(params))
        for name, process in self._binds:
            values[name] = process(values[name])
        return values if self._order is None else tuple(values[name] for name in self._order)
