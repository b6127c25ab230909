"""Editing a postmortem: every save is a new version with its diff and any blaming wording flagged,
and, with Notion configured, the team's Notion page updated in place. Restoring an older version
is a save of its text: the history only ever grows.

Flags are shown, never enforced: the human decides; the version history keeps what changed.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from pydantic import BaseModel
from sqlalchemy import Connection

from agents.blameless import diff_versions, find_blame
from agents.coo.action_items import due_by_policy
from agents.coo.edited_items import new_rows, table_rows
from flows.context import Context
from flows.publishing import publish_postmortem
from flows.tickets import file_item
from warroom import keys
from warroom.action_items import store as action_items
from warroom.actors import Actor
from warroom.errors import Conflict, NotFound
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident
from warroom.kinds import TimelineKind
from warroom.postmortems import store as postmortems
from warroom.postmortems.diff import DiffLine, compare_lines
from warroom.postmortems.store import PostmortemVersion
from warroom.severity import Severity

__all__ = [
    "DRAFTER",
    "VersionComparison",
    "compare_versions",
    "latest_postmortem",
    "postmortem_versions",
    "restore_postmortem",
    "save_postmortem",
]

DRAFTER = "warroom"
"""The author recorded on a version the drafting agent wrote (version 1); any other is a person's."""


class VersionComparison(BaseModel):
    incident_id: int
    old: PostmortemVersion
    new: PostmortemVersion
    lines: list[DiffLine]


def latest_postmortem(ctx: Context, incident_id: int) -> PostmortemVersion:
    with ctx.engine.connect() as conn:
        latest = postmortems.latest(conn, incident_id)
    if latest is None:
        raise NotFound(f"incident {incident_id} has no postmortem yet (it is drafted when the incident is resolved)")
    return latest


def postmortem_versions(ctx: Context, incident_id: int) -> list[PostmortemVersion]:
    """Every version, oldest first; NotFound while there is none."""
    with ctx.engine.connect() as conn:
        versions = postmortems.history(conn, incident_id)
    if not versions:
        latest_postmortem(ctx, incident_id)
    return versions


def _pick(versions: list[PostmortemVersion], number: int) -> PostmortemVersion:
    found = next((v for v in versions if v.version == number), None)
    if found is None:
        raise NotFound(f"the postmortem has no version {number} (versions 1 to {versions[-1].version})")
    return found


def compare_versions(ctx: Context, incident_id: int, old: int, new: int) -> VersionComparison:
    """Version `old` against version `new`, line by line; NotFound names a version that is not there."""
    versions = postmortem_versions(ctx, incident_id)
    before, after = _pick(versions, old), _pick(versions, new)
    lines = compare_lines(before.markdown, after.markdown)
    return VersionComparison(incident_id=incident_id, old=before, new=after, lines=lines)


def save_postmortem(ctx: Context, incident_id: int, markdown: str, actor: Actor) -> PostmortemVersion:
    """The edit as the next version; blame is looked for around the author, the previous author,
    the commander and whoever acknowledged."""
    return _append(ctx, incident_id, markdown, actor, latest_postmortem(ctx, incident_id))


def restore_postmortem(ctx: Context, incident_id: int, version: int, actor: Actor) -> PostmortemVersion:
    """Version `version`'s text saved again as the next version, by `actor`, with blame flags and
    publishing as for any save; no version is changed or removed. Conflict for the latest version
    (there is nothing to restore), NotFound for one that does not exist."""
    versions = postmortem_versions(ctx, incident_id)
    chosen, latest = _pick(versions, version), versions[-1]
    if chosen.version == latest.version:
        raise Conflict(f"version {version} is already the latest version of the postmortem")
    return _append(ctx, incident_id, chosen.markdown, actor, latest, restored_from=chosen.version)


def _append(
    ctx: Context,
    incident_id: int,
    markdown: str,
    actor: Actor,
    previous: PostmortemVersion,
    *,
    restored_from: int | None = None,
) -> PostmortemVersion:
    now = ctx.clock.now()
    author = actor.label
    new_label = "edited" if restored_from is None else f"restored v{restored_from}"
    with ctx.engine.begin() as conn:
        incident = incidents.get_incident(conn, incident_id, with_timeline=False)
        assert incident is not None
        people = sorted({author, previous.author, incident.commander or "", incident.acknowledged_by or ""} - {""})
        flags = [f.model_dump(mode="json") for f in find_blame(markdown, people)]
        version = postmortems.save_version(
            conn,
            incident_id,
            author=author,
            now=now,
            markdown=markdown,
            blame_flags=flags,
            diff=diff_versions(previous.markdown, markdown, old_label=f"v{previous.version}", new_label=new_label),
        )
        publish_postmortem(conn, ctx.settings, incident_id=incident_id, version=version, now=now)
        what = "saved" if restored_from is None else f"restored from v{restored_from}"
        incidents.add_timeline(
            conn,
            incident_id,
            now,
            TimelineKind.POSTMORTEM,
            f"Postmortem v{version} {what} by {author}" + (f" ({len(flags)} blaming phrases flagged)" if flags else ""),
            actor=author,
        )
        _file_added_items(conn, incident, markdown, author, now)
        saved = postmortems.history(conn, incident_id)[-1]
    return saved


def _file_added_items(conn: Connection, incident: Incident, markdown: str, author: str, now: datetime) -> None:
    """Rows a person added to the Action items table become items filed like the draft's (the
    tracker through the outbox, once per item key); rows already filed, or nearly the same words,
    are left alone."""
    filed = action_items.list_items(conn, incident_id=incident.id)
    number = len(filed)
    for row in new_rows(table_rows(markdown), [item.title for item in filed]):
        priority = row.priority or Severity.P2
        due = datetime.combine(row.due, time(), UTC) if row.due else due_by_policy(now, priority)
        owner = row.owner or incident.commander or "incident commander"
        while True:  # the next free number (an item is never renumbered)
            number += 1
            key = keys.action_item(incident.id, number)
            values = dict(
                incident_id=incident.id,
                title=row.title[:500],
                owner=owner[:255],
                due=due,
                priority=priority.value,
                source="postmortem edit",
                created_at=now,
            )
            if file_item(conn, key=key, values=values, now=now):
                break
        incidents.add_timeline(
            conn,
            incident.id,
            now,
            TimelineKind.ACTION_ITEM,
            f"Action item added in the postmortem by {author}: {row.title} (owner {owner}, due {due:%Y-%m-%d})",
            actor=author,
        )
