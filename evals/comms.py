"""The comms suite: is every public message specific, current and true?

Each public message of a P0/P1 case (email, enterprise email, Discord and X drafts in any state,
and the status page's updates) is held to one rubric: it passed the product's own facts check; it
names the affected thing; it gives the cohort, and its size as a share of users where the service's
size is known (a raw count of users only in an enterprise notice, about the account's own); it says
when the trouble started and, unless it is the all-clear, when the next update comes (and the
status page keeps that promise); every number, share, time, date and duration in it is one the
incident's record supports; and it carries no internal detail (stack traces, exception names,
hostnames, email addresses, paths, the responders' names); and every message but the status page's
own posts links the status page, and each email is from and signed by the company. The record checks are this suite's own reading of the API,
independent of `agents.support.grounding`, so a bug there cannot hide here.

`KNOWN_GAPS` names product behaviour that fails the rubric today, with the reason: the score counts
those failures like any other; the gate tolerates them and fails once one stops occurring.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, Field

from evals.comms_record import Record, at, minutes_between
from evals.harness import BRAND, CommsSpec, Outcome
from evals.lifecycle import PublicMessage

__all__ = [
    "CHECKS",
    "KNOWN_GAPS",
    "CommsFailure",
    "CommsScore",
    "MessageVerdict",
    "judge_message",
    "render_comms",
    "score_comms",
    "verdicts",
]

CHECKS = (
    "grounded",
    "names_thing",
    "cohort",
    "current",
    "started",
    "next_update",
    "promise_kept",
    "facts_only",
    "no_internal",
    "not_stale",
    "branded",
    "no_raw_count",
    "charged",
    "no_region_code",
    "verb_matches_symptom",
    "enterprise_count",
    "no_broadcast",
    "no_raw_note",
    "advice",
)
# Note labels whose words are the responders' own: customers read the cause only from a `public:`
# note (or an RCA a person approves), never these.
_PRIVATE_LABELS = re.compile(r"^\s*(cause|fixed|hypothesis|tried|action|charged)\s*:\s*(.+)$", re.I | re.M)
_BROADCAST = ("status_page", "x", "discord")
# Cloud region codes (AWS, GCP, Azure-style): customers know places, not `eu-west-1`.
_REGION_CODE = re.compile(
    r"\b(?:us|eu|ap|sa|ca|me|af|il|mx)-(?:gov-)?(?:east|west|north|south|central|northeast|northwest|southeast|"
    r"southwest)-\d\b|\b(?:europe|asia|us|northamerica|southamerica|australia|me|africa)-(?:west|east|north|south|"
    r"central|northeast|southeast|northwest|southwest)\d\b",
    re.I,
)
# What customers live through, as the alerts' reading says it (this suite's own mapping of the
# classification's typed facts), and the words a message must then use.
_SYMPTOM_WORDS = {
    "unavailable": re.compile(r"\b(unavailable|down|could not|can't|cannot|isn't working)\b", re.I),
    "slow": re.compile(r"\bslow", re.I),
    "delayed": re.compile(r"\bdelay", re.I),
    "intermittent": re.compile(r"\bintermittent|\bsome (requests|users)|\bsaw errors\b", re.I),
    "failing": re.compile(r"\bfail|\bisn't working|\bnot working|\bdown\b|\berrors?\b", re.I),
    "affected": re.compile(r"\baffected\b", re.I),
}

# The rubric's own list, not the product's `revenue_paths`: where money moves, an all-clear must
# say whether customers were charged, or be held until a person says it.
_MONEY_WORDS = {
    "checkout",
    "cart",
    "payment",
    "payments",
    "pay",
    "billing",
    "order",
    "orders",
    "subscription",
    "purchase",
}
# Where customers act (buy, pay, sign in), the all-clear says what to do now that it works again.
_ACTING_WORDS = _MONEY_WORDS | {"login", "signin", "signup", "auth", "sso"}
_ADVICE = re.compile(r"\b(try (it )?again|place (it|your order) again|sign (in|up) again|you can now)\b", re.I)
_CHARGE_WORDS = re.compile(r"\b(charged|charge|refund(ed|s)?|billed|double[- ]charged)\b", re.I)
_SLOT = "[to be written: were customers charged"

KNOWN_GAPS: dict[tuple[str, str, str], str] = {
    ("status_page", "initial", "cohort"): "the CTO agent's page posts give the share but not who: "
    "the cohort description lives in the Support agent's drafts only",
    ("status_page", "update", "cohort"): "as status_page/initial: the share without the cohort description",
    ("status_page", "all_clear", "cohort"): "the resolved post gives the share and how long, not who",
    (
        "x",
        "all_clear",
        "cohort",
    ): "agents/support/templates/x.j2's all-clear gives the share (or 'some users'), not the cohort, to stay in 280",
    ("status_page", "initial", "current"): "a page post gives the share when it was posted; "
    "the rubric compares it with the final share",
    ("status_page", "update", "current"): "as status_page/initial: the share at the time of the post",
    ("status_page", "initial", "verb_matches_symptom"): "a page post speaks the symptom the alerts showed when "
    "it was posted; the rubric reads the final classification (low traffic: 'intermittent' at first, 'down' later)",
    ("status_page", "update", "verb_matches_symptom"): "as status_page/initial: the symptom at the time of the post",
}

_MONTHS = "january february march april may june july august september october november december".split()
_LONG_DATE = re.compile(rf"\b(\d{{1,2}})\s+({'|'.join(_MONTHS)})\s+(\d{{4}})\b", re.I)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")
_DURATION = re.compile(r"\b(?:(\d+)\s*hours?)?\s*(?:(\d+)\s*minutes?)?\b", re.I)
_DAYS = re.compile(r"\b(\d+)\s*days?\b", re.I)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_COUNT = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)\s+(?=(?:of your\s+)?(?:affected\s+)?(?:users?|customers?|people|person)\b)",
    re.I,
)
_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?![\w])|(?<![\w.])\d+(?:\.\d+)?(?![\w])")
_NEXT = re.compile(r"next update[^.\n]*?\b([01]?\d|2[0-3]):([0-5]\d)", re.I)
_INTERNAL = {
    "a stack trace": re.compile(
        r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|\bat [\w.$]+\([\w.]+:\d+\)"
    ),
    "an exception name": re.compile(r"\b[A-Z][A-Za-z0-9]*(?:Error|Exception)\b"),
    "a hostname": re.compile(
        r"\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|internal|local|svc|cluster)\b|\blocalhost\b|\bip-\d+-\d+-\d+-\d+\b|"
        r"\b(?:\d{1,3}\.){3}\d{1,3}\b",
        re.I,
    ),
    "an email address": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "a file path": re.compile(r"(?<![\w/<])/(?:[\w.-]+/)+[\w.-]+|\b[\w/-]+\.(?:py|js|ts|go|rb|java|php)\b"),
}


class MessageVerdict(BaseModel):
    case: str
    channel: str
    kind: str
    state: str
    text: str
    failed: dict[str, str] = Field(default_factory=dict, description="check -> what is wrong")

    @property
    def passed(self) -> bool:
        return not self.failed


class CommsFailure(BaseModel):
    case: str
    channel: str
    kind: str
    check: str
    detail: str
    text: str
    known_gap: str | None = None


class CommsScore(BaseModel):
    cases: int
    messages: int
    passed: int
    share: float | None
    by_check: dict[str, int] = Field(description="check -> messages failing it")
    failures: list[CommsFailure]
    unexplained: list[CommsFailure] = Field(description="failures no known gap explains: the gate's business")
    gaps_gone: list[str] = Field(description="known gaps that no longer occur: remove them from KNOWN_GAPS")
    errors: list[str] = Field(description="P0/P1 cases whose lifecycle could not be played")


def _mentions(text: str, term: str) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(t.strip())}", text, re.I) for t in term.split("|"))


def _hhmm(text: str) -> str:
    return f"{int(text.split(':')[0]):02d}:{text.split(':')[1]}"


def _facts_only(text: str, record: Record, message: PublicMessage, own: set[float]) -> str | None:
    """`own`: the numbers an enterprise notice may add about the account's own users and requests."""
    masked = text
    for literal in record.literals:
        masked = re.sub(re.escape(literal), " § ", masked, flags=re.I)
    wrong: list[str] = []

    def take(pattern: re.Pattern[str], judge: Any) -> None:
        nonlocal masked
        for match in pattern.finditer(masked):
            if match.group(0).strip() and (problem := judge(match)):
                wrong.append(problem)
        masked = pattern.sub(lambda m: " § " if m.group(0).strip() else m.group(0), masked)

    def long_date(m: re.Match[str]) -> str | None:
        shown = date(int(m[3]), _MONTHS.index(m[2].lower()) + 1, int(m[1]))
        return None if shown in record.dates else f"date '{m[0]}'"

    def iso_date(m: re.Match[str]) -> str | None:
        return None if date(int(m[1]), int(m[2]), int(m[3])) in record.dates else f"date '{m[0]}'"

    def duration(m: re.Match[str]) -> str | None:
        if not (m[1] or m[2]):
            return None
        shown = int(m[1] or 0) * 60 + int(m[2] or 0)
        return None if any(abs(shown - real) < 1 for real in record.minutes) else f"duration '{m[0].strip()}'"

    take(_LONG_DATE, long_date)
    take(_ISO_DATE, iso_date)
    take(_TIME, lambda m: None if record.time_ok((int(m[1]), int(m[2])), message) else f"time '{m[0]}'")
    take(_DURATION, duration)
    take(_DAYS, lambda m: None if int(m[1]) in record.days else f"'{m[0]}'")
    take(_PERCENT, lambda m: None if record.share_ok(float(m[1])) else f"share '{m[0]}'")
    take(_COUNT, lambda m: None if record.count_ok(float(m[1].replace(",", ""))) else f"count '{m[0]}'")
    take(_NUMBER, lambda m: None if float(m[0].replace(",", "")) in record.numbers | own else f"number '{m[0]}'")
    return f"not in the incident's record: {', '.join(wrong)}" if wrong else None


def judge_message(
    case: str,
    message: PublicMessage,
    record: Record,
    must_mention: list[str],
    following: PublicMessage | None = None,
    spec: CommsSpec | None = None,
) -> MessageVerdict:
    """Every check of the rubric on one message; `following` is the next status-page post, if any;
    `spec` the case's labels (an enterprise account's own count, a problem only it has)."""
    text = message.text
    failed: dict[str, str] = {}
    if message.kind != "rca" and (quoted := _raw_notes(text, record.response.notes)):
        failed["no_raw_note"] = f"quotes a responder's note to customers: '{quoted[0]}'"
    if spec is not None and spec.single_account and message.channel in _BROADCAST:
        failed["no_broadcast"] = "broadcast to everyone about a problem only one enterprise account has"
    if spec is not None and spec.account_users and message.channel == "enterprise_email":
        counts = [int(m[1].replace(",", "")) for m in _COUNT.finditer(text)]
        wrong = [c for c in counts if c != spec.account_users]
        if wrong or (message.kind in ("initial", "rca") and not counts):
            failed["enterprise_count"] = (
                f"gives {', '.join(map(str, counts)) or 'no count'}; the account's own users are {spec.account_users}"
            )
    # A draft held only because a person must still say whether anyone was charged is held by
    # design, not for an ungrounded claim: the "charged" check below judges it.
    problems = [p for p in message.problems if not p.startswith("say whether customers were charged")]
    if problems or (message.state == "blocked" and not message.problems):
        failed["grounded"] = f"the product's facts check: {'; '.join(problems) or 'blocked'}"
    if found := _REGION_CODE.findall(text):
        failed["no_region_code"] = f"a region code customers do not know: {found[0]}"
    symptom = _symptom((record.response.incident.get("classification") or {}).get("facts") or {})
    if symptom and message.kind != "all_clear" and not _SYMPTOM_WORDS[symptom].search(text):
        failed["verb_matches_symptom"] = f"the alerts say {symptom}; the message does not"
    if message.kind == "all_clear" and message.channel in ("email", "enterprise_email", "discord"):
        if _ACTING_WORDS & set(record.things) and not _ADVICE.search(text):
            failed["advice"] = "an all-clear where customers buy, pay or sign in does not say what to do now"
        if _MONEY_WORDS & set(record.things) and not (_CHARGE_WORDS.search(text) or _SLOT in text):
            failed["charged"] = "an all-clear where money moves says nothing of whether customers were charged"
    terms = must_mention or ([" | ".join(record.things)] if record.things else [])
    missing = [t for t in terms if not _mentions(text, t)]
    if missing:
        failed["names_thing"] = f"does not name {' / '.join(missing)}"
    if size := _size_problem(text, record, message.channel):
        failed["current" if size.startswith("stale") else "cohort"] = size
    if message.channel != "enterprise_email" and (counts := [f"{m[1]} users" for m in _COUNT.finditer(text)]):
        failed["no_raw_count"] = f"a raw count in public ({', '.join(counts)}): a share, or no number"
    # An enterprise notice speaks of the account's own users ("users in your organisation"), not the incident's cohort.
    if (
        message.channel != "enterprise_email"
        and record.cohorts
        and not any(c.lower() in text.lower() for c in record.cohorts)
    ):
        failed["cohort"] = (
            failed.get("cohort", "") + "; " if "cohort" in failed else ""
        ) + f"does not say who: {' / '.join(dict.fromkeys(record.cohorts))}"
    started = f"{record.started:%H:%M}"
    if not re.search(rf"(?<!\d){started}(?!\d)", _normalise_times(text)):
        failed["started"] = f"does not say it started at {started} UTC"
    if message.kind not in ("all_clear", "rca"):
        promised = _NEXT.search(text)
        if promised is None:
            failed["next_update"] = "no next-update time"
        elif message.channel == "status_page":
            shown = (int(promised[1]), int(promised[2]))
            dues = [at(message.at) + timedelta(minutes=c) for c in record.cadences]
            due = next((d for d in dues if shown in minutes_between(d - timedelta(minutes=1), d)), None)
            if due is None:
                failed["next_update"] = (
                    f"promises {promised[1]}:{promised[2]}; the cadence says {' or '.join(f'{d:%H:%M}' for d in dues)}"
                )
            elif following is not None and at(following.at) >= due.replace(second=0, microsecond=0) + timedelta(
                minutes=1
            ):
                failed["promise_kept"] = (
                    f"promised an update by {promised[1]}:{promised[2]} UTC; the next post came "
                    f"at {at(following.at):%H:%M:%S}"
                )
    own = {float(n) for n in (spec.account_users, spec.account_requests) if n} if spec else set()
    if problem := _facts_only(text, record, message, own if message.channel == "enterprise_email" else set()):
        failed["facts_only"] = problem
    public = text.replace(BRAND["status_page_url"], " ")
    leaks = [f"{what} ('{m[0]}')" for what, pattern in _INTERNAL.items() if (m := pattern.search(public))]
    names = {
        part
        for person in record.response.people
        if person[:1].isupper()
        for part in (person, person.split()[0])
        if len(part) > 2
    }
    leaks += [f"a responder's name ('{n}')" for n in sorted(names) if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)]
    if leaks:
        failed["no_internal"] = "contains " + ", ".join(leaks)
    if message.kind in ("initial", "update") and message.channel != "status_page" and record.resolved:
        if message.state in ("pending_approval", "blocked", "approved"):
            failed["not_stale"] = (
                f"a '{message.kind}' draft is still {message.state} after the all-clear: "
                "one click would tell customers the problem is still going on"
            )
    unbranded = []
    if message.channel != "status_page" and BRAND["status_page_url"] not in text:
        unbranded.append("no link to the status page")
    if message.channel in ("email", "enterprise_email"):
        company = BRAND["company_name"]
        if not re.search(rf"\b{company}\b", text):
            unbranded.append(f"does not say it is from {company}")
        if not text.rstrip().endswith(f"The {company} team"):
            unbranded.append("not signed by the company")
    if unbranded:
        failed["branded"] = "; ".join(unbranded)
    return MessageVerdict(
        case=case, channel=message.channel, kind=message.kind, state=message.state, text=text, failed=failed
    )


def _raw_notes(text: str, notes: list[str]) -> list[str]:
    """The private notes (`cause:`, `fixed:`, …) whose words a message repeats: any run of six
    words of one, case and punctuation aside."""
    said = " ".join(re.findall(r"[a-z0-9]+", text.lower()))
    found = []
    for note in notes:
        for match in _PRIVATE_LABELS.finditer(note):
            words = re.findall(r"[a-z0-9]+", match[2].lower())
            runs = [" ".join(words[i : i + 6]) for i in range(max(len(words) - 5, 0))]
            if any(f" {run} " in f" {said} " for run in runs):
                found.append(match[0].strip())
    return found


def _symptom(facts: dict[str, Any]) -> str | None:
    state, share = facts.get("state"), facts.get("failing_share")
    if state == "down":
        return "unavailable"
    if state == "delayed":
        return "delayed"
    if facts.get("latency_factor") is not None and state != "failing":
        return "slow"
    if isinstance(share, int | float) and share < 0.5:
        return "intermittent"
    if (facts.get("exposure") or facts.get("security_topic")) and share is None:
        return "affected"  # errors beside a data exposure are not an outage without a measured share
    if state == "failing":
        return "failing"
    return None


def _size_problem(text: str, record: Record, channel: str) -> str | None:
    """A size must be today's: a draft awaiting approval, or decided after the storm, that still
    carries an early size tells customers (and the approver) less than the record knows. Public
    text owes a size only as a share of users, so only where the record knows the denominator; an
    enterprise notice gives the account its own count."""
    if not record.users:
        return None
    counts = [int(m[1].replace(",", "")) for m in _COUNT.finditer(text)]
    shares = [float(m[1]) for m in _PERCENT.finditer(text)]
    current = [p for p in shares if record.share is not None and abs(p - record.share) <= 0.5]
    if channel == "enterprise_email":
        current += counts  # the account's own users: the lifecycle keeps no per-account count to compare
    if current:
        return None
    if shares and record.share is not None:
        return (
            f"stale size: says {', '.join(f'{p:g}%' for p in shares)}; the record counts {record.share:.0f}% of users"
        )
    if record.share is None and channel != "enterprise_email":
        return None
    if record.share is None:
        return f"no size although the record counts {record.users:,} affected users"
    return f"no size although the record knows {record.share:.0f}% of users were affected"


def _normalise_times(text: str) -> str:
    return _TIME.sub(lambda m: _hhmm(m[0]), text)


def verdicts(outcome: Outcome) -> list[MessageVerdict]:
    response = outcome.response
    if response is None:
        return []
    record = Record(response)
    page = sorted((m for m in response.messages if m.channel == "status_page"), key=lambda m: at(m.at))
    following = {id(m): nxt for m, nxt in zip(page, page[1:], strict=False)}
    # A withdrawn draft can never be sent: nobody reads it, so it is not judged.
    return [
        judge_message(outcome.case, m, record, outcome.comms.must_mention, following.get(id(m)), outcome.comms)
        for m in response.messages
        if m.state != "withdrawn"
    ] + _missing_notice(outcome)


def _missing_notice(outcome: Outcome) -> list[MessageVerdict]:
    """A case whose enterprise account was hit must have given it a notice: its absence is a failed message."""
    response = outcome.response
    if response is None or not outcome.comms.account_users:
        return []
    if any(m.channel == "enterprise_email" and m.state != "withdrawn" for m in response.messages):
        return []
    return [
        MessageVerdict(
            case=outcome.case,
            channel="enterprise_email",
            kind="initial",
            state="missing",
            text="",
            failed={"enterprise_count": "no notice to the enterprise account its own users were hit in"},
        )
    ]


def score_comms(outcomes: list[Outcome], *, every_case: bool = True) -> CommsScore:
    """`every_case=False` for a run of some cases only: a product-wide gap may then simply not come up."""
    judged: list[MessageVerdict] = []
    failures: list[CommsFailure] = []
    gone: list[str] = []
    for outcome in outcomes:
        mine = verdicts(outcome)
        judged += mine
        for verdict in mine:
            failures += [
                CommsFailure(
                    case=verdict.case,
                    channel=verdict.channel,
                    kind=verdict.kind,
                    check=check,
                    detail=detail,
                    text=verdict.text,
                    known_gap=KNOWN_GAPS.get((verdict.channel, verdict.kind, check))
                    or outcome.comms.known_gaps.get(check),
                )
                for check, detail in verdict.failed.items()
            ]
        if outcome.response is not None:
            gone += [
                f"{outcome.case}: {check} (case.toml [comms] known_gaps)"
                for check in outcome.comms.known_gaps
                if not any(check in v.failed for v in mine)
            ]
    seen = {(f.channel, f.kind, f.check) for f in failures}
    if judged and every_case:
        gone += [f"{c}/{k} {check} (KNOWN_GAPS)" for (c, k, check) in KNOWN_GAPS if (c, k, check) not in seen]
    passed = sum(v.passed for v in judged)
    return CommsScore(
        cases=sum(o.response is not None for o in outcomes),
        messages=len(judged),
        passed=passed,
        share=passed / len(judged) if judged else None,
        by_check={c: sum(c in v.failed for v in judged) for c in CHECKS},
        failures=failures,
        unexplained=[f for f in failures if f.known_gap is None],
        gaps_gone=gone,
        errors=[f"{o.case}: {o.response_error}" for o in outcomes if o.response_error],
    )


def render_comms(result: CommsScore, *, limit: int = 40) -> str:
    share = "n/a" if result.share is None else f"{result.share:.1%}"
    lines = [
        f"comms: {result.passed}/{result.messages} drafts pass ({share}) over {result.cases} P0/P1 cases",
        "  failing per check: " + ", ".join(f"{c} {n}" for c, n in result.by_check.items()),
    ]
    lines += [f"  lifecycle error: {e}" for e in result.errors]
    known = [f for f in result.failures if f.known_gap]
    if known:
        lines.append(f"  known product gaps ({len(known)} failures):")
        groups: dict[tuple[str, str], list[CommsFailure]] = {}
        for failure in known:
            groups.setdefault((failure.check, failure.known_gap or ""), []).append(failure)
        for (check, gap), group in groups.items():
            where = sorted({f"{f.channel}/{f.kind}" for f in group})
            cases = sorted({f.case for f in group})
            lines.append(f"  - [{check}] x{len(group)} in {len(cases)} cases ({', '.join(where)}): {gap}")
            lines.append(f"      e.g. {group[0].case} {group[0].channel}/{group[0].kind}: {group[0].detail}")
            lines.append("      | " + group[0].text.replace("\n", "\n      | "))
    if result.unexplained:
        lines.append(f"  failures ({len(result.unexplained)}):")
    for failure in result.unexplained[:limit]:
        lines.append(f"  - {failure.case} {failure.channel}/{failure.kind} [{failure.check}] {failure.detail}")
        lines.append("      | " + failure.text.replace("\n", "\n      | "))
    if len(result.unexplained) > limit:
        lines.append(f"  … {len(result.unexplained) - limit} more (--json lists them all)")
    lines += [f"  known gap no longer occurs, remove the mark: {g}" for g in result.gaps_gone]
    return "\n".join(lines)
