"""The systemd units docs/operations.md installs pass `systemd-analyze verify` (no unknown key,
no missing executable once the path is the real one), run the commands warroom has, and keep
secrets in an EnvironmentFile rather than in the unit."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "docs" / "systemd").glob("*.service"))
INSTALLED = "/opt/warroom/.venv/bin/warroom"


def test_there_is_a_unit_for_serve_and_one_for_the_worker() -> None:
    assert [u.name for u in UNITS] == ["warroom-worker.service", "warroom.service"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_the_unit_passes_systemd_analyze_verify(unit: Path, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: `bash tests/system-deps.sh` installs it"
    here = tmp_path / unit.name
    here.write_text(unit.read_text().replace(INSTALLED, str(Path(sys.executable).parent / "warroom")))
    result = subprocess.run([analyze, "verify", str(here)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_every_command_the_unit_runs_is_one_warroom_accepts(unit: Path) -> None:
    text = unit.read_text()
    assert "EnvironmentFile=/etc/warroom/warroom.env" in text
    assert not re.search(r"(TOKEN|SECRET|PASSWORD|KEY)\w*=", text.replace("EnvironmentFile", "")), "secrets in a unit"
    for line in re.findall(rf"^Exec\w+={re.escape(INSTALLED)} (.+)$", text, re.M):
        result = CliRunner().invoke(app, [*line.split(), "--help"])
        assert result.exit_code == 0, f"{line}: {result.output}"
