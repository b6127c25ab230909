"""Nothing uncited reaches a responder: the same idea as the comms grounding, for findings.

A claim stays only when it cites at least one id and every id it cites is one the tools really
returned. A finding left with no claim is no finding at all (the first look stands instead).
"""

from __future__ import annotations

from collections.abc import Mapping

from warroom.findings.models import Claim, DroppedClaim, Finding

__all__ = ["ground"]

MAX_CLAIMS = 12
MAX_NEXT_CHECKS = 6
MAX_CHECK_CHARS = 300


def ground(finding: Finding, known: Mapping[str, str]) -> Finding | None:
    """`finding` keeping only claims whose every citation is in `known` (id -> summary), with the
    evidence it cites summarised; None when no claim survives."""
    kept: list[Claim] = []
    dropped = list(finding.dropped)
    for claim in finding.claims:
        cited = list(dict.fromkeys(c.strip() for c in claim.citations if c.strip()))
        invented = [c for c in cited if c not in known]
        if not cited:
            dropped.append(DroppedClaim(text=claim.text, reason="cites nothing"))
        elif invented:
            dropped.append(
                DroppedClaim(
                    text=claim.text,
                    citations=cited,
                    reason=f"cites what the tools never returned: {', '.join(invented)}",
                )
            )
        elif len(kept) >= MAX_CLAIMS:
            dropped.append(DroppedClaim(text=claim.text, citations=cited, reason=f"more than {MAX_CLAIMS} claims"))
        else:
            kept.append(Claim(text=claim.text.strip(), citations=cited))
    if not kept:
        return None
    cited_ids = dict.fromkeys(c for claim in kept for c in claim.citations)
    checks = [" ".join(c.split())[:MAX_CHECK_CHARS] for c in finding.next_checks if c.strip()][:MAX_NEXT_CHECKS]
    return finding.model_copy(
        update={
            "claims": kept,
            "dropped": dropped,
            "next_checks": checks,
            "evidence": {c: known[c] for c in cited_ids},
        }
    )
