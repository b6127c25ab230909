"""What an incident's record, as the API shows it, lets a public message say: this suite's own
reading of the facts, independent of the product's grounding check."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from evals.lifecycle import PublicMessage, Response
from warroom.kinds import TimelineKind

__all__ = ["Record", "at", "minutes_between"]

_GENERIC = {"api", "v1", "v2", "v3", "internal", "public", "www", "app", "prod", "production"}


class Record:
    """What the incident's record (as the API shows it) lets a public message say."""

    def __init__(self, response: Response) -> None:
        incident = response.incident
        self.response = response
        self.moments = [
            at(incident[k]) for k in ("first_seen", "opened_at", "last_seen", "resolved_at") if incident.get(k)
        ]
        self.started = at(incident["first_seen"])
        self.resolved = at(incident["resolved_at"]) if incident.get("resolved_at") else None
        cohorts = [
            e["data"]["cohort"]
            for e in incident["timeline"]
            if e["kind"] == TimelineKind.COMMS_DRAFTED and (e.get("data") or {}).get("cohort")
        ]
        self.cohorts = [
            c["public_description"] for c in cohorts if c.get("public_description") not in (None, "", "users")
        ]
        self.users = incident["users_affected"]
        self.share = min(self.users / response.service_users, 1.0) * 100 if response.service_users else None
        self.percents = [t["share"] * 100 for c in cohorts for t in c.get("traits", []) if t.get("share")]
        held = {
            (e.get("data") or {}).get("severity") for e in incident["timeline"] if e["kind"] == TimelineKind.SEVERITY
        }
        self.cadences = sorted(
            {m for level, m in response.cadences.items() if level in held} or {response.cadence_minutes}
        )
        self.numbers = {
            float(n)
            for n in (
                incident["id"],
                incident["event_count"],
                incident["alert_count"],
                self.users,
                *(c.get("size") or 0 for c in cohorts),
            )
            if n
        }
        minutes = list(self.cadences)
        if self.resolved:
            minutes.append((self.resolved - self.started) / timedelta(minutes=1))
        minutes.append((at(incident["last_seen"]) - self.started) / timedelta(minutes=1))
        self.minutes = minutes
        self.days = set(response.sla_rca_days)
        self.dates = {m.date() for m in self.moments}
        if self.resolved:
            self.dates |= {(self.resolved + timedelta(days=d)).date() for d in self.days}
        # An RCA names what will prevent a repeat and by when: the action items' own due dates.
        self.dates |= {at(i["due"]).date() for i in response.action_items if i.get("due")}
        endpoints = [e["endpoint"] for e in incident.get("endpoints", [])]
        self.literals = sorted(
            {
                x
                for x in [
                    incident["title"],
                    incident.get("service"),
                    *endpoints,
                    *self.cohorts,
                    *_noted(response.notes),
                    *response.literals,
                    f"INC-{incident['id']}",
                ]
                if x and any(c.isdigit() for c in x)
            },
            key=len,
            reverse=True,
        )
        self.things = _things(incident.get("service"), endpoints)

    def time_ok(self, hhmm: tuple[int, int], message: PublicMessage) -> bool:
        if hhmm in {(m.hour, m.minute) for m in self.moments}:
            return True
        return hhmm in minutes_between(message.at, self.response.read_at + timedelta(minutes=max(self.cadences)))

    def count_ok(self, users: float) -> bool:
        """Counts only grow while an incident is open: any count up to today's was once true."""
        return users.is_integer() and 1 <= users <= self.users

    def share_ok(self, percent: float) -> bool:
        if any(abs(percent - p) <= 0.5 for p in self.percents):
            return True
        return self.share is not None and 0 < percent <= self.share + 0.5


def at(value: str | datetime) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def minutes_between(start: datetime, end: datetime) -> set[tuple[int, int]]:
    first = at(start).replace(second=0, microsecond=0)
    count = int((at(end) - first) / timedelta(minutes=1)) + 1
    return {((first + timedelta(minutes=n)).hour, (first + timedelta(minutes=n)).minute) for n in range(max(count, 0))}


def _noted(notes: list[str]) -> list[str]:
    """What the humans wrote, line by line without the label: messages may quote it."""
    return [re.sub(r"^\s*[\w ]{1,20}:\s*", "", line).strip() for note in notes for line in note.splitlines()]


def _things(service: str | None, endpoints: list[str]) -> list[str]:
    """Without `[comms] must_mention`: any meaningful word of the service or an endpoint path."""
    words = re.split(r"[-_\s]+", service or "")
    for endpoint in endpoints:
        words += re.split(r"[/?#\-_]+", endpoint.split(" ")[-1])
    return [w.lower() for w in words if len(w) > 2 and w.lower() not in _GENERIC and not w.isdigit()]
