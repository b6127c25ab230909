"""How a finding is worded for responders: always marked as the AI's unverified hypothesis, with
the evidence each claim cites, and never meant for anyone outside the team."""

from __future__ import annotations

from warroom.findings.models import Finding, MadeBy

__all__ = ["author", "timeline_text", "war_room_text"]

SHOWN_CLAIMS = 6


def author(finding: Finding) -> str:
    """Who wrote it, as responders read it: the rules' first look or the named model."""
    return (
        "first look by rules" if finding.made_by is MadeBy.RULES else f"investigation by {finding.model or 'a model'}"
    )


def timeline_text(finding: Finding) -> str:
    return f"AI hypothesis ({author(finding)}, {finding.confidence} confidence): {finding.hypothesis}"


def war_room_text(finding: Finding, link: str) -> str:
    lines = [f"AI hypothesis, not verified ({author(finding)}, {finding.confidence} confidence): {finding.hypothesis}"]
    lines += [f"• {claim.text} [{', '.join(claim.citations)}]" for claim in finding.claims[:SHOWN_CLAIMS]]
    if len(finding.claims) > SHOWN_CLAIMS:
        lines.append(f"• … {len(finding.claims) - SHOWN_CLAIMS} more on the incident page")
    if finding.next_checks:
        lines.append("Next checks: " + "; ".join(finding.next_checks[:3]))
    lines.append(f"Is it right, wrong or partly right? Mark it on {link}")
    return "\n".join(lines)
