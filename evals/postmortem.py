"""The postmortem suite: is the draft complete, true to the record and blameless?

For every resolved P0/P1 case: the draft exists; every section of the usual template is there;
each action item (as `GET /api/action-items` lists them) has an owner and a due date after the
resolution; every status-page entry in its timeline carries the timestamp of a stored status-page
event, and every stored one is there; the impact's duration is its resolution minus its start, the
resolution is the incident's and the start is no later than the incident's opening; the root cause
is the one the humans wrote (unless the note blames someone: then it must not be quoted); and `agents.blameless.find_blame` finds nothing to flag with the
case's people (note author, resolver, on-call) as the names to watch.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from pydantic import BaseModel, Field, TypeAdapter

from agents.blameless import find_blame
from agents.notes import parse_notes
from evals.harness import Outcome
from evals.lifecycle import Response
from warroom.durations import spell_duration
from warroom.kinds import TimelineKind

__all__ = [
    "CHECKS",
    "SECTIONS",
    "PostmortemFailure",
    "PostmortemScore",
    "judge_postmortem",
    "render_postmortems",
    "score_postmortems",
]

SECTIONS = (
    "Summary",
    "Impact",
    "Timeline",
    "Trigger, detection and resolution",
    "Root cause",
    "Five whys",
    "What went well",
    "What could be better",
    "Action items",
    "Related incidents",
)
_DURATION = TypeAdapter(timedelta)
CHECKS = (
    "drafted",
    "sections",
    "action_items",
    "timeline",
    "durations",
    "root_cause",
    "blameless",
    "no_addresses",
    "whys_from_notes",
    "one_duration",
    "commitments_filed",
    "few_specific_items",
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")  # not a release tag: shop@2026.11.2
_TITLE_MINUTES = re.compile(r"for (?:(\d+) hours?)?\s*(?:(\d+) minutes?)?\s*$")
_PAGE_MINUTES = re.compile(r"\((?:(\d+) hours? ?)?(?:(\d+) minutes?)?\)")
_WILL = re.compile(r"^\s*(?:we(?:'|’)ll|we will)\s+(.+?)\.?\s*$", re.I | re.M)


class PostmortemFailure(BaseModel):
    case: str
    check: str
    detail: str


class PostmortemScore(BaseModel):
    cases: int
    complete: int
    share: float | None
    by_check: dict[str, int]
    failures: list[PostmortemFailure]
    errors: list[str] = Field(description="P0/P1 cases whose lifecycle could not be played")


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def judge_postmortem(response: Response) -> dict[str, str]:
    """check -> what is wrong; empty when the draft passes every check."""
    pm = response.postmortem
    if pm is None:
        return {"drafted": response.postmortem_error or "no postmortem"}
    markdown, data, incident = pm["markdown"], pm["data"], response.incident
    failed: dict[str, str] = {}
    missing = [s for s in SECTIONS if f"\n## {s}\n" not in f"\n{markdown}"]
    if missing:
        failed["sections"] = f"missing {', '.join(missing)}"

    resolved = _at(incident["resolved_at"])
    # An RCA owed to an enterprise account is tracked like an item, but it is the contract's, not the postmortem's.
    items = [i for i in response.action_items if not str(i.get("source", "")).startswith("rca:")]
    bad = [i["title"][:60] for i in items if not i["owner"] or not i["due"] or _at(i["due"]) <= resolved]
    if not items:
        failed["action_items"] = "no action items were filed"
    elif bad:
        failed["action_items"] = f"without an owner or a due date after resolution: {bad}"
    elif len(items) != len(data["action_items"]):
        failed["action_items"] = f"{len(data['action_items'])} in the draft, {len(items)} filed"

    machine = [i for i in data["action_items"] if not str(i.get("source", "")).startswith("note")]
    human = len(data["action_items"]) - len(machine)
    titles = [" ".join(str(i["title"]).lower().split()) for i in data["action_items"]]
    vague = [t for t in titles if len(t.split()) < 4]
    if machine and len(data["action_items"]) > 5:
        failed["few_specific_items"] = (
            f"{human} written by the team and {len(machine)} more: a handful (at most 5) gets done"
        )
    elif len(set(titles)) != len(titles) or vague:
        failed["few_specific_items"] = f"repeated or vague items: {vague or titles}"

    stored = {_at(e["at"]) for e in incident["timeline"] if e["kind"] == TimelineKind.STATUS_PAGE}
    shown = {_at(e["at"]) for e in data["timeline"] if e["source"] == "status page"}
    order = [_at(e["at"]) for e in data["timeline"]]
    if shown != stored or order != sorted(order):
        failed["timeline"] = (
            f"status-page entries at {sorted(f'{t:%H:%M:%S}' for t in shown ^ stored)} match no "
            f"stored status-page event"
            if shown != stored
            else "entries out of time order"
        )

    impact = data["impact"]
    started, ended = _at(impact["started_at"]), _at(impact["resolved_at"])
    duration = _DURATION.validate_python(impact["duration"])
    wrong = []
    if ended != resolved:
        wrong.append(f"resolved {ended} but the incident says {resolved}")
    if started > _at(incident["opened_at"]):
        wrong.append(f"starts {started}, after the incident opened at {incident['opened_at']}")
    if duration != ended - started:
        wrong.append(f"duration {duration} is not resolved - started ({ended - started})")
    if f"| {spell_duration(ended - started)} (" not in markdown:
        wrong.append(f"the Impact table does not show {spell_duration(ended - started)}")
    if wrong:
        failed["durations"] = "; ".join(wrong)

    cause = parse_notes(response.notes).cause
    if cause and find_blame(cause, response.people):
        if find_blame(data["root_cause"], response.people):
            failed["root_cause"] = f"root cause quotes the blaming note: '{data['root_cause'][:80]}'"
    elif cause and not data["root_cause"].startswith(cause):
        failed["root_cause"] = f"root cause '{data['root_cause'][:80]}' is not the noted '{cause[:80]}'"

    flags = find_blame(markdown, response.people)
    if flags:
        failed["blameless"] = "; ".join(f"'{f.excerpt}' ({f.kind})" for f in flags)

    # A document the whole team shares carries no customer's address.
    if found := sorted(set(_EMAIL.findall(markdown))):
        failed["no_addresses"] = f"{len(found)} email address(es), e.g. {found[0]}"
    # Where the notes give a cause, no why is left "unknown".
    quotable = cause and not find_blame(cause, response.people)  # a blaming cause is rightly not quoted
    if quotable and any(w["answer"].startswith("unknown") for w in data["five_whys"]):
        failed["whys_from_notes"] = "a why is 'unknown' although the notes give the cause"
    # One duration: the title's, the Impact table's and the status page's all-clear agree.
    minutes = round((ended - started) / timedelta(minutes=1))
    said = [_minutes(m) for m in _TITLE_MINUTES.finditer(data.get("title", ""))]
    said += [
        _minutes(m)
        for message in response.messages
        if message.channel == "status_page" and message.kind == "all_clear"
        for m in _PAGE_MINUTES.finditer(message.text)
    ]
    if off := [n for n in said if n is not None and n != minutes]:
        failed["one_duration"] = f"says {off} minutes where the impact lasted {minutes}"
    # Every "we'll …" a responder wrote became an action item.
    titles = " ".join(i["title"].lower() for i in response.action_items)
    promised = [m[1] for note in response.notes for m in _WILL.finditer(note)]
    if missed := [p for p in promised if p.lower().rstrip(".") not in titles]:
        failed["commitments_filed"] = f"not filed: {missed[0][:80]}"
    return failed


def _minutes(match: re.Match[str]) -> int | None:
    if not (match[1] or match[2]):
        return None
    return int(match[1] or 0) * 60 + int(match[2] or 0)


def score_postmortems(outcomes: list[Outcome]) -> PostmortemScore:
    judged = {o.case: judge_postmortem(o.response) for o in outcomes if o.response is not None}
    failures = [
        PostmortemFailure(case=case, check=check, detail=detail)
        for case, failed in judged.items()
        for check, detail in failed.items()
    ]
    complete = sum(not failed for failed in judged.values())
    return PostmortemScore(
        cases=len(judged),
        complete=complete,
        share=complete / len(judged) if judged else None,
        by_check={c: sum(c in failed for failed in judged.values()) for c in CHECKS},
        failures=failures,
        errors=[f"{o.case}: {o.response_error}" for o in outcomes if o.response_error],
    )


def render_postmortems(result: PostmortemScore) -> str:
    share = "n/a" if result.share is None else f"{result.share:.1%}"
    lines = [
        f"postmortems: {result.complete}/{result.cases} complete ({share})",
        "  failing per check: " + ", ".join(f"{c} {n}" for c, n in result.by_check.items()),
    ]
    lines += [f"  lifecycle error: {e}" for e in result.errors]
    lines += [f"  - {f.case} [{f.check}] {f.detail}" for f in result.failures]
    return "\n".join(lines)
