"""The blameless postmortem draft the founder edits in 30 minutes instead of writing from scratch.

`draft_postmortem` is a pure function of a `PostmortemInput` snapshot: every number comes from
stored timestamps, every cause from what humans wrote (else "unknown — to be completed"), and
names appear only as owners of action items. `render_markdown` turns it into the document the
API serves and versions (`agents.blameless.diff_versions` records each human edit).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from agents.coo.action_items import plan_actions
from agents.cto.affected import affected_thing
from agents.cto.postmortem.causes import OPEN, blameless_quote, clauses, read_causes
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
from agents.notes import parse_notes
from agents.support.facts import Symptom
from warroom.durations import spell_duration, whole_minutes
from warroom.redaction import redact_secrets

__all__ = ["WITHHELD", "draft_postmortem", "people_in", "render_markdown"]

WITHHELD = "(wording left out of the blameless draft; the original stays in the incident record)"


def people_in(inp: PostmortemInput) -> list[str]:
    """Every name the draft must keep out of causes: configured people, authors and actors."""
    names = [*inp.people, *inp.owners.names()]
    names += [n.author for n in inp.notes] + [m.author for m in inp.war_room]
    names += [e.actor for e in inp.incident.timeline]
    return [n for n in dict.fromkeys(names) if n and inp.owners.role_of(n) != "warroom"]


class _Quoter:
    """Quotes recorded text blamelessly, without the credentials an alert or a note may carry (a
    postmortem is shared widely and kept for years), and counts what had to be left out."""

    def __init__(self, people: list[str]) -> None:
        self.people = people
        self.withheld = 0

    def __call__(self, text: str) -> str:
        quoted = blameless_quote(redact_secrets(text), self.people)
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
    posted = {p.at for p in inp.status_posts}
    entries += [
        TimelineEntry(at=e.at, source=f"incident ({e.kind})", text=quote(e.text), actor=role(e.actor))
        for e in inp.incident.timeline
        if not (e.kind == "status_page" and e.at in posted)  # the post itself is the row below
    ]
    entries += [
        TimelineEntry(at=m.at, source="war room", text=quote(m.text), actor=role(m.author)) for m in inp.war_room
    ]
    # A post or a send is one row, not one from the page and one from the incident's timeline.
    recorded = {(e.at, e.kind) for e in inp.incident.timeline}
    entries += [
        TimelineEntry(
            at=p.at,
            source="status page",
            text=quote(p.body) if p.body.startswith("Status page (") else f"{p.status.value}: {quote(p.body)}",
        )
        for p in inp.status_posts
    ]
    entries += [
        TimelineEntry(at=c.at, source=f"comms ({c.channel})", text=f"message sent to {quote(c.audience)}")
        for c in inp.comms
        if (c.at, "comms_sent") not in recorded
    ]
    unique = {(e.at, e.source, e.text): e for e in entries}
    return sorted(unique.values(), key=lambda e: e.at)


_PAST = {
    Symptom.FAILING: "failed",
    Symptom.INTERMITTENT: "failed intermittently",
    Symptom.UNAVAILABLE: "was unavailable",
    Symptom.SLOW: "was slow",
    Symptom.DELAYED: "was delayed",
    Symptom.AFFECTED: "was affected",
    Symptom.AT_RISK: "was at risk of disruption",
    None: "was degraded",
}


def _as_told(duration: timedelta) -> str:
    """A duration as the status page and the emails said it: rounded to whole minutes."""
    return spell_duration(timedelta(minutes=whole_minutes(duration)))


def headline(inp: PostmortemInput, impact: ImpactReport) -> str:
    """A title a person would give it: what broke, how and how long ("Checkout failed for 25
    minutes"), not the first alert's exception name; the same verb customers were told."""
    incident = inp.incident
    reading = incident.classification.facts if incident.classification else {}
    verb = _PAST[Symptom.spoken(Symptom.from_reading(reading), incident.severity)]
    how_long = f" for {_as_told(impact.duration)}" if impact.resolved_at else " (still open)"
    return f"{affected_thing(incident)} {verb}{how_long}"


def _summary(inp: PostmortemInput, impact: ImpactReport, root_cause: str | None, title: str) -> str:
    """Three sentences a founder can read aloud: what happened and for how long, to whom, why, and
    how the response went; the same duration as the title and the customers' messages."""
    incident = inp.incident
    severity = f" ({incident.severity.value})" if incident.severity else ""
    until = f"{impact.resolved_at:%H:%M} UTC" if impact.resolved_at else "still open at drafting time"
    cohort = f", mostly {impact.cohort}" if impact.cohort else ""
    steps = [
        f"detected {spell_duration(impact.time_to_detect)} after the first error",
        f"first status-page post {spell_duration(impact.time_to_first_status_post)} after the alert"
        if impact.time_to_first_status_post is not None
        else "no status-page post",
        f"first customer message {spell_duration(impact.time_to_first_comms)} after the alert"
        if impact.time_to_first_comms is not None
        else "no customer message",
    ]
    return (
        f"{title}{severity}, from {impact.started_at:%H:%M} to {until} on {impact.started_at:%-d %B %Y}. "
        f"{impact.users_affected} users and {impact.requests_affected} requests were affected{cohort}. "
        f"Cause: {root_cause or 'not yet identified'}. Response: {'; '.join(steps)}."
    )


def _hhmm(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%H:%M} UTC"


def _trigger(inp: PostmortemInput, impact: ImpactReport, root_cause: str | None) -> str:
    """What set it off, from the noted cause (its first clause), at the first error."""
    if root_cause is None:
        return f"not identified in the notes; the first error came at {_hhmm(impact.first_error_at)}"
    return f"{clauses(root_cause)[0]} (first error at {_hhmm(impact.first_error_at)})"


def _detection(inp: PostmortemInput, impact: ImpactReport) -> str:
    """How we found out: the first alert and its source, the lag after the first error, the ack."""
    first = min(inp.alerts, key=lambda a: a.at, default=None)
    source = f"a {first.source} alert" if first else "the incident's opening"
    detected = impact.first_error_at + impact.time_to_detect
    said = f"{source} at {_hhmm(detected)}, {spell_duration(impact.time_to_detect)} after the first error"
    if impact.time_to_acknowledge is not None:
        return f"{said}; acknowledged {spell_duration(impact.time_to_acknowledge)} later"
    return f"{said}; no acknowledgement was recorded"


def _resolution(inp: PostmortemInput, quote: _Quoter) -> str:
    """What fixed it, in the responders' words: the `fixed:` notes and the resolve summary."""
    fixes = [
        f"{quote(fixed)} ({_hhmm(n.at)})"
        for n in inp.notes
        for line in n.text.splitlines()
        if (fixed := parse_notes([line]).fixed)
    ]
    summary = next(
        (e.text for e in reversed(inp.incident.timeline) if e.kind == "note" and e.at == inp.incident.resolved_at),
        None,
    )
    resolved = f"resolved at {_hhmm(inp.incident.resolved_at)}" if inp.incident.resolved_at else "still open"
    parts = [
        *fixes,
        f"{resolved}" + (f": “{quote(summary.strip())}”" if summary and not parse_notes([summary]).fixed else ""),
    ]
    return "; ".join(parts) if fixes or summary else f"{resolved}; what fixed it is not in the notes"


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
        summary=_summary(inp, assessment.impact, causes.root_cause, headline(inp, assessment.impact)),
        impact=assessment.impact,
        timeline=timeline,
        root_cause=causes.root_cause or UNKNOWN,
        root_cause_known=causes.root_cause is not None,
        five_whys=causes.whys,
        contributing_factors=causes.contributing,
        trigger=_trigger(inp, assessment.impact, causes.root_cause),
        detection=_detection(inp, assessment.impact),
        resolution=_resolution(inp, quote),
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
    env.filters["hhmm"] = _hhmm
    env.filters["day"] = lambda moment: f"{moment.astimezone(UTC):%-d %B %Y}"
    env.filters["cell"] = _cell
    env.filters["refs"] = _refs
    env.filters["sentences"] = lambda sentences: " ".join(f"{s.text} {_refs(s.sources)}" for s in sentences)
    return env


def render_markdown(pm: Postmortem) -> str:
    """The draft as Markdown, sections in the order of the usual postmortem template."""
    return _environment().get_template("postmortem.md.j2").render(pm=pm, unknown=UNKNOWN, open=OPEN)
