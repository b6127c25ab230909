"""Dead letters through the API and the CLI: listed, retried once, refused with the reason when
there is nothing to retry."""

from __future__ import annotations

from typer.testing import CliRunner

from api.cli import app
from warroom.outbox.store import enqueue, mark_failed, mark_unknown
from warroom.scheduler.store import retry_later, schedule


def _dead_letters(warroom, clock) -> tuple[int, int, int]:
    now = clock.now()
    with warroom.engine.begin() as conn:
        schedule(conn, key="stuck", kind="incident.enrich", due_at=now, payload={"incident_id": 7})
        enqueue(conn, key="maybe-sent", kind="comms.x", now=now, payload={"body": "x"})
        enqueue(conn, key="refused", kind="comms.discord", now=now, payload={"body": "d"})
    with warroom.engine.begin() as conn:
        retry_later(conn, 1, now, "RuntimeError: kept failing", give_up=True)
        mark_unknown(conn, 1, "an attempt began and its outcome was lost")
        mark_failed(conn, 2, "DiscordError: Unknown Webhook")
    return 1, 1, 2


def test_the_api_lists_dead_letters_and_retries_each_once(client, warroom, clock, auth):
    job_id, unknown_id, failed_id = _dead_letters(warroom, clock)
    [job] = client.get("/api/jobs", params={"state": "failed"}, headers=auth).json()
    assert (job["id"], job["incident_id"], job["last_error"]) == (job_id, 7, "RuntimeError: kept failing")
    held = client.get("/api/outbox", params={"state": ["unknown", "failed"]}, headers=auth).json()
    assert {(r["id"], r["state"]) for r in held} == {(unknown_id, "unknown"), (failed_id, "failed")}
    health = client.get("/healthz").json()
    assert health == {
        "status": "attention",
        "failed_jobs": 1,
        "failed_sends": 1,
        "unknown_sends": 1,
        "stuck_incidents": [7],
    }

    assert client.post(f"/api/outbox/{unknown_id}/retry", headers=auth).json()["state"] == "pending"
    second = client.post(f"/api/outbox/{unknown_id}/retry", headers=auth)
    assert second.status_code == 409 and "only failed or unknown rows" in second.json()["detail"]
    assert client.post(f"/api/jobs/{job_id}/retry", headers=auth).json()["attempts"] == 0
    assert client.post("/api/jobs/999/retry", headers=auth).status_code == 404
    assert client.get("/api/outbox", params={"state": "lost"}, headers=auth).status_code == 422


def test_the_cli_lists_and_retries_dead_letters(warroom, clock, settings, monkeypatch):
    job_id, unknown_id, _ = _dead_letters(warroom, clock)
    monkeypatch.setenv("WARROOM_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    listed = runner.invoke(app, ["outbox", "list"])
    assert listed.exit_code == 0 and "maybe-sent" in listed.output and "refused" in listed.output
    assert "stuck" in runner.invoke(app, ["jobs", "list"]).output

    assert runner.invoke(app, ["outbox", "retry", str(unknown_id)]).exit_code == 0
    again = runner.invoke(app, ["outbox", "retry", str(unknown_id)])
    assert again.exit_code == 1 and "is pending" in again.output
    assert runner.invoke(app, ["jobs", "retry", str(job_id)]).exit_code == 0
    assert "not found" in runner.invoke(app, ["jobs", "retry", "999"]).output
    assert "maybe-sent" not in runner.invoke(app, ["outbox", "list"]).output
