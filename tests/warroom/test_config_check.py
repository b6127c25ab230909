"""Configuration that refuses mistakes instead of starting on the defaults."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.cli import app
from warroom.config_check import ConfigError, load_settings
from warroom.severity import Severity


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in [n for n in __import__("os").environ if n.startswith("WARROOM_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_a_misspelled_variable_is_an_error_that_names_the_right_one(monkeypatch):
    monkeypatch.setenv("WARROOM_SMTP_ULR", "smtp://mail:25")
    with pytest.raises(ConfigError, match=r"unknown setting WARROOM_SMTP_ULR \(did you mean WARROOM_SMTP_URL\?\)"):
        load_settings()


def test_a_misspelled_toml_key_is_an_error(tmp_path):
    (tmp_path / "warroom.toml").write_text('escalaton = [{ name = "bob", email = "bob@example.com" }]\n')
    with pytest.raises(ConfigError, match=r"unknown key 'escalaton' in warroom.toml \(did you mean escalation\?\)"):
        load_settings()


def test_a_config_path_that_does_not_exist_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("WARROOM_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="which does not exist"):
        load_settings()


def test_a_per_severity_table_given_in_part_keeps_the_other_levels(monkeypatch):
    monkeypatch.setenv("WARROOM_ACK_SLA_MINUTES", '{"P0": 3}')
    settings = load_settings()
    assert settings.ack_sla_minutes[Severity.P0] == 3 and settings.ack_sla_minutes[Severity.P1] == 5


def test_a_good_configuration_loads(tmp_path, monkeypatch):
    (tmp_path / "warroom.toml").write_text('correlation_window_minutes = 20\non_call = { name = "alice" }\n')
    monkeypatch.setenv("WARROOM_PUBLIC_URL", "https://warroom.example.com")
    settings = load_settings()
    assert settings.correlation_window_minutes == 20 and settings.on_call.name == "alice"


def test_the_cli_says_it_in_one_line_and_exits_2(monkeypatch):
    monkeypatch.setenv("WARROOM_DATABSE_URL", "sqlite:///x.db")
    result = CliRunner().invoke(app, ["migrate"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_the_status_link_is_only_one_a_customer_can_open() -> None:
    from warroom.settings import Settings

    assert Settings().status_url is None  # http://127.0.0.1:8000/status
    assert Settings(public_url="http://warroom.internal:8000").status_url is None
    assert Settings(public_url="http://10.0.0.5").status_url is None
    assert Settings(public_url="https://ops.northwind.com/").status_url == "https://ops.northwind.com/status"
    assert Settings(status_page_url="https://northwind.statuspage.io").status_url == "https://northwind.statuspage.io"
    assert Settings(company_name="Northwind").email_sender == "Northwind Status <status@warroom.localhost>"
    assert Settings(company_name="Northwind").signature == "The Northwind team"
    assert Settings(signer="Dana, Northwind support").signature == "Dana, Northwind support"


def test_logs_carry_a_utc_timestamp_and_can_be_json(capsys) -> None:
    import json
    import logging

    from warroom.observability import configure_logging
    from warroom.settings import Settings

    try:
        configure_logging(Settings(log_format="json", log_level="warning"))
        logging.getLogger("warroom.test").info("not shown at WARNING")
        logging.getLogger("warroom.test").warning("page to %s failed", "bob")
        [line] = capsys.readouterr().err.strip().splitlines()
        entry = json.loads(line)
        assert entry["message"] == "page to bob failed" and entry["level"] == "WARNING"
        assert entry["time"].endswith("+00:00")
        configure_logging(Settings())
        logging.getLogger("warroom.test").info("incident opened")
        text = capsys.readouterr().err.strip()
        assert text.endswith("INFO warroom.test: incident opened") and text[:4].isdigit() and "Z " in text
    finally:
        logging.basicConfig(force=True, handlers=[logging.NullHandler()])


def test_sentry_is_initialised_only_with_a_dsn_and_without_request_bodies() -> None:
    from warroom.observability import _drop_bodies, init_sentry
    from warroom.settings import Settings

    assert init_sentry(Settings()) is False
    event = {"request": {"url": "/webhooks/sentry", "data": {"user": {"email": "ann@example.com"}}, "cookies": "s=1"}}
    assert _drop_bodies(event, {}) == {"request": {"url": "/webhooks/sentry"}}


def test_an_error_while_an_alert_is_handled_reaches_sentry_without_the_alert_s_contents() -> None:
    """The frame's local variables (the alert being handled), and any credential or address in the
    exception's message or the log line, stay here."""
    import logging

    import sentry_sdk
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.transport import Transport

    from warroom.observability import sentry_options
    from warroom.settings import Settings

    class Capture(Transport):
        def __init__(self) -> None:
            super().__init__()
            self.events: list[dict] = []

        def capture_envelope(self, envelope) -> None:  # type: ignore[no-untyped-def]
            self.events += [item.payload.json for item in envelope.items if item.type == "event"]

    key = "AKIA" + "IOSFODNN7EXAMPLE"  # assembled, as the addresses are: the frames carry this file's source lines
    ann, bo, opaque = "ann" + "@example.com", "bo" + "@example.org", "hunter" + "2opaque"
    capture = Capture()
    options = sentry_options(Settings(sentry_dsn="https://public@o0.ingest.sentry.io/1"))
    client = sentry_sdk.Client(**options, transport=capture, integrations=[LoggingIntegration(event_level="ERROR")])

    def handle(payload: dict) -> None:
        raise ValueError(f"cannot route alert for {payload['user']} ({payload['message']})")

    with sentry_sdk.isolation_scope() as scope:
        scope.set_client(client)
        try:
            handle({"user": ann, "message": f"key {key} in public CI logs", "plan": "go" + "ld"})
        except ValueError:
            sentry_sdk.capture_exception()
        logging.getLogger("warroom.test").info("retrying with password=%s", opaque)  # a breadcrumb
        logging.getLogger("warroom.test").error("delivery refused for %s with token=%s password=%s", bo, key, opaque)
        client.flush()

    sent = json.dumps(capture.events)
    assert len(capture.events) == 2
    for private in (key, ann, bo, opaque, "go" + "ld"):
        assert private not in sent
    frames = capture.events[0]["exception"]["values"][0]["stacktrace"]["frames"]
    assert frames and not any("vars" in frame for frame in frames)
    assert "cannot route alert for [email] (key [redacted AWS Access Key] in public CI logs)" in sent


def test_a_log_line_quoting_an_alert_leaves_its_credential_out(capsys) -> None:
    import logging

    from warroom.observability import configure_logging
    from warroom.settings import Settings

    key = "AKIA" + "IOSFODNN7EXAMPLE"
    try:
        configure_logging(Settings())
        logging.getLogger("warroom.test").info("incident #%d opened at P0: %s", 7, f"IAM key {key} used")
        text = capsys.readouterr().err.strip()
        assert key not in text and text.endswith("incident #7 opened at P0: IAM key [redacted AWS Access Key] used")
        for log_format in ("text", "json"):
            configure_logging(Settings(log_format=log_format))
            try:
                raise ValueError(f"cannot route the alert about {key}")
            except ValueError:
                logging.getLogger("warroom.test").exception("delivery failed")
            text = capsys.readouterr().err
            assert "ValueError: cannot route the alert about [redacted AWS Access Key]" in text and key not in text
    finally:
        logging.basicConfig(force=True, handlers=[logging.NullHandler()])


def test_check_config_masks_secrets_and_warns_about_risky_choices(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    toml = tmp_path / "warroom.toml"
    toml.write_text('[channels.email]\nauto_send_at_or_above = "P0"\n')
    for name in [k for k in __import__("os").environ if k.startswith("WARROOM_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("WARROOM_CONFIG", str(toml))
    monkeypatch.setenv("WARROOM_SMTP_URL", "smtp://user:hunter2@mail.example:587")
    result = CliRunner().invoke(app, ["check-config"])
    assert result.exit_code == 1, result.output
    assert "hunter2" not in result.output and "**********" in result.output
    assert "customer messages are sent without a human's approval at P0" in result.output
    assert "email_from is the default" in result.output
    assert "nobody can be paged" in result.output
    toml.write_text(
        'company_name = "Northwind"\nemail_from = "status@northwind.com"\npublic_url = "https://ops.northwind.com"\n'
        'on_call = { name = "alice", email = "alice@northwind.com" }\n'
    )
    result = CliRunner().invoke(app, ["check-config", "--no-show"])
    assert result.exit_code == 0, result.output
    assert "configuration OK" in result.output


def test_a_path_in_the_toml_resolves_beside_it_not_in_the_working_directory(tmp_path, monkeypatch) -> None:
    from warroom.config_check import load_settings

    (tmp_path / "etc").mkdir()
    toml = tmp_path / "etc" / "warroom.toml"
    toml.write_text('codeowners_path = "CODEOWNERS"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WARROOM_CONFIG", str(toml))
    settings = load_settings()
    assert settings.codeowners_path == tmp_path / "etc" / "CODEOWNERS"


def test_with_an_outside_status_page_customers_are_never_sent_to_the_stale_built_in_one() -> None:
    from pydantic import SecretStr

    from warroom.config_check import risks
    from warroom.settings import Settings

    vendor = Settings(
        public_url="https://ops.northwind.com", statuspage_api_key=SecretStr("k"), statuspage_page_id="p1"
    )
    assert vendor.status_url is None
    assert "Atlassian Statuspage page p1 (set status_page_url" in vendor.war_room_status_link
    assert any("status_page_url is unset" in r for r in risks(vendor))
    linked = vendor.model_copy(update={"status_page_url": "https://status.northwind.com"})
    assert linked.status_url == linked.war_room_status_link == "https://status.northwind.com"
    assert Settings().war_room_status_link == "http://127.0.0.1:8000/status"  # the team's own machine is fine


def test_a_codeowners_handle_nobody_answers_to_is_a_warning(tmp_path) -> None:
    from warroom.config_check import risks
    from warroom.settings import Person, Settings

    codeowners = tmp_path / "CODEOWNERS"
    codeowners.write_text("# owners\n*  @acme/platform ops@acme.example\n/api/checkout/ @acme/payments # pay\n")
    settings = Settings(
        codeowners_path=codeowners, people=[Person(name="Ana", email="ana@acme.example", handles=["@Acme/Payments"])]
    )
    found = [r for r in risks(settings) if "CODEOWNERS names" in r]
    assert found == [
        "CODEOWNERS names @acme/platform but nobody in warroom.toml has it in `handles`: "
        "it is never invited to a war room or assigned an action item"
    ]
    assert [p.name for p in settings.people_named("@acme/payments")] == ["Ana"]
    assert [p.name for p in settings.people_named("ana@acme.example")] == ["Ana"]
    assert settings.people_named("@someone-else") == []
