"""`docs/configuration.md`, generated from `Settings` so that it cannot drift: every setting's
`warroom.toml` key, environment variable, type, default and meaning. Regenerate with
`uv run python -m warroom.config_doc > docs/configuration.md`; a test fails while it is stale."""

from __future__ import annotations

import json
import re
from typing import Any

from warroom.config_check import OTHER_VARIABLES
from warroom.settings import Settings

__all__ = ["render_configuration"]

_HEADER = """# Configuration

Generated from `warroom/settings.py` by `uv run python -m warroom.config_doc`; do not edit by hand.

Every setting can be given as an environment variable (`WARROOM_` + the key in capitals) or as a
key in `warroom.toml` (the path in `WARROOM_CONFIG`, else `./warroom.toml`); the environment wins.
Tables (`services`, `channels`, `accounts`, per-severity minutes) are TOML tables, or JSON in the
environment; a per-severity table given in part keeps the other levels' defaults. An unknown key
or variable is an error; `warroom check-config` prints the configuration in effect, secrets masked.
Paths written in `warroom.toml` are relative to that file.

| key | environment variable | type | default | meaning |
| --- | --- | --- | --- | --- |
"""


def _type(annotation: Any) -> str:
    text = annotation.__name__ if isinstance(annotation, type) else str(annotation)
    text = re.sub(r"\b(?:typing|pydantic\.types|pathlib|warroom\.[\w.]+)\.", "", text)
    return text.replace("<class '", "").replace("'>", "").replace("|", "or")


def _default(value: Any, secret: bool) -> str:
    if value is None:
        return "unset"
    if secret:
        return "(secret)"
    return f"`{json.dumps(value, ensure_ascii=False)}`" if not isinstance(value, str) else f"`{value}`"


def render_configuration() -> str:
    defaults = Settings.model_construct().model_dump(mode="json")
    rows = []
    for name, field in Settings.model_fields.items():
        secret = "SecretStr" in str(field.annotation)
        meaning = (field.description or "").replace("|", "/")
        rows.append(
            f"| `{name}` | `WARROOM_{name.upper()}` | {_type(field.annotation)} | "
            f"{_default(defaults.get(name), secret)} | {meaning} |"
        )
    others = ", ".join(f"`{v}`" for v in sorted(OTHER_VARIABLES))
    return (
        _HEADER
        + "\n".join(rows)
        + f"\n\nOther variables: {others} (the config file's path; the crash tests' switch).\n"
    )


if __name__ == "__main__":
    print(render_configuration(), end="")
