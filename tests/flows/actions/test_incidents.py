"""The incident actions every door shares: one labelled-note rule, open incidents only, first
acknowledgement wins, and refusals in the project's own errors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from flows.actions import incidents as actions
from warroom.actors import Actor, ActorKind
from warroom.errors import Conflict, NotFound
from warroom.scheduler.tables import JobRow
from warroom.severity import Severity

ALICE = Actor(kind=ActorKind.SLACK, name="U0ALICE")
BOB = Actor(kind=ActorKind.API, name="bob")


def _notes(warroom, incident_id: int) -> list[tuple[str, str]]:
    incident = actions.get_incident(warroom.context, incident_id)
    return [(e.actor, e.text) for e in incident.timeline if e.kind == "note"]


def test_a_labelled_line_anywhere_in_a_message_makes_it_a_note(warroom, p0_incident):
    incident_id = p0_incident
    ctx = warroom.context
    assert actions.post_message(ctx, incident_id, "looking at the pool\ncause: pool exhausted", ALICE)
    assert actions.post_message(ctx, incident_id, "rolling back now", ALICE)
    assert _notes(warroom, p0_incident) == [("slack:U0ALICE", "looking at the pool\ncause: pool exhausted")]


def test_a_message_with_an_external_id_is_stored_once_and_noted_once(warroom, p0_incident):
    incident_id = p0_incident
    ctx = warroom.context
    assert actions.post_message(ctx, incident_id, "tried: restart", ALICE, external_id="slack:C1:1.1")
    assert not actions.post_message(ctx, incident_id, "tried: restart", ALICE, external_id="slack:C1:1.1")
    assert _notes(warroom, p0_incident) == [("slack:U0ALICE", "tried: restart")]


def test_first_acknowledgement_wins_and_the_second_is_a_conflict_naming_the_first(warroom, p0_incident):
    incident_id = p0_incident
    acknowledged = actions.acknowledge(warroom.context, incident_id, ALICE)
    assert (acknowledged.acknowledged_by, acknowledged.commander) == ("slack:U0ALICE", "slack:U0ALICE")
    with pytest.raises(Conflict, match="already acknowledged by slack:U0ALICE"):
        actions.acknowledge(warroom.context, incident_id, BOB)


def test_a_resolved_incident_keeps_messages_but_takes_no_notes_or_actions(warroom, p0_incident):
    incident_id = p0_incident
    ctx = warroom.context
    actions.resolve(ctx, incident_id, BOB, summary="fixed: rolled back")
    warroom.scheduler.run_pending()
    assert actions.post_message(ctx, incident_id, "cause: the deploy", ALICE)
    assert _notes(warroom, p0_incident) == [("bob", "fixed: rolled back")]
    for refused in (
        lambda: actions.add_note(ctx, incident_id, "tried: x", BOB),
        lambda: actions.acknowledge(ctx, incident_id, BOB),
        lambda: actions.set_severity(ctx, incident_id, Severity.P1, BOB),
        lambda: actions.resolve(ctx, incident_id, BOB),
    ):
        with pytest.raises(Conflict, match="already resolved"):
            refused()


def test_an_unknown_incident_is_not_found(warroom):
    with pytest.raises(NotFound, match="incident 999 not found"):
        actions.add_note(warroom.context, 999, "tried: x", BOB)


def test_a_severity_set_by_hand_is_applied_with_its_author(warroom, p0_incident):
    incident_id = p0_incident
    actions.set_severity(warroom.context, incident_id, Severity.P2, BOB)
    warroom.scheduler.run_pending()
    incident = actions.get_incident(warroom.context, incident_id)
    assert incident.severity is Severity.P2
    assert incident.classification is not None and incident.classification.decided_by == "human:bob"


def test_the_same_severity_asked_twice_before_it_applies_is_one_change(warroom, p0_incident):
    incident_id = p0_incident
    def changes() -> int:
        with warroom.engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(JobRow).where(JobRow.key.contains(":severity:"))
            ).scalar_one()

    actions.set_severity(warroom.context, incident_id, Severity.P1, BOB)
    actions.set_severity(warroom.context, incident_id, Severity.P1, BOB)
    assert changes() == 1
    warroom.scheduler.run_pending()
    actions.set_severity(warroom.context, incident_id, Severity.P1, BOB)
    assert changes() == 2
