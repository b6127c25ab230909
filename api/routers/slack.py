"""Slack's requests to us: interactivity (Approve/Reject buttons) and the Events API (war-room
messages onto the incident timeline). Both verify Slack's signature over the raw body with a
5-minute replay window before reading anything."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from agents.notes import LABEL
from api.deps import WarroomDep
from api.errors import documented
from graphs import escalation
from graphs.approvals import Action, DecisionError, decide
from tools.slack import SlackSignatureError, verify_slack_signature
from tools.slack_requests import EventEnvelope, Interaction, MessageEvent
from tools.webhooks.base import error_path
from warroom.incidents import store as incidents
from warroom.scheduler.store import schedule
from warroom.untrusted import MAX_ID, MalformedJSON, parse_json
from warroom.war_room import store as war_room

__all__ = ["router"]

router = APIRouter(prefix="/slack", tags=["slack"], responses=documented(400, 401, 413, 422))
ACK_WORDS = {"ack", "acknowledge", "acknowledged", "on it"}
RESOLVE_WORDS = {"resolve", "resolved", "/resolve"}
Shape = TypeVar("Shape", bound=BaseModel)
_MAX_ID_DIGITS = len(str(MAX_ID))


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


def _read(shape: type[Shape], raw: bytes) -> Shape:
    """Parse and validate a signed body; refusals name what is wrong (400 not JSON, 422 shape)."""
    try:
        return shape.model_validate(parse_json(raw))
    except MalformedJSON as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    except ValidationError as exc:
        error = exc.errors()[0]
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"{error_path(error['loc'])}: {error['msg']}"
        ) from exc


@router.post("/interactions")
async def interactions(request: Request, warroom: WarroomDep) -> JSONResponse:
    body = await _verified_body(request, warroom)
    try:
        [field] = parse_qs(body.decode(), strict_parsing=True)["payload"]
    except (KeyError, ValueError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "expected one form field `payload` holding JSON") from exc
    payload = _read(Interaction, field.encode())
    if payload.type != "block_actions":
        return JSONResponse({"ok": True, "ignored": f"interaction type {payload.type[:64]!r}"})
    results: list[dict[str, Any]] = []
    for action in payload.actions:
        value = action.value
        draft_id = int(value) if value.isascii() and value.isdigit() and len(value) <= _MAX_ID_DIGITS else 0
        if action.action_id not in ("approve_draft", "reject_draft") or not 0 < draft_id <= MAX_ID:
            results.append({"action": action.action_id, "ignored": "not a decision button"})
            continue
        decision = Action.APPROVE if action.action_id == "approve_draft" else Action.REJECT
        try:
            record = decide(warroom.runner.context, draft_id, decision, actor=payload.user.actor)
            results.append({"draft_id": record.id, "state": record.state.value})
        except DecisionError as exc:
            results.append({"draft_id": draft_id, "refused": exc.message})
    warroom.scheduler.wake()
    return JSONResponse({"ok": True, "results": results})


@router.post("/events")
async def events(request: Request, warroom: WarroomDep) -> JSONResponse:
    envelope = _read(EventEnvelope, await _verified_body(request, warroom))
    if envelope.type == "url_verification":
        return JSONResponse({"challenge": envelope.challenge})
    raw_event = envelope.human_message()
    if raw_event is None:
        return JSONResponse({"ok": True, "ignored": "not a human message"})
    try:
        event = MessageEvent.model_validate(raw_event)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"event.{error_path(error['loc'])}: {error['msg']}"
        ) from exc
    now = warroom.clock.now()
    text = event.text[:10_000]
    author = f"slack:{event.user or 'unknown'}"
    with warroom.engine.begin() as conn:
        incident_id = incidents.incident_for_ref(conn, "slack:channel", event.channel)
        if incident_id is None:
            return JSONResponse({"ok": True, "ignored": "not a war-room channel"})
        stored = war_room.post_message(
            conn,
            incident_id,
            at=now,
            author=author,
            text=text,
            external_id=f"slack:{event.channel}:{event.ts}",
        )
        if stored is not None and any(LABEL.match(line) for line in text.splitlines()):
            incidents.add_timeline(conn, incident_id, now, "note", text, actor=author)
        command = text.strip().lower()
        if stored is not None and command in ACK_WORDS:
            incident = incidents.get_incident(conn, incident_id, with_timeline=False)
            if incident is not None:
                escalation.acknowledge(conn, incident, author, now)
        if stored is not None and command in RESOLVE_WORDS:
            schedule(
                conn,
                key=f"incident:{incident_id}:resolve",
                kind="incident.event",
                due_at=now,
                payload={"incident_id": incident_id, "event": {"type": "resolve", "actor": author}},
                lane=f"incident:{incident_id}",
            )
    warroom.scheduler.wake()
    return JSONResponse({"ok": True})
