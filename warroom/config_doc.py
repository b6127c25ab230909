"""`docs/configuration.md`, generated from `Settings` so that it cannot drift: every setting's
`warroom.toml` key, environment variable, type, default and meaning. Regenerate with
`uv run python -m warroom.config_doc > docs/configuration.md`; a test fails while it is stale."""

from __future__ import annotations

import json
import re
from typing import Any

from warroom.config_check import OTHER_VARIABLES
from warroom.settings import AccountConfig, ChannelConfig, Person, ServiceConfig, Settings

_TABLES: list[tuple[str, type[Any], str]] = [
    ("Person", Person, "`on_call`, each of `escalation` and `people`"),
    ("AccountConfig", AccountConfig, "each value of `accounts`"),
    ("ServiceConfig", ServiceConfig, "each value of `services`"),
    ("ChannelConfig", ChannelConfig, "each value of `channels`"),
]

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
        + "".join(_table(*table) for table in _TABLES)
    )


def _table(title: str, model: type[Any], where: str) -> str:
    """The keys of one nested table (a person, an account, …): what `warroom.toml` may say in it."""
    defaults = model.model_construct().model_dump(mode="json")
    rows = [
        f"| `{name}` | {_type(field.annotation)} | "
        f"{'required' if field.is_required() else _default(defaults.get(name), False)} | "
        f"{(field.description or '').replace('|', '/')} |"
        for name, field in model.model_fields.items()
    ]
    about = " ".join((model.__doc__ or "").split())
    head = f"\n## {title}\n\n{about} Used for {where}.\n\n"
    return head + "| key | type | default | meaning |\n| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(render_configuration(), end="")
