"""Postmortem versions: append-only; the latest version is the document."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection, ScalarSelect, func, select

from warroom.db import table_of
from warroom.postmortems.tables import PostmortemVersionRow

__all__ = ["PostmortemVersion", "VersionMark", "history", "latest", "marks", "save_version"]

VERSIONS = table_of(PostmortemVersionRow)


class PostmortemVersion(BaseModel):
    incident_id: int
    version: int
    author: str
    created_at: datetime
    markdown: str
    diff: str = ""
    blame_flags: list[dict[str, Any]] = Field(default_factory=list)
    data: dict[str, Any] | None = None


def save_version(
    conn: Connection,
    incident_id: int,
    *,
    author: str,
    now: datetime,
    markdown: str,
    diff: str = "",
    data: dict[str, Any] | None = None,
    blame_flags: list[dict[str, Any]] | None = None,
) -> int:
    current = conn.execute(select(func.max(VERSIONS.c.version)).where(VERSIONS.c.incident_id == incident_id)).scalar()
    version = (current or 0) + 1
    conn.execute(
        VERSIONS.insert().values(
            incident_id=incident_id,
            version=version,
            author=author,
            created_at=now,
            markdown=markdown,
            diff=diff,
            data=data,
            blame_flags=blame_flags or [],
        )
    )
    return version


def latest(conn: Connection, incident_id: int) -> PostmortemVersion | None:
    row = conn.execute(
        select(VERSIONS).where(VERSIONS.c.incident_id == incident_id).order_by(VERSIONS.c.version.desc()).limit(1)
    ).first()
    return PostmortemVersion.model_validate(row._mapping) if row else None


def history(conn: Connection, incident_id: int) -> list[PostmortemVersion]:
    rows = conn.execute(select(VERSIONS).where(VERSIONS.c.incident_id == incident_id).order_by(VERSIONS.c.version))
    return [PostmortemVersion.model_validate(r._mapping) for r in rows]


class VersionMark(BaseModel):
    """Who saved a version and when, without its text: what the digest needs to see a review."""

    incident_id: int
    version: int
    author: str
    created_at: datetime


def marks(conn: Connection, incident_ids: ScalarSelect[Any] | Sequence[int]) -> dict[int, list[VersionMark]]:
    """Every version's mark of these incidents, oldest first per incident: one query on the primary
    key, no Markdown read."""
    rows = conn.execute(
        select(VERSIONS.c.incident_id, VERSIONS.c.version, VERSIONS.c.author, VERSIONS.c.created_at)
        .where(VERSIONS.c.incident_id.in_(incident_ids))
        .order_by(VERSIONS.c.incident_id, VERSIONS.c.version)
    )
    found: dict[int, list[VersionMark]] = {}
    for row in rows:
        found.setdefault(row.incident_id, []).append(VersionMark.model_validate(row._mapping))
    return found
