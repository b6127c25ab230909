"""Completing an action item (open or in progress): once, with who did it on the incident's timeline."""

from __future__ import annotations

from flows.context import Context
from warroom import keys
from warroom.action_items import store as action_items
from warroom.action_items.store import ActionItem
from warroom.actors import Actor
from warroom.errors import Conflict, NotFound
from warroom.incidents import store as incidents
from warroom.kinds import TimelineKind

__all__ = ["complete_action_item"]


def complete_action_item(ctx: Context, item_id: int, actor: Actor) -> ActionItem:
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        item = action_items.get_item(conn, item_id)
        if item is None:
            raise NotFound(f"action item {item_id} not found")
        if not action_items.complete(conn, item_id, now):
            raise Conflict(f"action item {item_id} is already {item.status.value.replace('_', ' ')}")
        incidents.add_timeline(
            conn,
            item.incident_id,
            now,
            TimelineKind.ACTION_ITEM,
            f"Action item #{item_id} done ({actor.label}): {item.title}",
            actor=actor.label,
            data={"action_item_id": item_id},
            dedup_key=keys.action_item_done(item_id),
        )
        done = action_items.get_item(conn, item_id)
    assert done is not None
    return done
