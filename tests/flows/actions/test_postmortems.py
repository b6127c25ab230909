"""Postmortem versions as every door changes them: a restore appends the old text as the newest
version and rewrites nothing; a comparison names a version that is not there."""

from __future__ import annotations

import pytest

from flows.actions import incidents as actions
from flows.actions import postmortems as postmortem_actions
from warroom.actors import Actor, ActorKind
from warroom.errors import Conflict, NotFound
from warroom.postmortems.diff import LineChange

ANA = Actor(kind=ActorKind.WEB, name="web")
BOB = Actor(kind=ActorKind.API, name="bob")


@pytest.fixture
def resolved(warroom, p0_incident) -> int:
    actions.resolve(warroom.context, p0_incident, BOB, summary="fixed: rolled back")
    warroom.scheduler.run_pending()
    return p0_incident


def test_restoring_version_1_appends_its_text_as_a_new_version_and_keeps_the_history(warroom, resolved):
    ctx = warroom.context
    draft = postmortem_actions.latest_postmortem(ctx, resolved)
    postmortem_actions.save_postmortem(ctx, resolved, draft.markdown + "\nA second thought.\n", ANA)
    before = postmortem_actions.postmortem_versions(ctx, resolved)

    restored = postmortem_actions.restore_postmortem(ctx, resolved, 1, BOB)

    after = postmortem_actions.postmortem_versions(ctx, resolved)
    assert (restored.version, restored.author, restored.markdown) == (3, "bob", draft.markdown)
    assert after[:2] == before and after[-1] == restored
    assert [v.author for v in after] == [postmortem_actions.DRAFTER, "web", "bob"]
    assert "-A second thought." in restored.diff and "+++ restored v1" in restored.diff
    timeline = actions.get_incident(ctx, resolved).timeline
    assert any(e.text == "Postmortem v3 restored from v1 by bob" for e in timeline)


def test_restoring_the_latest_or_a_missing_version_is_refused_and_adds_nothing(warroom, resolved):
    ctx = warroom.context
    with pytest.raises(Conflict, match="version 1 is already the latest"):
        postmortem_actions.restore_postmortem(ctx, resolved, 1, BOB)
    with pytest.raises(NotFound, match="no version 7 \\(versions 1 to 1\\)"):
        postmortem_actions.restore_postmortem(ctx, resolved, 7, BOB)
    assert len(postmortem_actions.postmortem_versions(ctx, resolved)) == 1


def test_comparing_two_versions_marks_the_added_and_removed_lines(warroom, resolved):
    ctx = warroom.context
    draft = postmortem_actions.latest_postmortem(ctx, resolved)
    first_line = draft.markdown.splitlines()[0]
    edited = draft.markdown.replace(first_line, "# Checkout outage", 1) + "\nDetection took four minutes.\n"
    postmortem_actions.save_postmortem(ctx, resolved, edited, ANA)

    comparison = postmortem_actions.compare_versions(ctx, resolved, 1, 2)

    changed = [(r.change, r.text) for r in comparison.lines if r.change in (LineChange.ADDED, LineChange.REMOVED)]
    assert changed == [
        (LineChange.REMOVED, first_line),
        (LineChange.ADDED, "# Checkout outage"),
        (LineChange.ADDED, ""),
        (LineChange.ADDED, "Detection took four minutes."),
    ]
    assert (comparison.old.version, comparison.new.version) == (1, 2)
    with pytest.raises(NotFound, match="no version 3"):
        postmortem_actions.compare_versions(ctx, resolved, 1, 3)


def test_an_incident_without_a_postmortem_has_no_versions_to_compare(warroom, p0_incident):
    with pytest.raises(NotFound, match="has no postmortem yet"):
        postmortem_actions.compare_versions(warroom.context, p0_incident, 1, 1)


def test_a_row_added_in_the_editor_is_filed_once_and_a_fixed_typo_is_not_a_new_item(warroom, resolved, client, auth):
    from sqlalchemy import select

    from warroom.db import table_of
    from warroom.outbox.tables import OutboxRow

    before = client.get("/api/action-items", params={"incident_id": resolved}, headers=auth).json()
    latest = postmortem_actions.latest_postmortem(warroom.context, resolved).markdown
    first = before[0]["title"]
    edited = latest.replace(f"| {first} |", f"| {first}. |")  # a full stop added: the same item
    row = "| Add a retry budget to the payment client | Dana Reyes | 2026-12-10 | P0 | team |\n"
    edited = edited.replace("\n## Related incidents", row + "\n## Related incidents", 1)
    assert row in edited
    postmortem_actions.save_postmortem(warroom.context, resolved, edited, BOB)
    postmortem_actions.save_postmortem(warroom.context, resolved, edited + "\nA closing line.\n", BOB)  # again

    after = client.get("/api/action-items", params={"incident_id": resolved}, headers=auth).json()
    added = [i for i in after if i["id"] not in {b["id"] for b in before}]
    assert [(i["title"], i["owner"], i["due"][:10], i["priority"], i["source"]) for i in added] == [
        ("Add a retry budget to the payment client", "Dana Reyes", "2026-12-10", "P0", "postmortem edit")
    ]
    outbox = table_of(OutboxRow)
    with warroom.engine.connect() as conn:
        filings = conn.execute(select(outbox.c.idempotency_key).where(outbox.c.kind == "tracker.file")).scalars().all()
    assert len(filings) == len(after)  # one filing per item, the new one included, none twice
    timeline = client.get(f"/api/incidents/{resolved}", headers=auth).json()["timeline"]
    added_lines = [e["text"] for e in timeline if "Action item added in the postmortem by" in e["text"]]
    assert len(added_lines) == 1 and "bob" in added_lines[0] and "due 2026-12-10" in added_lines[0]
