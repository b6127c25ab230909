"""Completing an action item: once, recorded on the incident with who did it."""

from __future__ import annotations

import pytest

from flows.actions import incidents as incident_actions
from flows.actions.action_items import complete_action_item
from warroom.action_items import store as action_items
from warroom.actors import Actor, ActorKind
from warroom.errors import Conflict, NotFound

CAROL = Actor(kind=ActorKind.CLI, name="carol")


def test_an_item_is_completed_once_and_the_timeline_says_by_whom(warroom, p0_incident):
    incident_id = p0_incident
    incident_actions.resolve(warroom.context, incident_id, Actor(kind=ActorKind.API, name="bob"))
    warroom.scheduler.run_pending()
    with warroom.engine.connect() as conn:
        first = action_items.list_items(conn, incident_id=incident_id)[0]

    done = complete_action_item(warroom.context, first.id, CAROL)

    assert done.status == "done" and done.completed_at is not None
    with pytest.raises(Conflict, match="already done"):
        complete_action_item(warroom.context, first.id, CAROL)
    timeline = incident_actions.get_incident(warroom.context, incident_id).timeline
    assert [(e.actor, e.text) for e in timeline if e.kind == "action_item" and "filed in" not in e.text] == [
        ("cli:carol", f"Action item #{first.id} done (cli:carol): {first.title}")
    ]


def test_an_unknown_item_is_not_found(warroom):
    with pytest.raises(NotFound):
        complete_action_item(warroom.context, 4242, CAROL)
