"""Settings: `warroom.toml` read from WARROOM_CONFIG, environment on top, defaults kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.settings import Settings
from warroom.severity import Severity


def test_toml_is_read_and_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    config = tmp_path / "warroom.toml"
    config.write_text("""
correlation_window_minutes = 10
critical_paths = ["checkout"]

[services.shop]
extra_critical_paths = ["gift-cards"]
requests_per_minute = 1200

[channels.email]
auto_send_at_or_above = "P0"

[update_cadence_minutes]
P1 = 20
""")
    monkeypatch.setenv("WARROOM_CONFIG", str(config))
    monkeypatch.setenv("WARROOM_CORRELATION_WINDOW_MINUTES", "45")
    settings = Settings()
    assert settings.correlation_window_minutes == 45
    assert settings.critical_paths_for("shop") == ["checkout", "gift-cards"]
    assert settings.critical_paths_for("other") == ["checkout"]
    assert settings.services["shop"].requests_per_minute == 1200
    assert settings.cadence_for(Severity.P1) == 20 and settings.cadence_for(Severity.P0) == 15
    assert settings.auto_sends("email", Severity.P0) and not settings.auto_sends("email", Severity.P1)
    assert settings.auto_sends("slack_internal", Severity.P1), "channels not named keep their defaults"


def test_without_configuration_everything_has_an_embedded_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WARROOM_CONFIG", str(tmp_path / "absent.toml"))
    settings = Settings()
    assert settings.database_url == "sqlite:///./warroom.db"
    assert settings.resolved_checkpoint_url == "sqlite:///warroom.checkpoints.db"
    assert "checkout" in settings.critical_paths and "login" in settings.critical_paths
    assert not settings.auto_sends("email", Severity.P0)
