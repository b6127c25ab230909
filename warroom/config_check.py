"""Configuration that refuses mistakes: `load_settings` is how every `warroom` command reads its
settings. A misspelled `WARROOM_*` variable or `warroom.toml` key, or a `WARROOM_CONFIG` naming
a missing file, is an error with a "did you mean", not a silent start on the defaults (which in
production means nobody is paged). Per-severity tables given in part (`{"P0": 3}`) are merged
over the defaults by `Settings` itself, so naming one level never drops another's clock."""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from warroom.settings import Settings

__all__ = ["ConfigError", "OTHER_VARIABLES", "load_settings"]

OTHER_VARIABLES = frozenset({"WARROOM_CONFIG", "WARROOM_CRASH_AT"})
"""`WARROOM_*` variables that are not settings: the config file's path, the crash tests' switch."""


class ConfigError(Exception):
    """A configuration mistake, in one line a person can act on."""


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    fields = list(Settings.model_fields)
    known_variables = sorted({f"WARROOM_{name.upper()}" for name in fields} | OTHER_VARIABLES)
    for name in sorted(environ):
        if name.upper().startswith("WARROOM_") and name.upper() not in known_variables:
            raise ConfigError(f"unknown setting {name}{_suggest(name.upper(), known_variables)}")
    named = environ.get("WARROOM_CONFIG")
    path = Path(named or "warroom.toml")
    if named and not path.exists():
        raise ConfigError(f"WARROOM_CONFIG names {path}, which does not exist")
    if path.exists():
        try:
            table = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
        for key in table:
            if key not in fields:
                raise ConfigError(f"unknown key {key!r} in {path}{_suggest(key, fields)}")
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"{where}: {first['msg']} ({len(exc.errors())} problem(s) in the configuration)") from exc
