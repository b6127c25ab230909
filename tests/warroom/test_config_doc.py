"""`docs/configuration.md` is what `Settings` says today: every setting, each with a meaning."""

from __future__ import annotations

from pathlib import Path

from warroom.config_doc import render_configuration
from warroom.settings import AccountConfig, ChannelConfig, Person, ServiceConfig, Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_the_committed_configuration_doc_is_current() -> None:
    assert DOC.read_text() == render_configuration(), (
        "docs/configuration.md is stale: uv run python -m warroom.config_doc > docs/configuration.md"
    )


def test_every_setting_says_what_it_means_and_no_secret_default_is_printed() -> None:
    assert [name for name, field in Settings.model_fields.items() if not field.description] == []
    for model in (Person, AccountConfig, ServiceConfig, ChannelConfig):
        assert [name for name, field in model.model_fields.items() if not field.description] == [], model
    text = render_configuration()
    for name in Settings.model_fields:
        assert f"`WARROOM_{name.upper()}`" in text
    assert "| `smtp_url` | `WARROOM_SMTP_URL` | SecretStr or None | unset |" in text
