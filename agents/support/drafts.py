"""Per-channel customer comms drafted from the facts by deterministic templates.

Templates live in `agents/support/templates/` (one per channel; `_macros.j2` holds shared sentences).
Drafts are proposals only: each one goes through `check_grounding` and the approval graph before
anything is sent, and recipients are the cohort's affected users, never a wider list.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from pydantic import BaseModel, Field

from agents.support.cohort import Cohort
from agents.support.facts import IncidentFacts, KnownAccount, Symptom
from warroom.channels import X_MAX_LENGTH, Channel, x_weighted_length
from warroom.drafts.models import CommsKind
from warroom.durations import spell_duration

__all__ = [
    "CHARGED_TO_BE_WRITTEN",
    "TO_BE_WRITTEN",
    "Draft",
    "account_users",
    "draft_comms",
    "format_percent",
    "format_time",
    "one_account_only",
    "rca_due",
]

_TEMPLATES = Path(__file__).parent / "templates"
_ENV = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,
)


_PROSE = {Channel.X}
_PUBLIC = {Channel.X, Channel.DISCORD, Channel.EMAIL, Channel.ENTERPRISE_EMAIL}


class Draft(BaseModel):
    """One message for one channel. `public` drafts reach customers and must pass grounding's
    internal-detail check; `account` names the enterprise account an enterprise email is for."""

    incident_id: int
    kind: CommsKind
    channel: Channel
    audience: str
    recipients: list[str] = Field(default_factory=list)
    account: str | None = None
    subject: str
    body: str
    facts_used: dict[str, Any] = Field(default_factory=dict)
    public: bool


def _sentence(text: str) -> str:
    """A human's note as a sentence: capitalised, ending in a full stop."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def format_time(moment: datetime) -> str:
    """'02:14 UTC' — the form templates use and grounding recognises."""
    return moment.astimezone(UTC).strftime("%H:%M UTC")


def format_percent(share: float) -> str:
    """0.15 -> '15%'; below 1% one decimal is kept ('0.4%')."""
    percent = share * 100
    return f"{round(percent)}%" if percent >= 1 else f"{round(percent, 1)}%"


def _minutes(minutes: int) -> str:
    """'1 hour 5 minutes': the form grounding reads back (never days, which it takes for an SLA)."""
    return spell_duration(timedelta(minutes=minutes), ("hour", "minute"))


def account_users(facts: IncidentFacts, account: KnownAccount) -> int:
    """How many of the account's own users were hit: its measured impact, else its affected users."""
    impact = next((i for i in facts.account_impact if account.matches(i.account)), None)
    if impact is not None and impact.users:
        return impact.users
    return sum(1 for u in facts.affected_users if account.matches(u.account))


def one_account_only(facts: IncidentFacts, cohort: Cohort) -> bool:
    """Every affected user belongs to one enterprise account: its contacts get the formal notice,
    and nothing is broadcast on X or Discord about a problem only they have."""
    users = [u for u in facts.affected_users if u.key]
    return (
        len(cohort.accounts) == 1
        and bool(users)
        and facts.cohort_size <= len(users)
        and all(cohort.accounts[0].matches(u.account) for u in users)
    )


def rca_due(facts: IncidentFacts, account: KnownAccount) -> datetime | None:
    """When the account's contract says the root-cause analysis is due (from resolution)."""
    if account.sla_rca_days is None or facts.resolved_at is None:
        return None
    return facts.resolved_at + timedelta(days=account.sla_rca_days)


def draft_comms(facts: IncidentFacts, cohort: Cohort, kind: CommsKind | str) -> list[Draft]:
    """One draft per channel; email only when the cohort has addresses, one enterprise email
    per affected account. Rendering is deterministic: same facts, same drafts."""
    kind = CommsKind(kind)
    context = _context(facts, cohort, kind)
    if kind is CommsKind.RCA:
        return [_render_rca(facts, context, account) for account in cohort.accounts]
    drafts = []
    if not one_account_only(facts, cohort):
        drafts += [
            _render_x(facts, kind, context),
            _render(facts, kind, Channel.DISCORD, context, audience="public Discord channel"),
        ]
    if cohort.recipients:
        drafts.append(
            _render(
                facts,
                kind,
                Channel.EMAIL,
                context,
                audience=f"{len(cohort.recipients)} affected users",
                recipients=cohort.recipients,
            )
        )
    for account in cohort.accounts:
        due = rca_due(facts, account)
        drafts.append(
            _render(
                facts,
                kind,
                Channel.ENTERPRISE_EMAIL,
                {
                    **context,
                    # The account's own numbers: "12 users" of theirs, not the incident's 18.
                    "users": f"{n:,}" if (n := account_users(facts, account)) else None,
                    "own_count": True,
                    "share": None,
                    "cohort": None,
                    "account": account.name,
                    "rca_days": account.sla_rca_days,
                    "rca_due": due.strftime("%-d %B %Y") if due else None,
                },
                audience=f"{account.name} ({account.tier})",
                recipients=_dedupe(account.contact_emails),
                account=account.name,
            )
        )
    drafts.append(_render(facts, kind, Channel.SLACK_INTERNAL, context, audience="incident channel"))
    return drafts


def _impact(facts: IncidentFacts, thing: str) -> tuple[str, str, str]:
    """(ongoing, short, past) wording of what customers live through: the symptom when the alerts
    tell it, otherwise the severity's (a P0 is failing, lower levels degraded)."""
    symptom = Symptom.spoken(facts.symptom, facts.public_severity or facts.severity)
    return {
        Symptom.FAILING: ("has been failing", "failing", f"could not use {thing}"),
        Symptom.UNAVAILABLE: ("has been unavailable", "unavailable", f"could not use {thing}"),
        Symptom.INTERMITTENT: ("has been failing intermittently", "failing intermittently", f"saw errors with {thing}"),
        Symptom.SLOW: ("has been slow", "slow", f"found {thing} slow"),
        Symptom.DELAYED: ("has been delayed", "delayed", f"saw delays with {thing}"),
        Symptom.AT_RISK: (
            "has been at risk of disruption",
            "at risk of disruption",
            f"were at risk of disruption to {thing}",
        ),
        Symptom.AFFECTED: (
            "has been affected",
            "affected",
            f"were affected by an issue with {thing}",
        ),
        None: ("has been degraded", "degraded", f"saw errors with {thing}"),
    }[symptom]


def _context(facts: IncidentFacts, cohort: Cohort, kind: CommsKind) -> dict[str, Any]:
    thing = facts.affected_thing.strip()
    impact, impact_short, impact_past = _impact(facts, thing)
    return {
        "kind": kind.value,
        "status": facts.status.value,
        "severity": facts.severity.value if facts.severity else None,
        "public_severity": public.value if (public := facts.public_severity or facts.severity) else None,
        "ref": f"INC-{facts.incident_id}",
        "title": facts.title,
        "thing": thing,
        "Thing": thing[:1].upper() + thing[1:],
        "impact": impact,
        "impact_short": impact_short,
        "impact_past": impact_past,
        "share": format_percent(facts.affected_share) if facts.affected_share else None,
        "users": f"{cohort.size:,}" if cohort.size else None,
        "own_count": False,
        "cohort": cohort.public_description if cohort.public_description != "users" else None,
        "cohort_internal": cohort.description,
        "traits": [{"tag": t.tag, "value": t.value, "pct": format_percent(t.share)} for t in cohort.traits],
        "started": format_time(facts.started_at),
        "as_of": format_time(facts.last_seen_at or facts.detected_at),
        "next_update": format_time(facts.next_update_at) if facts.next_update_at else None,
        "eta": format_time(facts.eta_at)
        if facts.eta_at
        else _minutes(facts.eta_minutes)
        if facts.eta_minutes
        else None,
        "eta_is_time": facts.eta_at is not None,
        "cause": facts.cause,
        "fixed": facts.what_was_fixed,
        "charged": _sentence(facts.charged) if facts.charged else None,
        "revenue_path": facts.revenue_path,
        "charged_slot": CHARGED_TO_BE_WRITTEN,
        "advice": facts.advice,
        "resolved": format_time(facts.resolved_at) if facts.resolved_at else None,
        "duration": _minutes(facts.duration_minutes) if facts.duration_minutes else None,
        "service": facts.service,
        "endpoints": facts.endpoints,
        "event_count": f"{facts.event_count:,}",
        "window": _minutes(facts.event_window_minutes) if facts.event_window_minutes else None,
        "recipients": len(cohort.recipients),
        "accounts": [a.name for a in cohort.accounts],
        "brief": False,
        "company": facts.brand.company,
        "signer": facts.brand.signer,
        "status_url": facts.brand.status_url,
    }


def _render(
    facts: IncidentFacts,
    kind: CommsKind,
    channel: Channel,
    context: dict[str, Any],
    *,
    audience: str,
    recipients: list[str] | None = None,
    account: str | None = None,
    template: str | None = None,
) -> Draft:
    if kind is CommsKind.ALL_CLEAR and facts.resolved_at is None:
        raise ValueError("an all-clear needs facts.resolved_at")
    if channel in _PUBLIC and template is None:
        # Notes are internal: customers read about the cause only in a `public:` note's words.
        # (The RCA is the exception: written to be reviewed line by line, blocked without a cause.)
        context = {**context, "cause": facts.public_cause, "fixed": None}
    chosen: Template = _ENV.get_template(template or f"{channel.value}.j2")
    variables = {**context, "m": _ENV.get_template("_macros.j2").make_module(context)}
    subject = _block(chosen, "subject", variables, prose=True)
    body = _block(chosen, "body", variables, prose=channel in _PROSE)
    return Draft(
        incident_id=facts.incident_id,
        kind=kind,
        channel=channel,
        audience=audience,
        recipients=recipients or [],
        account=account,
        subject=subject,
        body=body,
        facts_used=_facts_used(facts, f"{subject}\n{body}", context),
        public=channel in _PUBLIC,
    )


#: What an RCA says while no customer-readable cause is known: grounding blocks the draft on it.
TO_BE_WRITTEN = "[to be written: the cause in words the customer knows, without internal names]"
CHARGED_TO_BE_WRITTEN = (
    "[to be written: were customers charged for what failed, or did they lose anything? "
    "Say it here (or in a `charged:` note before resolving), then approve]"
)


def _render_rca(facts: IncidentFacts, context: dict[str, Any], account: KnownAccount) -> Draft:
    """One account's root-cause analysis: its own users, requests and minutes, the cause in
    customer words, what was done, and the dated action items that prevent a repeat."""
    if facts.resolved_at is None:
        raise ValueError("an RCA needs facts.resolved_at")
    impact = next((i for i in facts.account_impact if account.matches(i.account)), None)
    due = rca_due(facts, account)
    rca_context = {
        **context,
        "account": account.name,
        "date": facts.resolved_at.strftime("%-d %B %Y"),
        "rca_days": account.sla_rca_days,
        "rca_due": due.strftime("%-d %B %Y") if due else None,
        "account_users": f"{impact.users:,}" if impact else None,
        "account_requests": f"{impact.requests:,}" if impact and impact.requests else None,
        "account_from": format_time(impact.first_at) if impact and impact.first_at else None,
        "account_until": format_time(impact.last_at) if impact and impact.last_at else None,
        "account_minutes": _minutes(impact.minutes) if impact and impact.minutes else None,
        "cause_or_placeholder": facts.cause or TO_BE_WRITTEN,
        "follow_ups": [{"title": f.title, "due": f.due.strftime("%-d %B %Y")} for f in facts.follow_ups],
    }
    return _render(
        facts,
        CommsKind.RCA,
        Channel.ENTERPRISE_EMAIL,
        rca_context,
        audience=f"{account.name} ({account.tier}) root-cause analysis",
        recipients=_dedupe(account.contact_emails),
        account=account.name,
        template="rca.j2",
    )


def _render_x(facts: IncidentFacts, kind: CommsKind, context: dict[str, Any]) -> Draft:
    """The X post drops the cohort and cause words when the full version is over 280."""
    draft = _render(facts, kind, Channel.X, context, audience="public X account")
    if x_weighted_length(draft.body) > X_MAX_LENGTH:
        draft = _render(facts, kind, Channel.X, {**context, "brief": True}, audience="public X account")
    if x_weighted_length(draft.body) > X_MAX_LENGTH:
        draft = draft.model_copy(update={"body": draft.body[: X_MAX_LENGTH - 1].rstrip() + "…"})
    return draft


def _block(template: Template, name: str, variables: dict[str, Any], *, prose: bool) -> str:
    text = "".join(template.blocks[name](template.new_context(variables)))
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if prose:
        paragraphs = [" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs]
    else:
        paragraphs = ["\n".join(line.rstrip() for line in p.splitlines() if line.strip()) for p in paragraphs]
    return "\n\n".join(re.sub(r"[ \t]{2,}", " ", p) for p in paragraphs)


def _facts_used(facts: IncidentFacts, text: str, context: dict[str, Any]) -> dict[str, Any]:
    """The facts whose rendered form appears in the text, with their raw values."""
    candidates: dict[str, tuple[Any, Any]] = {
        "affected_thing": (context["thing"], facts.affected_thing),
        "affected_share": (context["share"], facts.affected_share),
        "users_affected": (context["users"], facts.cohort_size),
        "cohort": (context["cohort"], context["cohort"]),
        "started_at": (context["started"], facts.started_at.isoformat()),
        "next_update_at": (context["next_update"], facts.next_update_at.isoformat() if facts.next_update_at else None),
        "eta_minutes": (context["eta"], None if facts.eta_at else facts.eta_minutes),
        "eta_at": (context["eta"], facts.eta_at.isoformat() if facts.eta_at else None),
        "cause": (context["cause"], facts.cause),
        "what_was_fixed": (context["fixed"], facts.what_was_fixed),
        "charged": (context["charged"], facts.charged),
        "resolved_at": (context["resolved"], facts.resolved_at.isoformat() if facts.resolved_at else None),
        "duration_minutes": (context["duration"], facts.duration_minutes),
        "event_count": (context["event_count"], facts.event_count),
        "status": (context["status"], facts.status.value),
        "severity": (context["severity"], context["severity"]),
    }
    lowered = text.lower()
    return {
        name: raw
        for name, (shown, raw) in candidates.items()
        if shown and raw is not None and str(shown).lower() in lowered
    }


def _dedupe(emails: list[str]) -> list[str]:
    return list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
