"""A finding keeps only claims resting on evidence the tools returned."""

from __future__ import annotations

from agents.cto.investigation.grounding import ground
from warroom.findings.models import Claim, Confidence, Finding, MadeBy

KNOWN = {"sentry:issue:first_release": "first release shop@2", "alert:1": "sentry alert at 02:00 UTC: TypeError"}


def _finding(*claims: Claim) -> Finding:
    return Finding(
        hypothesis="Release shop@2 broke checkout.",
        confidence=Confidence.MEDIUM,
        claims=list(claims),
        made_by=MadeBy.MODEL,
    )


def test_a_claim_without_a_citation_is_dropped_and_recorded() -> None:
    grounded = ground(
        _finding(Claim(text="It was the database.", citations=[]), Claim(text="ok", citations=["alert:1"])), KNOWN
    )
    assert grounded is not None
    assert [c.text for c in grounded.claims] == ["ok"]
    assert [(d.text, d.reason) for d in grounded.dropped] == [("It was the database.", "cites nothing")]


def test_a_claim_citing_something_never_returned_is_dropped_even_beside_a_real_citation() -> None:
    grounded = ground(
        _finding(
            Claim(text="The frame says so.", citations=["alert:1", "sentry:event:latest:frame:9"]),
            Claim(text="Released just before.", citations=["sentry:issue:first_release"]),
        ),
        KNOWN,
    )
    assert grounded is not None
    assert [c.text for c in grounded.claims] == ["Released just before."]
    assert "sentry:event:latest:frame:9" in grounded.dropped[0].reason
    assert grounded.evidence == {"sentry:issue:first_release": "first release shop@2"}


def test_a_finding_with_no_cited_claim_left_is_no_finding() -> None:
    assert ground(_finding(Claim(text="Trust me.", citations=["made:up"])), KNOWN) is None
