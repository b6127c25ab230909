"""docs/integrations.md is what an adopter copies: its URLs are routes warroom serves, its Slack
manifest grants every scope the Slack client needs, and its Datadog template and header, rendered
as Datadog renders them, open and recover an incident. (Its Alertmanager block is run by the real
Alertmanager in tests/api/test_alertmanager_real.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from api.app import create_app
from tests.conftest import WEBHOOK_TOKEN
from tests.fakes.alertmanager import fenced_block
from tests.fakes.spec import load_spec, spec_payload

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "integrations.md").read_text()
HOST = "https://warroom.example.com"

# The bot scope each Slack Web API method needs, as Slack documents it today. The 2021 OpenAPI
# extract in tests/specs predates granular bot scopes and says `channels:write` where bots now
# need `channels:manage` (https://api.slack.com/scopes/channels:manage); otherwise it agrees.
SCOPE_OF = {
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "conversations_create": "channels:manage",
    "conversations_setTopic": "channels:manage",
    "conversations_invite": "channels:manage",
    "conversations_archive": "channels:manage",
    "conversations_history": "channels:history",
    "conversations_list": "channels:read",
    "pins_add": "pins:write",
    "users_lookupByEmail": "users:read.email",
}
_RENAMED = {"channels:write": "channels:manage"}


def _slack_methods_called() -> set[str]:
    return set(re.findall(r"_client\.(\w+)", (ROOT / "tools" / "slack.py").read_text()))


def test_every_url_in_the_doc_is_a_route_warroom_serves(warroom) -> None:
    schema = create_app(warroom, run_worker=False).openapi()["paths"]
    sources = ("sentry", "pagerduty", "alertmanager", "grafana", "datadog")
    posts = {p.replace("{source}", s) for p, ops in schema.items() if "post" in ops for s in sources}
    documented = set(re.findall(re.escape(HOST) + r"(/[\w/.-]*\w)", DOC))
    assert documented >= {f"/webhooks/{s}" for s in sources} | {"/slack/events", "/slack/interactions"}
    assert documented - posts == set()


def test_the_slack_manifest_grants_every_scope_the_client_needs_and_points_at_warroom() -> None:
    manifest = yaml.safe_load(fenced_block(DOC, "slack-manifest"))
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    called = _slack_methods_called()
    assert called - set(SCOPE_OF) == set(), "a new Slack method: add its scope here and to the manifest"
    assert {SCOPE_OF[m] for m in called} <= granted
    assert "users:read" in granted, "users:read.email needs users:read"
    specs = {
        **load_spec("slack-web-api-subset.openapi.json")["paths"],
        **load_spec("slack-web-api-history-list.openapi.json")["paths"],
    }
    for method in called:
        op = next(iter(specs["/" + method.replace("_", ".", 1)].values()))
        spec_scopes = {_RENAMED.get(s, s) for s in op["security"][0]["slackAuth"]}
        assert SCOPE_OF[method] in spec_scopes or SCOPE_OF[method] == "chat:write", method
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == f"{HOST}/slack/events"
    assert "message.channels" in settings["event_subscriptions"]["bot_events"]
    assert settings["interactivity"]["request_url"] == f"{HOST}/slack/interactions"


def _render_datadog(template: str, values: dict[str, str]) -> bytes:
    """What Datadog sends: each $VARIABLE replaced by its value, JSON-escaped inside the quotes."""

    def value(match: re.Match[str]) -> str:
        return json.dumps(values.get(match[1], ""))[1:-1]

    return re.sub(r"\$([A-Z_]+)", value, template).encode()


def test_the_datadog_template_and_header_open_and_recover_an_incident(client, auth) -> None:
    headers = json.loads(fenced_block(DOC, "datadog-headers"))
    headers["Authorization"] = headers["Authorization"].replace("REPLACE-WITH-WARROOM_WEBHOOK_TOKEN", WEBHOOK_TOKEN)
    template = fenced_block(DOC, "datadog-payload")
    sample = spec_payload("datadog.json")
    values = {
        "ID": sample["id"],
        "EVENT_TITLE": sample["title"],
        "ALERT_TITLE": "checkout 5xx error rate high",
        "EVENT_MSG": sample["body"],
        "TEXT_ONLY_MSG": "checkout 5xx error rate is above 5%",
        "DATE": sample["date"],
        "LAST_UPDATED": sample["last_updated"],
        "EVENT_TYPE": sample["event_type"],
        "ALERT_ID": "12345678",
        "ALERT_TRANSITION": "Triggered",
        "ALERT_SCOPE": "env:production,service:checkout",
        "AGGREG_KEY": "a1b2c3",
        "ALERT_PRIORITY": "P1",
        "TAGS": "env:production,service:checkout,monitor",
        "LINK": "https://app.datadoghq.com/event/event?id=7584918234567890123",
    }
    opened = client.post("/webhooks/datadog", content=_render_datadog(template, values), headers=headers)
    assert opened.status_code == 202, opened.text
    incident_id = opened.json()["incident_id"]
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert (incident["title"], incident["service"]) == ("checkout 5xx error rate high", "checkout")
    recovered = {
        **values,
        "ID": "7584918234567890999",
        "ALERT_TRANSITION": "Recovered",
        "EVENT_TITLE": "[Recovered on {env:production,service:checkout}] checkout 5xx error rate high",
    }
    closed = client.post("/webhooks/datadog", content=_render_datadog(template, recovered), headers=headers)
    assert closed.status_code == 202 and closed.json()["incident_id"] == incident_id
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["source_recovered_at"] is not None
    wrong = client.post("/webhooks/datadog", content=_render_datadog(template, values), headers={})
    assert wrong.status_code == 401
