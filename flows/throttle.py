"""Storm safety for auto-send: at most one customer message per audience per interval, and a cap
per hour across incidents. Past either, the draft waits for a human, who may still approve it:
re-drafting, flapping alerts or a bug in a rule never turn into a flood of customer email.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from warroom.channels import Channel
from warroom.drafts import store as drafts
from warroom.drafts.models import DraftRecord
from warroom.settings import Settings

__all__ = ["CUSTOMER_CHANNELS", "hold_reason"]

CUSTOMER_CHANNELS = [Channel.EMAIL.value, Channel.ENTERPRISE_EMAIL.value, Channel.DISCORD.value, Channel.X.value]


def hold_reason(conn: Connection, draft: DraftRecord, settings: Settings, now: datetime) -> str | None:
    """Why auto-send must leave this draft to a human; None when it may go."""
    if draft.channel not in CUSTOMER_CHANNELS:
        return None
    interval = timedelta(minutes=settings.customer_message_interval_minutes)
    last = drafts.last_released(conn, draft.id, same_incident=draft.channel == Channel.EMAIL.value)
    if last is not None and now - last < interval:
        return (
            f"a message to this audience was released at {last:%H:%M} UTC and auto-send allows one per "
            f"{settings.customer_message_interval_minutes:g} minutes"
        )
    released = drafts.auto_released_since(conn, now - timedelta(hours=1), channels=CUSTOMER_CHANNELS)
    if released >= settings.customer_auto_sends_per_hour:
        return (
            f"{released} customer messages were auto-sent in the last hour, the cap "
            f"(customer_auto_sends_per_hour = {settings.customer_auto_sends_per_hour})"
        )
    return None
