"""Editing a postmortem: every save is a new version with its diff and any blaming wording flagged,
and, with Notion configured, the team's Notion page updated in place.

Flags are shown, never enforced: the human decides; the version history keeps what changed.
"""

from __future__ import annotations

from agents.blameless import diff_versions, find_blame
from flows.context import Context
from flows.publishing import publish_postmortem
from warroom.actors import Actor
from warroom.errors import NotFound
from warroom.incidents import store as incidents
from warroom.kinds import TimelineKind
from warroom.postmortems import store as postmortems
from warroom.postmortems.store import PostmortemVersion

__all__ = ["latest_postmortem", "save_postmortem"]


def latest_postmortem(ctx: Context, incident_id: int) -> PostmortemVersion:
    with ctx.engine.connect() as conn:
        latest = postmortems.latest(conn, incident_id)
    if latest is None:
        raise NotFound(f"incident {incident_id} has no postmortem yet (it is drafted when the incident is resolved)")
    return latest


def save_postmortem(ctx: Context, incident_id: int, markdown: str, actor: Actor) -> PostmortemVersion:
    """The edit as the next version; blame is looked for around the author, the previous author,
    the commander and whoever acknowledged."""
    previous = latest_postmortem(ctx, incident_id)
    now = ctx.clock.now()
    author = actor.label
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
            diff=diff_versions(previous.markdown, markdown, old_label=f"v{previous.version}", new_label="edited"),
        )
        publish_postmortem(conn, ctx.settings, incident_id=incident_id, version=version, now=now)
        incidents.add_timeline(
            conn,
            incident_id,
            now,
            TimelineKind.POSTMORTEM,
            f"Postmortem v{version} saved by {author}" + (f" ({len(flags)} blaming phrases flagged)" if flags else ""),
            actor=author,
        )
        saved = postmortems.history(conn, incident_id)[-1]
    return saved
