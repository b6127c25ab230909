"""Jobs as the API, the web UI and the CLI show them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

__all__ = ["JobRecord"]


class JobRecord(BaseModel):
    id: int
    key: str
    kind: str
    state: str
    incident_id: int | None
    due_at: datetime
    attempts: int
    done_at: datetime | None
    last_error: str | None
