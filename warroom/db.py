"""The engine, the declarative base and the column types every table uses; the same code runs on
SQLite (WAL) and PostgreSQL. Queries use Core connections (`engine.begin()` to write,
`engine.connect()` to read); there are no ORM sessions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import JSON, DateTime, Engine, MetaData, Table, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

__all__ = ["Base", "JSONType", "UTCDateTime", "make_engine", "table_of"]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes; SQLite drops the zone, so it is put back on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """PostgreSQL answers in the server's zone (often the OS zone, not UTC): converted back."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[str]: JSONType,
        list[dict[str, Any]]: JSONType,
    }


def table_of(model: type[Base]) -> Table:
    """A mapped class's Core table, typed as one (the ORM types `__table__` as a FromClause)."""
    return cast(Table, model.__table__)


def make_engine(url: str) -> Engine:
    """SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` for `engine.begin()`, so writers queue
    instead of failing; `engine.connect()` (read-only everywhere) begins deferred."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "before_execute")
        def _reading(conn: Any, *_: Any) -> None:
            if not conn.in_transaction():
                conn.info["autobegin"] = True

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # Only `engine.begin()` writes, so only it takes the write lock up front; reads in
            # `engine.connect()` begin deferred and never hold ingest up (WAL lets them run beside it).
            deferred = conn.info.pop("autobegin", False)
            conn.connection.dbapi_connection.execute("BEGIN" if deferred else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
