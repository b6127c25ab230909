"""Prompt templates as files, one per task, loaded by name.

Prompts live beside this module as `<name>.md` so they ship inside the package and can be read,
diffed and evaluated without reading code. Rendering is strict: a missing value is an error,
never a silently empty hole in what the model is told.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from jinja2 import Environment, StrictUndefined

__all__ = ["load", "render"]

_NAME = re.compile(r"[a-z0-9_]+")
_ENV = Environment(
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@cache
def load(name: str) -> str:
    """The raw text of `prompts/<name>.md`; unknown or path-like names raise."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"prompt names are lower-case words joined by '_': {name!r}")
    resource = resources.files(__package__).joinpath(f"{name}.md")
    if not resource.is_file():
        raise FileNotFoundError(f"no prompt named {name!r}")
    return resource.read_text(encoding="utf-8")


def render(name: str, **values: object) -> str:
    """`prompts/<name>.md` rendered with jinja2; a value the template uses but lacks raises."""
    return _ENV.from_string(load(name)).render(**values)
