"""`/api/incidents/{id}/findings`: the investigation's cited claims, and a responder's verdict on one."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import Authorized, Id, WarroomDep
from api.errors import documented
from api.routing import UntrustedJSONRoute
from flows.actions import findings as actions
from warroom.actors import Actor, ActorKind
from warroom.findings.models import Confidence, FindingRecord, MadeBy, Verdict

__all__ = ["router"]

router = APIRouter(
    prefix="/api/incidents/{incident_id}/findings",
    tags=["findings"],
    route_class=UntrustedJSONRoute,
    responses=documented(401, 404, 422),
)


class CitationOut(BaseModel):
    id: str
    summary: str = Field(description="what the cited evidence says, in one line")


class ClaimOut(BaseModel):
    text: str
    citations: list[CitationOut]


class FindingOut(BaseModel):
    """One finding: always the AI's hypothesis, never a confirmed cause."""

    id: int
    incident_id: int
    created_at: datetime
    made_by: MadeBy = Field(description="rules (the first look) or model")
    model: str | None
    hypothesis: str
    confidence: Confidence
    claims: list[ClaimOut]
    next_checks: list[str]
    tool_calls: int
    dropped_claims: int = Field(description="claims removed for citing nothing or something never returned")
    verdict: Verdict | None
    verdict_by: str | None
    verdict_at: datetime | None
    verdict_note: str | None


class VerdictIn(BaseModel):
    verdict: Verdict
    actor: str = Field(default="api", min_length=1, max_length=255)
    note: str = Field(default="", max_length=2000)


def _out(finding: FindingRecord) -> FindingOut:
    return FindingOut(
        id=finding.id,
        incident_id=finding.incident_id,
        created_at=finding.created_at,
        made_by=finding.made_by,
        model=finding.model,
        hypothesis=finding.hypothesis,
        confidence=finding.confidence,
        claims=[
            ClaimOut(
                text=claim.text,
                citations=[CitationOut(id=c, summary=finding.evidence.get(c, "")) for c in claim.citations],
            )
            for claim in finding.claims
        ],
        next_checks=finding.next_checks,
        tool_calls=finding.tool_calls,
        dropped_claims=len(finding.dropped),
        verdict=finding.verdict,
        verdict_by=finding.verdict_by,
        verdict_at=finding.verdict_at,
        verdict_note=finding.verdict_note,
    )


@router.get("", response_model=list[FindingOut])
def list_findings(incident_id: Id, warroom: WarroomDep, _: Authorized) -> list[FindingOut]:
    return [_out(f) for f in actions.list_findings(warroom.context, incident_id)]


@router.post("/{finding_id}/verdict", response_model=FindingOut, responses=documented(400, 413))
def judge(incident_id: Id, finding_id: Id, body: VerdictIn, warroom: WarroomDep, _: Authorized) -> FindingOut:
    actor = Actor(kind=ActorKind.API, name=body.actor)
    return _out(warroom.act(actions.judge_finding, incident_id, finding_id, body.verdict, actor, body.note))
