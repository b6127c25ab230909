"""Why an action was refused, in the project's own words; each front door translates them
(REST to 404/409/422/403/410, the web UI to a message on the page, Slack to an ephemeral reply)."""

from __future__ import annotations

__all__ = ["ActionError", "Conflict", "Expired", "Forbidden", "Invalid", "NotFound"]


class ActionError(Exception):
    """`message` is written for the person who asked; `problems` lists what to fix, if anything."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class NotFound(ActionError):
    """The incident, draft, postmortem or action item does not exist."""


class Conflict(ActionError):
    """It exists but is past the point where this action applies (already resolved, decided, done)."""


class Invalid(ActionError):
    """The request itself cannot be accepted (an edit the facts do not support)."""


class Forbidden(ActionError):
    """The credential presented (a signed link) is not one of ours."""


class Expired(ActionError):
    """The credential presented (a signed link) was ours but is too old."""
