"""Steps the graph tests take as a person would."""

from __future__ import annotations


def set_level(client, warroom, auth, incident_id: int, level: str) -> None:
    """Dana sets the incident's level through the API, and the worker runs what it queued."""
    answer = client.post(
        f"/api/incidents/{incident_id}/severity", json={"severity": level, "actor": "dana"}, headers=auth
    )
    assert answer.status_code == 202, answer.text
    warroom.scheduler.run_pending()
