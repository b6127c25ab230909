"""Every table, imported in one place so `Base.metadata` is complete for Alembic and tests."""

from warroom.action_items.tables import ActionItemRow
from warroom.alerts.ignored import IGNORED_DELIVERIES
from warroom.alerts.tables import AlertRow
from warroom.db import Base
from warroom.drafts.tables import DraftRow
from warroom.findings.tables import FindingRow
from warroom.incidents.tables import (
    ExternalRefRow,
    IncidentEndpointRow,
    IncidentKeyRow,
    IncidentRow,
    IncidentUserRow,
    TimelineRow,
)
from warroom.outbox.tables import OutboxRow
from warroom.postmortems.tables import PostmortemVersionRow
from warroom.scheduler.tables import JobRow
from warroom.status_page.tables import (
    ComponentRow,
    PageIncidentComponentRow,
    PageIncidentRow,
    PageMarkRow,
    PageUpdateRow,
    SubscriberRow,
)
from warroom.users.tables import UserRow
from warroom.war_room.tables import WarRoomMessageRow
from warroom.web_sessions.tables import WebSessionRow

__all__ = [
    "IGNORED_DELIVERIES",
    "ActionItemRow",
    "AlertRow",
    "DraftRow",
    "FindingRow",
    "PostmortemVersionRow",
    "WarRoomMessageRow",
    "Base",
    "ComponentRow",
    "ExternalRefRow",
    "IncidentEndpointRow",
    "IncidentKeyRow",
    "IncidentRow",
    "IncidentUserRow",
    "JobRow",
    "OutboxRow",
    "PageIncidentComponentRow",
    "PageIncidentRow",
    "PageMarkRow",
    "PageUpdateRow",
    "SubscriberRow",
    "TimelineRow",
    "UserRow",
    "WebSessionRow",
]
