"""Past incidents that look like this one, and the plain warning when the same cause is back
while the last postmortem's action items are still open (the costliest pattern in small teams).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from agents.cto.postmortem.models import PastIncident, RelatedIncident

__all__ = ["RELATED_AT", "SAME_CAUSE_AT", "find_related", "repeat_warning", "similarity"]

RELATED_AT = 0.3
SAME_CAUSE_AT = 0.5

_STOPWORDS = frozenset(
    "a an and are as at be by for from has have in into is it its of on or our the their this to "
    "was were with after before during when while due not no".split()
)


def _tokens(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words if w not in _STOPWORDS}


def similarity(a: str | None, b: str | None) -> float:
    """0..1: the better of word overlap (Jaccard, plurals folded) and character similarity."""
    if not a or not b:
        return 0.0
    left, right = _tokens(a), _tokens(b)
    jaccard = len(left & right) / len(left | right) if left | right else 0.0
    return max(jaccard, SequenceMatcher(None, a.lower(), b.lower()).ratio())


def find_related(
    title: str, root_cause: str | None, past: list[PastIncident], *, exclude_id: int | None = None
) -> list[RelatedIncident]:
    """Past incidents similar by root cause or title, most similar first.

    `same_cause` compares root causes when both are known; with this cause still unknown the
    titles stand in, since a repeat is worth flagging even before the analysis is done.
    """
    related = []
    for incident in past:
        if incident.id == exclude_id:
            continue
        by_cause = similarity(root_cause, incident.root_cause)
        by_title = similarity(title, incident.title)
        score = max(by_cause, by_title, similarity(root_cause, incident.title))
        if score < RELATED_AT:
            continue
        same = by_cause >= SAME_CAUSE_AT if root_cause and incident.root_cause else by_title >= SAME_CAUSE_AT
        related.append(
            RelatedIncident(
                id=incident.id,
                title=incident.title,
                root_cause=incident.root_cause,
                resolved_at=incident.resolved_at,
                similarity=round(score, 2),
                same_cause=same,
                open_action_items=list(incident.open_action_items),
            )
        )
    return sorted(related, key=lambda r: r.similarity, reverse=True)


def repeat_warning(related: RelatedIncident) -> str | None:
    """One plain sentence when a same-cause incident still has open action items, else None."""
    if not (related.same_cause and related.open_action_items):
        return None
    count = len(related.open_action_items)
    items = "; ".join(related.open_action_items)
    cause = f" (root cause: {related.root_cause})" if related.root_cause else ""
    return (
        f"This looks like the same cause as incident #{related.id} “{related.title}”{cause}, "
        f"and its {count} action item{'' if count == 1 else 's'} {'is' if count == 1 else 'are'} "
        f"still open: {items}."
    )
