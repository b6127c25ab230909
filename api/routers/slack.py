"""Slack's requests to us: interactivity (Approve/Reject buttons) and the Events API (war-room
messages onto the incident timeline; "ack" and "resolve" typed in the channel). Both verify
Slack's signature over the raw body with a 5-minute replay window before reading anything.

Buttons and commands are the same actions the web and the API run (`flows.actions`); a refusal
(already decided, already acknowledged) is told to that person alone, as an ephemeral reply,
when a bot token lets warroom write to Slack."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse

from api.deps import WarroomDep
from api.routers.webhooks import read_body
from flows.actions import incidents as actions
from flows.actions.drafts import Decision, decide_draft
from flows.effects import reply_in_slack
from tools.slack import SlackSignatureError, verify_slack_signature
from warroom.actors import Actor, ActorKind
from warroom.errors import ActionError
from warroom.incidents import store as incidents

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


def _tell(warroom: WarroomDep, key: str, channel: object, user: object, text: str) -> None:
    """A refusal, to the person alone; without a bot token there is no way to tell them in Slack."""
    if warroom.settings.slack_bot_token is None or not channel or not user:
        return
    with warroom.engine.begin() as conn:
        reply_in_slack(conn, key=key, channel=str(channel), user=str(user), text=text, now=warroom.clock.now())
    warroom.scheduler.wake()


def _who(user: dict[str, Any]) -> Actor:
    return Actor(
        kind=ActorKind.SLACK, name=str(user.get("username") or user.get("name") or user.get("id") or "unknown")
    )


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
        decision = Decision.APPROVE if action_id == "approve_draft" else Decision.REJECT
        try:
            record = warroom.act(decide_draft, int(value), decision, _who(payload.get("user") or {}))
            results.append({"draft_id": record.id, "state": record.state.value})
        except ActionError as exc:
            results.append({"draft_id": int(value), "refused": exc.message})
            user = payload.get("user") or {}
            channel = (payload.get("channel") or {}).get("id") or (payload.get("container") or {}).get("channel_id")
            key = f"slack:reply:{user.get('id')}:{action.get('action_ts')}:{value}"
            _tell(warroom, key, channel, user.get("id"), exc.message)
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
    text = str(event.get("text") or "")[:10_000]
    actor = _who({"id": event.get("user")})
    with warroom.engine.connect() as conn:
        incident_id = incidents.incident_for_ref(conn, "slack:channel", str(event.get("channel")))
    if incident_id is None:
        return JSONResponse({"ok": True, "ignored": "not a war-room channel"})
    external_id = f"slack:{event.get('channel')}:{event.get('ts')}"
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
        _tell(warroom, f"slack:reply:{external_id}", event.get("channel"), event.get("user"), exc.message)
        return JSONResponse({"ok": True, "refused": exc.message})
    return JSONResponse({"ok": True})
