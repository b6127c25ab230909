"""The blameless postmortem draft the founder edits in 30 minutes instead of writing from scratch.

`draft_postmortem` is a pure function of a `PostmortemInput` snapshot: every number comes from
stored timestamps, every cause from what humans wrote (else "unknown — to be completed"), and
names appear only as owners of action items. `render_markdown` turns it into the document the
API serves and versions (`agents.blameless.diff_versions` records each human edit).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from agents.coo.action_items import plan_actions
from agents.cto.affected import affected_thing
from agents.cto.postmortem.causes import blameless_quote, read_causes
from agents.cto.postmortem.impact import assess_impact
from agents.cto.postmortem.models import (
    UNKNOWN,
    ImpactReport,
    Postmortem,
    PostmortemInput,
    RelatedIncident,
    TimelineEntry,
)
from agents.cto.postmortem.related import find_related, repeat_warning
from agents.support.facts import Symptom
from warroom.durations import spell_duration

__all__ = ["WITHHELD", "draft_postmortem", "people_in", "render_markdown"]

WITHHELD = "(wording left out of the blameless draft; the original stays in the incident record)"


def people_in(inp: PostmortemInput) -> list[str]:
    """Every name the draft must keep out of causes: configured people, authors and actors."""
    names = [*inp.people, *inp.owners.names()]
    names += [n.author for n in inp.notes] + [m.author for m in inp.war_room]
    names += [e.actor for e in inp.incident.timeline]
    return [n for n in dict.fromkeys(names) if n and inp.owners.role_of(n) != "warroom"]


class _Quoter:
    """Quotes recorded text blamelessly and counts what had to be left out."""

    def __init__(self, people: list[str]) -> None:
        self.people = people
        self.withheld = 0

    def __call__(self, text: str) -> str:
        quoted = blameless_quote(text, self.people)
        if quoted is None:
            self.withheld += 1
            return WITHHELD
        return quoted


def _timeline(inp: PostmortemInput, quote: _Quoter) -> list[TimelineEntry]:
    """All recorded moments in time order, each with its stored timestamp and where it came from."""
    role = inp.owners.role_of
    entries = [
        TimelineEntry(
            at=a.at, source=f"alert ({a.source})", text=quote(a.title) + (f" (×{a.count})" if a.count > 1 else "")
        )
        for a in inp.alerts
    ]
    entries += [
        TimelineEntry(at=e.at, source=f"incident ({e.kind})", text=quote(e.text), actor=role(e.actor))
        for e in inp.incident.timeline
    ]
    entries += [
        TimelineEntry(at=m.at, source="war room", text=quote(m.text), actor=role(m.author)) for m in inp.war_room
    ]
    entries += [
        TimelineEntry(at=p.at, source="status page", text=f"{p.status.value}: {quote(p.body)}")
        for p in inp.status_posts
    ]
    entries += [
        TimelineEntry(at=c.at, source=f"comms ({c.channel})", text=f"message sent to {quote(c.audience)}")
        for c in inp.comms
    ]
    unique = {(e.at, e.source, e.text): e for e in entries}
    return sorted(unique.values(), key=lambda e: e.at)


_PAST = {
    Symptom.FAILING: "failed",
    Symptom.INTERMITTENT: "failed intermittently",
    Symptom.UNAVAILABLE: "was unavailable",
    Symptom.SLOW: "was slow",
    Symptom.DELAYED: "was delayed",
    None: "was degraded",
}


def headline(inp: PostmortemInput, impact: ImpactReport) -> str:
    """A title a person would give it: what broke, how and how long ("Checkout failed for 25
    minutes"), not the first alert's exception name; the same verb customers were told."""
    incident = inp.incident
    reading = incident.classification.facts if incident.classification else {}
    verb = _PAST[Symptom.spoken(Symptom.from_reading(reading), incident.severity)]
    how_long = f" for {spell_duration(impact.duration)}" if impact.resolved_at else " (still open)"
    return f"{affected_thing(incident)} {verb}{how_long}"


def _summary(pm_title: str, inp: PostmortemInput, impact: ImpactReport, root_cause: str | None) -> str:
    incident = inp.incident
    severity = f"{incident.severity.value} " if incident.severity else ""
    service = f" on {incident.service}" if incident.service else ""
    until = f"{impact.resolved_at:%H:%M} UTC" if impact.resolved_at else "still open at drafting time"
    cohort = f", in the cohort {impact.cohort}" if impact.cohort else ""
    steps = [
        f"first status-page post after {spell_duration(impact.time_to_first_status_post)}"
        if impact.time_to_first_status_post is not None
        else "no status-page post",
        f"first customer comms after {spell_duration(impact.time_to_first_comms)}"
        if impact.time_to_first_comms is not None
        else "no customer comms",
    ]
    return (
        f"{severity}incident “{pm_title}”{service} lasted {spell_duration(impact.duration)} "
        f"(first alert {impact.started_at:%H:%M} UTC on {impact.started_at:%-d %B %Y}, resolved {until}). "
        f"{impact.users_affected} users and {impact.requests_affected} requests were affected{cohort}. "
        f"Root cause: {root_cause or UNKNOWN}. Response: {'; '.join(steps)}."
    )


def _related(inp: PostmortemInput, title: str, root_cause: str | None, quote: _Quoter) -> list[RelatedIncident]:
    past = [
        p.model_copy(
            update={
                "title": quote(p.title),
                "root_cause": quote(p.root_cause) if p.root_cause else None,
                "open_action_items": [quote(item) for item in p.open_action_items],
            }
        )
        for p in inp.past_incidents
    ]
    return find_related(title, root_cause, past, exclude_id=inp.incident.id)


def draft_postmortem(inp: PostmortemInput) -> Postmortem:
    """The full draft; deterministic for a given input (no clock read, `inp.now` dates items)."""
    people = people_in(inp)
    quote = _Quoter(people)
    title = quote(inp.incident.title)
    assessment = assess_impact(inp)
    causes = read_causes(inp, inp.owners, people)
    related = _related(inp, title, causes.root_cause, quote)
    actions = plan_actions(inp, causes.root_cause, causes.actions, assessment.impact.sla_breaches, related)
    timeline = _timeline(inp, quote)
    return Postmortem(
        incident_id=inp.incident.id,
        title=headline(inp, assessment.impact),
        severity=inp.incident.severity,
        service=inp.incident.service,
        drafted_at=inp.now,
        summary=_summary(title, inp, assessment.impact, causes.root_cause),
        impact=assessment.impact,
        timeline=timeline,
        root_cause=causes.root_cause or UNKNOWN,
        root_cause_known=causes.root_cause is not None,
        five_whys=causes.whys,
        contributing_factors=causes.contributing or [UNKNOWN],
        went_well=assessment.went_well,
        could_be_better=assessment.could_be_better,
        action_items=actions,
        related_incidents=related,
        repeat_warnings=[w for r in related if (w := repeat_warning(r))],
        withheld=quote.withheld + causes.withheld,
    )


def _cell(value: object) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _refs(sources: list[int]) -> str:
    """`[T3, T7]`: the timeline entries a written sentence rests on."""
    return "[" + ", ".join(f"T{n}" for n in sources) + "]"


@cache
def _environment() -> Environment:
    # Markdown, not HTML: autoescape would mangle it; the API escapes when it renders HTML.
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["dur"] = spell_duration
    env.filters["cell"] = _cell
    env.filters["refs"] = _refs
    env.filters["sentences"] = lambda sentences: " ".join(f"{s.text} {_refs(s.sources)}" for s in sentences)
    return env


def render_markdown(pm: Postmortem) -> str:
    """The draft as Markdown, sections in the order of the usual postmortem template."""
    return _environment().get_template("postmortem.md.j2").render(pm=pm, unknown=UNKNOWN)
