"""Who is affected: the cohort in words, its size, and exactly whom to tell.

Comms go only to people the incident touched: recipients are the affected users' own addresses,
and an enterprise account gets a formal notice only when one of its users was affected.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agents.support.facts import IncidentFacts, KnownAccount
from agents.support.places import place

__all__ = ["DOMINANCE", "Cohort", "Trait", "detect_cohort"]

DOMINANCE = 0.8
"""A tag value carried by at least this share of affected events describes the cohort."""

_KIND_ORDER = ("browser", "os", "plan", "region", "release", "flag", "other")
_PUBLIC_KINDS = {"browser", "os", "plan", "region"}
_TRUTHY = {"true", "on", "enabled", "1", "yes"}
_VERSIONED = re.compile(r"^(?P<family>[A-Za-z][A-Za-z .-]*?)\s*(?P<major>\d+)(?:[.\d]*)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Trait(BaseModel):
    """One tag value that dominates the affected events, with the words that describe it."""

    tag: str
    kind: str
    value: str
    share: float = Field(ge=0.0, le=1.0)
    phrase: str


class Cohort(BaseModel):
    """The affected cohort. `description` may name releases and flags (internal use);
    `public_description` keeps only what a customer recognises (browser, OS, plan, region)."""

    description: str
    public_description: str
    size: int = Field(ge=0)
    share: float | None = None
    traits: list[Trait] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list)
    accounts: list[KnownAccount] = Field(default_factory=list)


def detect_cohort(facts: IncidentFacts) -> Cohort:
    candidates = sorted(
        (t for t in (_dominant(tag, dist) for tag, dist in facts.tags.items()) if t is not None),
        key=lambda t: (_KIND_ORDER.index(t.kind), t.tag),
    )
    # One trait per kind ("browser" before "browser.name"), and only kinds a person recognises:
    # environment, level or transaction tags describe the error, not who was hit.
    traits: list[Trait] = []
    for trait in candidates:
        if trait.kind != "other" and all(t.kind != trait.kind for t in traits):
            traits.append(trait)
    return Cohort(
        description=_describe(traits),
        public_description=_describe([_public(t) for t in traits if t.kind in _PUBLIC_KINDS and _public(t)]),
        size=facts.cohort_size,
        share=facts.affected_share,
        traits=traits,
        recipients=_recipients(facts),
        accounts=[
            account
            for account in facts.known_accounts
            if any(account.matches(user.account) for user in facts.affected_users)
        ],
    )


def _kind(tag: str) -> str:
    name = tag.lower()
    if "browser" in name:
        return "browser"
    if name in {"os", "os.name", "client_os", "client_os.name"}:
        return "os"
    if "flag" in name or name.startswith("feature"):
        return "flag"
    if "region" in name or name in {"datacenter", "zone", "availability_zone"}:
        return "region"
    if name in {"release", "version", "app.version", "sentry:release"}:
        return "release"
    if "plan" in name or name == "tier":
        return "plan"
    return "other"


def _dominant(tag: str, distribution: dict[str, int]) -> Trait | None:
    total = sum(count for count in distribution.values() if count > 0)
    if total == 0:
        return None
    kind = _kind(tag)
    value, count = max(distribution.items(), key=lambda item: item[1])
    if count / total >= DOMINANCE:
        return _trait(tag, kind, value, count / total)
    if kind in {"browser", "os"}:
        return _version_family(tag, kind, distribution, total)
    return None


def _version_family(tag: str, kind: str, distribution: dict[str, int], total: int) -> Trait | None:
    """'Chrome 120' + 'Chrome 121' dominate together as 'Chrome 120+'."""
    families: dict[str, list[tuple[int, int]]] = {}
    for value, count in distribution.items():
        match = _VERSIONED.match(value.strip())
        if match:
            families.setdefault(match["family"].strip(), []).append((int(match["major"]), count))
    for family, versions in families.items():
        count = sum(c for _, c in versions)
        if count / total >= DOMINANCE:
            return _trait(tag, kind, f"{family} {min(m for m, _ in versions)}+", count / total)
    return None


def _trait(tag: str, kind: str, value: str, share: float) -> Trait | None:
    if kind == "flag" and "." in tag:
        if value.lower() not in _TRUTHY:
            return None
        value = tag.split(".", 1)[1]
    phrase = {
        "browser": f"{value} users",
        "os": f"{value} users",
        "plan": f"on the {value} plan",
        "region": f"in {value}",
        "release": f"on release {value}",
        "flag": f"with the {value} flag",
        "other": f"with {tag} {value}",
    }[kind]
    return Trait(tag=tag, kind=kind, value=value, share=round(share, 4), phrase=phrase)


def _public(trait: Trait) -> Trait | None:
    """The trait as a customer reads it: a region as a place, or nothing if it cannot be placed."""
    if trait.kind != "region":
        return trait
    where = place(trait.value)
    return trait.model_copy(update={"phrase": f"in {where}"}) if where else None


def _describe(traits: list[Trait | None]) -> str:
    traits = [t for t in traits if t is not None]
    nouns = [t.phrase for t in traits if t.kind in {"browser", "os"}]
    head = " and ".join(nouns) if nouns else "users"
    return " ".join([head, *(t.phrase for t in traits if t.kind not in {"browser", "os"})])


def _recipients(facts: IncidentFacts) -> list[str]:
    seen: dict[str, None] = {}
    for user in facts.affected_users:
        email = (user.email or "").strip().lower()
        if _EMAIL.match(email):
            seen.setdefault(email)
    return list(seen)
