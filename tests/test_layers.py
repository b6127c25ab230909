"""The dependency direction `api → graphs → flows → agents → tools → warroom`: no module imports a
layer above its own, at the top of the file or inside a function; and agents, being pure
decisions, import no client and no database at all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["api", "graphs", "flows", "agents", "tools", "warroom"]
"""Top to bottom; `prompts` sits beside `agents` (only agents render prompts)."""


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", LAYERS)
def test_no_module_imports_a_layer_above_its_own(layer: str) -> None:
    above = set(LAYERS[: LAYERS.index(layer)]) | ({"prompts"} if layer in ("tools", "warroom") else set())
    wrong = {
        f"{path.relative_to(ROOT)} imports {sorted(_imported(path) & above)}"
        for path in (ROOT / layer).rglob("*.py")
        if _imported(path) & above
    }
    assert not wrong


def test_agents_import_no_client_and_no_database() -> None:
    io = {"tools", "httpx", "sqlalchemy", "slack_sdk", "smtplib"}
    wrong = {
        f"{path.relative_to(ROOT)} imports {sorted(_imported(path) & io)}"
        for path in (ROOT / "agents").rglob("*.py")
        if _imported(path) & io
    }
    assert not wrong


def test_the_rule_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from graphs.nodes import triage\n    import api.app\n")
    assert _imported(module) == {"graphs", "api"}
