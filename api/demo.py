"""`warroom demo`: the 2am checkout outage, replayed through the real HTTP API, step by step."""

from __future__ import annotations

import asyncio
import secrets
import signal
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
from pydantic import SecretStr
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from api.composition import Warroom
from api.scenarios import SHOP_RUNBOOK, Delivery, checkout_outage
from api.server import free_port, serve_in_thread
from warroom.clock import utcnow
from warroom.kinds import TimelineKind
from warroom.settings import Settings

__all__ = ["run_demo"]


def run_demo(console: Console, *, events: int = 847, minutes: float = 3.0, hold: bool = False) -> int:
    """`hold` keeps the server up after the replay (until Ctrl-C), to look at the web UI."""
    with tempfile.TemporaryDirectory(prefix="warroom-demo-") as tmp:
        secret, token = secrets.token_hex(16), secrets.token_urlsafe(16)
        runbook = Path(tmp) / "shop-runbook.md"
        runbook.write_text(SHOP_RUNBOOK)
        port = free_port()  # chosen first, so approval links and the pinned status page point at it
        settings = Settings(
            public_url=f"http://127.0.0.1:{port}",
            database_url=f"sqlite:///{Path(tmp) / 'warroom.db'}",
            data_dir=Path(tmp) / "data",
            sentry_client_secret=SecretStr(secret),
            api_token=SecretStr(token),
            services={"shop": {"runbook_path": runbook}},
        )
        warroom = Warroom.build(settings)
        try:
            with serve_in_thread(warroom, port=port) as base_url:
                console.print(f"[bold]warroom demo[/] — server on {base_url}, database in a temporary folder")
                code = asyncio.run(_replay(console, base_url, token, secret, events, minutes, hold=hold))
                if hold:
                    stop = _stop_on_signal()  # before saying so, so an early Ctrl-C stops it cleanly too
                    console.print(
                        f"web UI: {base_url}/incidents (sign in with the API token {token}); Ctrl-C stops the server"
                    )
                    while not stop.wait(0.5):
                        pass
                return code
        finally:
            warroom.close()


def _stop_on_signal() -> threading.Event:
    """Set by Ctrl-C or SIGTERM; waited on in short steps, so the signal handlers run in between."""
    stop = threading.Event()
    for received in (signal.SIGINT, signal.SIGTERM):
        signal.signal(received, lambda *_: stop.set())
    return stop


async def _replay(
    console: Console, base_url: str, token: str, secret: str, events: int, minutes: float, *, hold: bool
) -> int:
    start = utcnow() - timedelta(minutes=minutes)
    deliveries = checkout_outage(secret, events=events, minutes=minutes, start=start)
    auth = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        console.rule("02:00 — the first Sentry alert arrives")
        t0 = time.perf_counter()
        first = await _post(client, deliveries[0])
        answered = time.perf_counter() - t0
        incident_id = first["incident_id"]
        console.print(f"202 in {answered * 1000:.1f} ms → alert {first['alert_id']}, incident #{incident_id} opened")

        incident = await _wait_for(
            client,
            f"/api/incidents/{incident_id}",
            auth,
            lambda i: any(e["kind"] == TimelineKind.STATUS_PAGE for e in i["timeline"]),
        )
        to_status = time.perf_counter() - t0
        _show_severity(console, incident)
        console.print(f"status page posted {to_status * 1000:.0f} ms after the first alert")

        console.rule(f"the storm: {events - 1} more events over {minutes:g} minutes")
        t1 = time.perf_counter()
        results = await _post_all(client, deliveries[1:])
        took = time.perf_counter() - t1
        incidents = {r["incident_id"] for r in results} | {incident_id}
        console.print(
            f"{len(results)} deliveries answered 202 in {took:.2f} s ({len(results) / took:.0f}/s); "
            f"incidents: {sorted(incidents)}"
        )
        console.print("redelivering the first event as Sentry would on a timeout…")
        again = await _post(client, deliveries[0])
        console.print(f"→ deduplicated={again['deduplicated']} (alert {again['alert_id']}, not stored twice)")

        incident = await _wait_for(
            client,
            f"/api/incidents/{incident_id}",
            auth,
            lambda i: i["severity"] == "P0" and sum(e["kind"] == TimelineKind.STATUS_PAGE for e in i["timeline"]) >= 2,
        )
        console.rule("where things stand")
        _show_severity(console, incident)
        _show_counts(console, incident)
        page = (await client.get("/status.json")).json()
        for active in page["active_incidents"]:
            console.print(
                Panel(active["updates"][0]["body"], title=f"/status — {active['title']}", subtitle=active["status"])
            )
        console.print("components: " + ", ".join(f"{c['name']}={c['status']}" for c in page["components"]))
        await _show_room_and_drafts(console, client, auth, incident_id)
        findings = await _show_findings(console, client, auth, incident_id)
        ok = len(incidents) == 1 and incident["event_count"] == events and incident["severity"] == "P0" and findings
        after = (
            "The server stays up (--keep)."
            if hold
            else "The demo server stops now; `uv run warroom demo --keep` keeps it up to look at the web UI, "
            "`uv run warroom serve` runs one to keep (status page at /status, web UI at /incidents)."
        )
        console.print(
            f"\n[bold]{'done' if ok else 'UNEXPECTED RESULT'}[/]: {len(incidents)} incident, "
            f"{incident['event_count']} events, severity {incident['severity']}, {findings} finding. {after}"
        )
        return 0 if ok else 1


async def _post(client: httpx.AsyncClient, delivery: Delivery) -> dict:
    response = await client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers)
    response.raise_for_status()
    return response.json()


async def _post_all(client: httpx.AsyncClient, deliveries: list[Delivery], concurrency: int = 16) -> list[dict]:
    queue = iter(deliveries)
    results: list[dict] = []

    async def worker() -> None:
        for delivery in queue:
            results.append(await _post(client, delivery))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return results


async def _wait_for(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], ready, timeout: float = 20.0
) -> dict:
    deadline = time.perf_counter() + timeout
    while True:
        body = (await client.get(path, headers=headers)).json()
        if ready(body) or time.perf_counter() > deadline:
            return body
        await asyncio.sleep(0.005)


_ROOM_LINES = 10


async def _show_room_and_drafts(
    console: Console, client: httpx.AsyncClient, auth: dict[str, str], incident_id: int
) -> None:
    drafts = await _wait_for(client, "/api/approvals", auth, lambda d: len(d) > 0, timeout=10)
    room = (await client.get(f"/api/incidents/{incident_id}/war-room", headers=auth)).json()
    console.rule("the war room and the customer comms waiting for one click")
    if len(room) > _ROOM_LINES:  # the latest, so the room reads as it stands (a question about P1 since settled)
        console.print(f"  [dim]… {len(room) - _ROOM_LINES} earlier messages on the incident page[/]")
    for message in room[-_ROOM_LINES:]:
        console.print(f"  [dim]{message['author']}[/]  {message['text'].splitlines()[0][:110]}")
    for draft in drafts:
        who = f"{len(draft['recipients'])} affected users" if draft["recipients"] else draft["audience"]
        console.print(
            Panel(
                draft["body"][:600], title=f"{draft['channel']} draft #{draft['id']} → {who}", subtitle=draft["state"]
            )
        )


async def _show_findings(console: Console, client: httpx.AsyncClient, auth: dict[str, str], incident_id: int) -> int:
    """The investigation's first look: the AI's hypothesis, never more, with what each claim cites."""
    findings = await _wait_for(client, f"/api/incidents/{incident_id}/findings", auth, lambda f: len(f) > 0)
    console.rule("the investigation's first look (an AI hypothesis, not verified; never public)")
    for finding in findings:
        claims = "\n".join(
            f"• {c['text']} [dim][{', '.join(x['id'] for x in c['citations'])}][/]" for c in finding["claims"]
        )
        checks = "\n".join(f"→ {check}" for check in finding["next_checks"])
        console.print(
            Panel(
                f"[bold]{finding['hypothesis']}[/]\n\n{claims}" + (f"\n\n{checks}" if checks else ""),
                title=f"finding #{finding['id']} by {finding['made_by']} ({finding['confidence']} confidence)",
                subtitle=f"{finding['tool_calls']} tool calls",
            )
        )
    return len(findings)


def _show_severity(console: Console, incident: dict) -> None:
    c = incident["classification"] or {}
    table = Table(
        title=f"#{incident['id']} {incident['title']} — {incident['severity']}: {c.get('reason', '')}",
        show_header=True,
        title_justify="left",
    )
    table.add_column("signal")
    table.add_column("evidence")
    table.add_column("points to")
    for e in c.get("evidence", []):
        table.add_row(e["signal"], e["detail"], e.get("points_to") or "")
    console.print(table)


def _show_counts(console: Console, incident: dict) -> None:
    endpoints = ", ".join(f"{e['endpoint']}: {e['count']}" for e in incident["endpoints"])
    console.print(
        f"events {incident['event_count']} in {incident['alert_count']} alerts · "
        f"distinct users {incident['users_affected']} · {endpoints}"
    )
    for e in incident["timeline"]:
        console.print(f"  {e['at'][11:19]}  [bold]{e['kind']}[/]  {e['text']}")
