"""Putting an uncertain level to the on-call: one war-room message, one click to confirm, raise or lower.

When the rules were not sure of a level (a P0, P1 or P2), or only the alert's resemblance to labelled P0s made it
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
from flows.facts import only_account
from warroom import keys
from warroom.incidents.models import Incident
from warroom.outbox.store import queued
from warroom.settings import Settings
from warroom.severity import RAISED_BY_RESEMBLANCE, Classification, Severity

__all__ = [
    "ACTIONS",
    "ask",
    "choices",
    "page_note",
    "pending",
    "question_blocks",
    "question_lead",
    "question_text",
    "rules_level",
    "settle",
    "settled_text",
]

ACTIONS = ("confirm_severity", "raise_severity", "lower_severity", "rules_severity")


def choices(asked: Severity, rules_level: Severity | None = None) -> list[tuple[str, str, Severity]]:
    """(action id, button label, level) for confirm, raise and lower; no raise above P0, no lower below P3.
    `rules_level`: what the rules alone said of a P0 only resemblance raised, offered as its own button
    when it is more than one level down, so disagreeing never means picking P1, a level customers are told of."""
    options = [("confirm_severity", f"Confirm {asked}", asked)]
    if asked.rank > 0:
        higher = Severity(f"P{asked.rank - 1}")
        options.append(("raise_severity", f"Raise to {higher}", higher))
    if asked.rank < 3:
        lower = Severity(f"P{asked.rank + 1}")
        options.append(("lower_severity", f"Lower to {lower}", lower))
    if rules_level is not None and rules_level.rank > asked.rank + 1:
        options.append(("rules_severity", f"Back to {rules_level} (the rules' level)", rules_level))
    return options


def rules_level(incident: Incident) -> Severity | None:
    """The rules' own level under a P0 only resemblance raised (the classification's floor), else None."""
    c = incident.classification
    return c.floor if c is not None and c.rule == RAISED_BY_RESEMBLANCE else None


def pending(incident: Incident) -> list[tuple[str, str, Severity]]:
    """The choices to show while an uncertain level awaits a human; none once answered."""
    c = incident.classification
    if c is None or not c.asks_confirmation or incident.severity is None:
        return []
    return choices(incident.severity, rules_level(incident))


def page_note(conn: Connection, incident: Incident, settings: Settings, now: datetime) -> str | None:
    """What the answer does to a public status page that is quiet for now, so that confirming a level never
    tells customers by surprise; None when the answer changes nothing there. A level a person sets
    lifts the before-impact and resemblance holds; it never lifts the one-account hold (that account's
    contacts are told apart), so then there is nothing to say."""
    c = incident.classification
    if c is None or not c.asks_confirmation or incident.severity is None:
        return None
    if not (c.before_impact or c.page_awaits_confirmation) or only_account(conn, incident, settings, now=now):
        return None
    if c.before_impact:
        offered = sorted({level for _, _, level in choices(incident.severity, rules_level(incident))})
        tell = [level for level in offered if level.pages_customers]
        quiet = [level for level in offered if not level.pages_customers]
        return (
            "Nothing has failed yet, so the public status page is quiet. "
            f"Setting {_either(tell)} tells customers on it now that it is at risk"
            + (f"; {_either(quiet)} keeps it quiet until someone raises the level." if quiet else ".")
        )
    return (
        f"The public status page is quiet: the rules alone said {c.floor}. Confirming P0 or lowering it to P1 "
        f"tells customers on it now; {c.floor} keeps it quiet."
    )


def _either(levels: list[Severity]) -> str:
    return " or ".join(str(level) for level in levels)


def question_lead(incident: Incident) -> str:
    """Who was unsure of what, for the war room and the incident page alike: the rules' doubt, or the level the
    model's second opinion took within the rules' band (its reason is the model's, not a rule's)."""
    assert incident.classification is not None and incident.severity is not None
    c = incident.classification
    if c.decided_by.startswith("llm:"):
        return (
            f"The rules were not sure of the level; the model's second opinion made it {incident.severity} "
            f"({c.reason})."
        )
    return f"The rules were not sure this is {incident.severity} (rule {c.rule}: {c.reason})."


def question_text(incident: Incident, link: str, note: str | None = None) -> str:
    assert incident.classification is not None and incident.severity is not None
    said = question_lead(incident)
    moves = " or ".join(word for word, rank in (("raise", 0), ("lower", 3)) if incident.severity.rank != rank)
    return f"{said} Confirm it, or {moves} it one level{_or_back(incident)}: {link}" + (f"\n{note}" if note else "")


def _or_back(incident: Incident) -> str:
    assert incident.severity is not None
    back = [
        level for action, _, level in choices(incident.severity, rules_level(incident)) if action == "rules_severity"
    ]
    return f", or put it back to {back[0]}, what the rules alone said" if back else ""


def question_blocks(incident: Incident, text: str) -> list[dict[str, Any]]:
    """Slack Block Kit: the question and one button per choice; the value is `incident:asked:answer`."""
    assert incident.severity is not None
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
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
                for action, label, level in choices(incident.severity, rules_level(incident))
            ],
        },
    ]


def ask(conn: Connection, incident: Incident, settings: Settings, now: datetime) -> bool:
    """Post the question once per level the rules were unsure of; False when it was posted already."""
    if incident.classification is None or not incident.classification.asks_confirmation:
        return False
    text = question_text(
        incident,
        f"{settings.public_url.rstrip('/')}/incidents/{incident.id}",
        page_note(conn, incident, settings, now),
    )
    return post_to_war_room(
        conn,
        key=keys.war_room_severity_question(incident.id, incident.severity),
        incident_id=incident.id,
        text=text,
        now=now,
        blocks=question_blocks(incident, text),
    )


def settle(conn: Connection, incident_id: int, was: Severity, decided: Classification, now: datetime) -> bool:
    """Tell the room that its question about `was` is answered or overtaken, once the level is decided again
    (`decided`: a person's answer or change, or the rules on later alerts). A message cannot take its own
    buttons back, so without this the room keeps asking 'not sure this is P1' under a P0; the buttons refuse a
    stale click, and this says why before anyone tries. False when no question about `was` was put."""
    if not queued(conn, keys.war_room_severity_question(incident_id, was)):
        return False
    return post_to_war_room(
        conn,
        key=keys.war_room_question_settled(incident_id, was),
        incident_id=incident_id,
        text=settled_text(was, decided),
        now=now,
    )


def settled_text(was: Severity, decided: Classification) -> str:
    """The room's word on its question about `was`, naming who decided the new level (a person, the model's
    second opinion, the resemblance to past P0s, or the rules on what came in since)."""
    if decided.by_human:
        return f"The question above about {was} is answered: {decided.severity}, {decided.reason}."
    if decided.decided_by.startswith("llm:"):
        who = f"the model's second opinion makes it {decided.severity} now"
    elif decided.rule == RAISED_BY_RESEMBLANCE:
        who = f"it reads like past P0 incidents, so it is an unconfirmed {decided.severity} now"
    else:
        who = f"the rules rate it {decided.severity} now, on what came in since"
    return f"The question above about {was} no longer applies: {who}."
