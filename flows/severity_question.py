"""Putting an uncertain level to the on-call: one war-room message, one click to confirm, raise or lower.

When the rules were not sure of a P1 or P2, or only the alert's resemblance to labelled P0s made it
a P0 (`Classification.asks_confirmation`), warroom does not pick silently: it asks in the war room
(Slack buttons, or the built-in room's text with a link to the incident page, whose card has the
same buttons). Each button carries the level it was asked about, so
`flows.actions.incidents.set_severity(..., asked=)` refuses a click that arrives after the level has
moved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from flows.effects import post_to_war_room
from warroom import keys
from warroom.incidents.models import Incident
from warroom.severity import Severity

__all__ = ["ACTIONS", "ask", "choices", "pending", "question_blocks", "question_text"]

ACTIONS = ("confirm_severity", "raise_severity", "lower_severity")


def choices(asked: Severity) -> list[tuple[str, str, Severity]]:
    """(action id, button label, level) for confirm, raise and lower; no raise above P0, no lower below P3."""
    options = [("confirm_severity", f"Confirm {asked}", asked)]
    if asked.rank > 0:
        higher = Severity(f"P{asked.rank - 1}")
        options.append(("raise_severity", f"Raise to {higher}", higher))
    if asked.rank < 3:
        lower = Severity(f"P{asked.rank + 1}")
        options.append(("lower_severity", f"Lower to {lower}", lower))
    return options


def pending(incident: Incident) -> list[tuple[str, str, Severity]]:
    """The choices to show while an uncertain level awaits a human; none once answered."""
    c = incident.classification
    return choices(incident.severity) if c is not None and c.asks_confirmation and incident.severity else []


def question_text(incident: Incident, link: str) -> str:
    assert incident.classification is not None and incident.severity is not None
    c = incident.classification
    return (
        f"The rules were not sure this is {incident.severity} (rule {c.rule}: {c.reason}). "
        f"Confirm it, or raise or lower it one level: {link}"
    )


def question_blocks(incident: Incident, text: str) -> list[dict[str, Any]]:
    """Slack Block Kit: the question and one button per choice; the value is `incident:asked:answer`."""
    assert incident.severity is not None
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}},
        {
            "type": "actions",
            "block_id": f"severity-{incident.id}-{incident.severity}",
            "elements": [
                {
                    "type": "button",
                    "action_id": action,
                    "value": f"{incident.id}:{incident.severity}:{level}",
                    "text": {"type": "plain_text", "text": label},
                    **({"style": "primary"} if action == "confirm_severity" else {}),
                }
                for action, label, level in choices(incident.severity)
            ],
        },
    ]


def ask(conn: Connection, incident: Incident, public_url: str, now: datetime) -> bool:
    """Post the question once per level the rules were unsure of; False when it was posted already."""
    if incident.classification is None or not incident.classification.asks_confirmation:
        return False
    text = question_text(incident, f"{public_url.rstrip('/')}/incidents/{incident.id}")
    return post_to_war_room(
        conn,
        key=keys.war_room_severity_question(incident.id, incident.severity),
        incident_id=incident.id,
        text=text,
        now=now,
        blocks=question_blocks(incident, text),
    )
