"""Slack's requests to us: interactivity (Approve/Reject buttons) and the Events API (war-room
messages onto the incident timeline). Both verify Slack's signature over the raw body with a
5-minute replay window before reading anything."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse

from agents.notes import LABEL
from api.deps import WarroomDep
from api.routers.webhooks import read_body
from flows import escalation
from flows.approvals import Action, DecisionError, decide
from tools.slack import SlackSignatureError, verify_slack_signature
from warroom.incidents import store as incidents
from warroom.scheduler.store import schedule
from warroom.war_room import store as war_room

__all__ = ["router"]

router = APIRouter(prefix="/slack", tags=["slack"])
ACK_WORDS = {"ack", "acknowledge", "acknowledged", "on it"}
RESOLVE_WORDS = {"resolve", "resolved", "/resolve"}


async def _verified_body(request: Request, warroom: WarroomDep) -> bytes:
    secret = warroom.settings.slack_signing_secret
    if secret is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "WARROOM_SLACK_SIGNING_SECRET is not set")
    body = await read_body(request, warroom.settings.max_body_bytes)
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


def _who(user: dict[str, Any]) -> str:
    return f"slack:{user.get('username') or user.get('name') or user.get('id') or 'unknown'}"


@router.post("/interactions")
async def interactions(request: Request, warroom: WarroomDep) -> JSONResponse:
    body = await _verified_body(request, warroom)
    try:
        payload = json.loads(parse_qs(body.decode())["payload"][0])
    except (KeyError, IndexError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "expected a form field `payload` holding JSON") from exc
    if payload.get("type") != "block_actions":
        return JSONResponse({"ok": True, "ignored": f"interaction type {payload.get('type')!r}"})
    results = []
    for action in payload.get("actions", []):
        action_id, value = action.get("action_id"), action.get("value", "")
        if action_id not in ("approve_draft", "reject_draft") or not str(value).isdigit():
            results.append({"action": action_id, "ignored": "not a decision button"})
            continue
        decision = Action.APPROVE if action_id == "approve_draft" else Action.REJECT
        try:
            record = decide(warroom.runner.context, int(value), decision, actor=_who(payload.get("user") or {}))
            results.append({"draft_id": record.id, "state": record.state.value})
        except DecisionError as exc:
            results.append({"draft_id": int(value), "refused": exc.message})
    warroom.scheduler.wake()
    return JSONResponse({"ok": True, "results": results})


@router.post("/events")
async def events(request: Request, warroom: WarroomDep) -> JSONResponse:
    body = await _verified_body(request, warroom)
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "body is not JSON") from exc
    if payload.get("type") == "url_verification":
        return JSONResponse({"challenge": payload.get("challenge", "")})
    event = payload.get("event") or {}
    if event.get("type") != "message" or event.get("subtype") or event.get("bot_id"):
        return JSONResponse({"ok": True, "ignored": "not a human message"})
    now = warroom.clock.now()
    text = str(event.get("text") or "")[:10_000]
    author = _who({"id": event.get("user")})
    with warroom.engine.begin() as conn:
        incident_id = incidents.incident_for_ref(conn, "slack:channel", str(event.get("channel")))
        if incident_id is None:
            return JSONResponse({"ok": True, "ignored": "not a war-room channel"})
        stored = war_room.post_message(
            conn,
            incident_id,
            at=now,
            author=author,
            text=text,
            external_id=f"slack:{event.get('channel')}:{event.get('ts')}",
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
