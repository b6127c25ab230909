"""Slack's requests to us: interactivity (Approve/Reject on drafts, Confirm/Raise/Lower on a level the
rules were unsure of) and the Events API (war-room
messages onto the incident timeline; "ack" and "resolve" typed in the channel). Both verify
Slack's signature over the raw body with a 5-minute replay window before reading anything, then
read it through `parse_json` and the shapes in `tools.slack_requests` (400 unreadable, 422 a
field of the wrong kind, named).

Buttons and commands are the same actions the web and the API run (`flows.actions`); a refusal
(already decided, already acknowledged) is told to that person alone, as an ephemeral reply,
when a bot token lets warroom write to Slack."""

from __future__ import annotations

import re
from typing import Any, TypeVar
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from api.deps import WarroomDep
from api.errors import documented
from flows import severity_question
from flows.actions import incidents as actions
from flows.actions.drafts import Decision, decide_draft
from flows.effects import reply_in_slack
from tools.slack import SlackSignatureError, verify_slack_signature
from tools.slack_requests import (
    BlockActions,
    EventEnvelope,
    Interaction,
    MessageEvent,
    SlackAction,
    SlackUser,
    SlashCommand,
)
from tools.webhooks.base import error_path
from warroom import keys
from warroom.actors import Actor, ActorKind
from warroom.errors import ActionError
from warroom.incidents import store as incidents
from warroom.settings import Settings
from warroom.severity import Severity
from warroom.untrusted import MAX_ID, MalformedJSON, parse_json

__all__ = ["router"]

router = APIRouter(prefix="/slack", tags=["slack"], responses=documented(400, 401, 413, 422))
ACK_WORDS = {"ack", "acknowledge", "acknowledged", "on it"}
RESOLVE_WORDS = {"resolve", "resolved", "/resolve"}
Shape = TypeVar("Shape", bound=BaseModel)
_MAX_ID_DIGITS = len(str(MAX_ID))
_ANSWER = re.compile(rf"(\d{{1,{_MAX_ID_DIGITS}}}):(P[0-3]):(P[0-3])")


async def _verified_body(request: Request, warroom: WarroomDep) -> bytes:
    secret = warroom.settings.slack_signing_secret
    if secret is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "WARROOM_SLACK_SIGNING_SECRET is not set")
    body = await request.body()
    try:
        verify_slack_signature(
            body,
            request.headers.get("x-slack-request-timestamp", ""),
            request.headers.get("x-slack-signature", ""),
            secret.get_secret_value(),
            warroom.clock.now().timestamp(),
        )
    except SlackSignatureError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from exc
    return body


def _shaped(shape: type[Shape], value: Any, prefix: str = "") -> Shape:
    try:
        return shape.model_validate(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"{prefix}{error_path(error['loc'])}: {error['msg']}"
        ) from exc


def _parsed(raw: bytes) -> Any:
    try:
        return parse_json(raw)
    except MalformedJSON as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc


def _tell(warroom: WarroomDep, key: str, channel: str | None, user: str | None, text: str) -> None:
    """A refusal, to the person alone; without a bot token there is no way to tell them in Slack."""
    if warroom.settings.slack_bot_token is None or not channel or not user:
        return
    with warroom.engine.begin() as conn:
        reply_in_slack(conn, key=key, channel=channel, user=user, text=text, now=warroom.clock.now())
    warroom.scheduler.wake()


def _who(user: SlackUser, settings: Settings | None = None) -> Actor:
    """The person behind a Slack member id when the configuration knows them (on-call, escalation,
    people with `slack_id`): `slack:Dana Reyes` with her email; else the Slack handle,
    `slack:<handle>`."""
    if settings is not None and user.id:
        for person in (settings.on_call, *settings.escalation, *settings.people):
            if person.slack_id == user.id and person.name:
                return Actor(kind=ActorKind.SLACK, name=person.name, email=person.email)
    return Actor(kind=ActorKind.SLACK, name=user.username or user.name or user.id or "unknown")


def _draft_id(value: str) -> int | None:
    """A button's value when it is a draft id within the databases' range."""
    if not (value.isascii() and value.isdigit() and len(value) <= _MAX_ID_DIGITS):
        return None
    return int(value) if 0 < int(value) <= MAX_ID else None


@router.post("/interactions")
async def interactions(request: Request, warroom: WarroomDep) -> JSONResponse:
    body = await _verified_body(request, warroom)
    try:
        [field] = parse_qs(body.decode(), strict_parsing=True)["payload"]
    except (KeyError, ValueError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "expected one form field `payload` holding JSON") from exc
    payload = _parsed(field.encode())
    kind = _shaped(Interaction, payload).type
    if kind != "block_actions":
        return JSONResponse({"ok": True, "ignored": f"interaction type {kind[:64]!r}"})
    clicked = _shaped(BlockActions, payload)
    results: list[dict[str, Any]] = []
    for action in clicked.actions:
        if action.action_id in severity_question.ACTIONS:
            results.append(_answer_severity(warroom, clicked, action))
            continue
        draft_id = _draft_id(action.value)
        if action.action_id not in ("approve_draft", "reject_draft") or draft_id is None:
            results.append({"action": action.action_id, "ignored": "not a decision button"})
            continue
        decision = Decision.APPROVE if action.action_id == "approve_draft" else Decision.REJECT
        try:
            record = warroom.act(decide_draft, draft_id, decision, _who(clicked.user, warroom.settings))
            results.append({"draft_id": record.id, "state": record.state.value})
        except ActionError as exc:
            results.append({"draft_id": draft_id, "refused": exc.message})
            key = keys.slack_reply(clicked.user.id, str(action.action_ts), str(draft_id))
            _tell(warroom, key, clicked.channel_id, clicked.user.id, exc.message)
    return JSONResponse({"ok": True, "results": results})


def _answer_severity(warroom: WarroomDep, clicked: BlockActions, action: SlackAction) -> dict[str, Any]:
    """A click on the uncertain level's question, `incident:asked:answer`; refused when the level moved."""
    match = _ANSWER.fullmatch(action.value)
    if match is None or not 0 < int(match.group(1)) <= MAX_ID:
        return {"action": action.action_id, "ignored": "not a severity answer"}
    incident_id, asked, answer = int(match.group(1)), Severity(match.group(2)), Severity(match.group(3))
    try:
        warroom.act(actions.set_severity, incident_id, answer, _who(clicked.user, warroom.settings), asked=asked)
    except ActionError as exc:
        key = keys.slack_reply(str(clicked.user.id), str(action.action_ts), action.value)
        _tell(warroom, key, clicked.channel_id, clicked.user.id, exc.message)
        return {"incident_id": incident_id, "refused": exc.message}
    return {"incident_id": incident_id, "severity": answer.value}


@router.post("/events")
async def events(request: Request, warroom: WarroomDep) -> JSONResponse:
    envelope = _shaped(EventEnvelope, _parsed(await _verified_body(request, warroom)))
    if envelope.type == "url_verification":
        return JSONResponse({"challenge": envelope.challenge})
    raw_event = envelope.human_message()
    if raw_event is None:
        return JSONResponse({"ok": True, "ignored": "not a human message"})
    event = _shaped(MessageEvent, raw_event, prefix="event.")
    text = event.text[:10_000]
    actor = _who(SlackUser(id=event.user), warroom.settings)
    with warroom.engine.connect() as conn:
        incident_id = incidents.incident_for_ref(conn, keys.SLACK_CHANNEL_REF, event.channel)
    if incident_id is None:
        return JSONResponse({"ok": True, "ignored": "not a war-room channel"})
    external_id = keys.slack_message(event.channel, event.ts)
    stored = warroom.act(actions.post_message, incident_id, text, actor, external_id=external_id)
    command = text.strip().lower()
    try:
        if command in ACK_WORDS:
            warroom.act(actions.acknowledge, incident_id, actor)
        elif command in RESOLVE_WORDS:
            warroom.act(actions.resolve, incident_id, actor)
    except ActionError as exc:
        if not stored:
            return JSONResponse({"ok": True})  # Slack's retry of a message already answered
        _tell(warroom, keys.slack_reply(external_id), event.channel, event.user, exc.message)
        return JSONResponse({"ok": True, "refused": exc.message})
    return JSONResponse({"ok": True})


COMMAND_HELP = (
    "`/warroom declare P1 Checkout is failing` opens an incident at that level · "
    "`/warroom status [id]` · `/warroom ack <id>` · `/warroom update <id> [investigating|identified|monitoring]` "
    "posts the next update now · `/warroom resolve <id> [summary]`"
)


@router.post("/commands")
async def commands(request: Request, warroom: WarroomDep) -> JSONResponse:
    """`/warroom declare|status|ack|update|resolve`: the same actions as the web UI and the API, by
    the Slack user; the answer is shown to that person alone (ephemeral)."""
    body = await _verified_body(request, warroom)
    try:
        fields = parse_qs(body.decode(), strict_parsing=True, keep_blank_values=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "expected a form-encoded slash command") from exc
    if any(len(values) != 1 for values in fields.values()):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "a slash command field appears more than once")
    command = _shaped(SlashCommand, {name: values[0] for name, values in fields.items()})
    actor = _who(SlackUser(id=command.user_id, username=command.user_name), warroom.settings)
    try:
        answer = _run_command(warroom, actor, command.text)
    except ActionError as exc:
        answer = f"Refused: {exc.message}"
    return JSONResponse({"response_type": "ephemeral", "text": answer})


def _run_command(warroom: WarroomDep, actor: Actor, text: str) -> str:
    from flows.actions.declare import Declaration, declare

    words = text.split()
    verb = words[0].lower() if words else "help"
    link = warroom.settings.public_url.rstrip("/")
    if verb == "declare":
        level = words[1].upper() if len(words) > 1 else ""
        title = " ".join(words[2:])
        if level not in {s.value for s in Severity} or len(title) < 3:
            return "Usage: `/warroom declare P0|P1|P2|P3 <what is wrong>`"
        try:
            declaration = Declaration(title=title, severity=Severity(level))
        except ValidationError as exc:
            return f"Refused: {exc.errors()[0]['msg']}"
        done = warroom.act(declare, declaration, actor)
        joined = "joined the incident already open" if done.joined else "declared"
        return f"Incident #{done.incident_id} {joined} at {level}: {link}/incidents/{done.incident_id}"
    if verb == "status" and len(words) == 1:
        with warroom.engine.connect() as conn:
            found = incidents.list_incidents(conn, open_only=True, limit=20)
        if not found:
            return "No open incidents."
        return "\n".join(
            f"#{i.id} {i.severity.value if i.severity else '?'} {i.status.value}: {i.title[:120]}" for i in found
        )
    incident_id = _draft_id(words[1]) if len(words) > 1 else None
    if verb not in {"status", "ack", "update", "resolve"} or incident_id is None:
        return COMMAND_HELP
    if verb == "status":
        incident = warroom.act(actions.get_incident, incident_id)
        level = incident.severity.value if incident.severity else "unrated"
        return (
            f"#{incident.id} {level} {incident.status.value}: {incident.title[:200]} — {link}/incidents/{incident.id}"
        )
    if verb == "ack":
        warroom.act(actions.acknowledge, incident_id, actor)
        return f"Incident #{incident_id} acknowledged by {actor.label}."
    if verb == "update":
        stages = {s.value: s for s in actions.STAGES}
        stage = stages.get(words[2].lower()) if len(words) > 2 else None
        if len(words) > 2 and stage is None:
            return "Usage: `/warroom update <id> [investigating|identified|monitoring]`"
        warroom.act(actions.post_update_now, incident_id, actor, stage=stage)
        return f"Update for incident #{incident_id} queued: it goes out now."
    warroom.act(actions.resolve, incident_id, actor, summary=" ".join(words[2:]))
    return f"Incident #{incident_id} resolution queued: the all-clear and the postmortem draft follow."
