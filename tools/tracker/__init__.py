"""Where action items become tickets: one port (`port.Tracker`), the vendors (Linear, Jira) and
the built-in table, and `tracker_from_settings`, which picks the configured one."""

from __future__ import annotations

from typing import NamedTuple

import httpx
from sqlalchemy import Engine

from tools.tracker.builtin import BuiltinTracker
from tools.tracker.jira import JiraTracker
from tools.tracker.linear import LinearTracker
from tools.tracker.port import FOLLOW_UP_LABEL, Ticket, TicketRequest, TicketState, Tracker, TrackerError
from warroom.clock import Clock
from warroom.settings import Settings

__all__ = [
    "FOLLOW_UP_LABEL",
    "BuiltinTracker",
    "JiraTracker",
    "LinearTracker",
    "Ticket",
    "TicketRequest",
    "TicketState",
    "Tracker",
    "TrackerChoice",
    "TrackerError",
    "tracker_from_settings",
]


class TrackerChoice(NamedTuple):
    tracker: Tracker
    description: str


def tracker_from_settings(settings: Settings, client: httpx.Client, *, engine: Engine, clock: Clock) -> TrackerChoice:
    """Linear when its key is set, else Jira when its site is, else the built-in table; the
    description says which, and which setting is missing when one was half configured."""
    builtin_note = "built-in action-item tracker (set WARROOM_LINEAR_API_KEY or WARROOM_JIRA_URL for Linear or Jira)"
    if settings.linear_api_key is not None:
        if settings.linear_team_id:
            linear = LinearTracker(
                client,
                settings.linear_api_key.get_secret_value(),
                settings.linear_team_id,
                api_url=settings.linear_api_url,
            )
            return TrackerChoice(linear, f"Linear team {settings.linear_team_id}")
        builtin_note = "built-in action-item tracker (Linear needs WARROOM_LINEAR_TEAM_ID too)"
    elif settings.jira_url is not None:
        if settings.jira_email and settings.jira_api_token and settings.jira_project:
            jira = JiraTracker(
                client,
                settings.jira_url,
                settings.jira_email,
                settings.jira_api_token.get_secret_value(),
                settings.jira_project,
                issue_type=settings.jira_issue_type,
                priorities=settings.jira_priorities,
            )
            return TrackerChoice(jira, f"Jira project {settings.jira_project} at {settings.jira_url}")
        missing = [
            f"WARROOM_{n.upper()}" for n in ("jira_email", "jira_api_token", "jira_project") if not getattr(settings, n)
        ]
        builtin_note = f"built-in action-item tracker (Jira needs {', '.join(missing)} too)"
    return TrackerChoice(BuiltinTracker(engine, clock, settings.public_url), builtin_note)
