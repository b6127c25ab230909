"""A real Prometheus on loopback, holding exactly the samples a test gives it.

Not a fake: the binaries Debian ships (`prometheus`, installed by tests/system-deps.sh) run as
in production. Before start-up `promtool tsdb create-blocks-from openmetrics` turns the test's
OpenMetrics text into TSDB blocks in the server's data directory (Prometheus's documented
backfilling), and the server has nothing to scrape, so every query has one known answer at any
wall-clock time. `openmetrics` writes that text from (time, value) samples.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from api.server import free_port
from tests.fakes.alertmanager import wait_for

__all__ = ["MetricFamily", "PrometheusServer", "openmetrics", "prometheus_binaries", "running_prometheus"]

#: Nothing to scrape: the data is only what was backfilled.
CONFIG = "global:\n  scrape_interval: 1h\n"


def prometheus_binaries() -> tuple[str, str]:
    """(prometheus, promtool), or an error that says how to install them (never a skip)."""
    return _binary("prometheus"), _binary("promtool")


def _binary(name: str) -> str:
    for candidate in (f"/usr/bin/{name}", name):
        found = shutil.which(candidate)
        if found:
            return found
    raise RuntimeError(f"{name} is not installed: run `make system-deps` (or `apt-get install prometheus`)")


@dataclass(frozen=True)
class MetricFamily:
    """One metric: its type (`counter`, `gauge`) and, per label set, its samples oldest first."""

    name: str
    type: str
    help: str
    series: Mapping[tuple[tuple[str, str], ...], Sequence[tuple[datetime, float]]]


def openmetrics(families: Sequence[MetricFamily]) -> str:
    """OpenMetrics text exposition with explicit timestamps, as promtool backfills it. A counter
    family is named without `_total` and its samples with it, as the format requires."""
    lines = []
    for family in families:
        base = family.name.removesuffix("_total") if family.type == "counter" else family.name
        lines += [f"# HELP {base} {family.help}", f"# TYPE {base} {family.type}"]
        for labels, samples in family.series.items():
            label_text = ",".join(f'{key}="{value}"' for key, value in labels)
            lines += [f"{family.name}{{{label_text}}} {value:g} {at.timestamp():.3f}" for at, value in samples]
    return "\n".join([*lines, "# EOF", ""])


@dataclass
class PrometheusServer:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    #: Seconds from the backfill's start to the server answering ready.
    startup_seconds: float = 0.0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def running_prometheus(openmetrics_text: str, workdir: Path) -> Iterator[PrometheusServer]:
    """Backfill `openmetrics_text`, start Prometheus on it; stop it (and only it) on exit."""
    prometheus, promtool = prometheus_binaries()
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    source = workdir / "data.om"
    source.write_text(openmetrics_text)
    backfill = subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(workdir / "data")],
        capture_output=True,
        text=True,
        check=False,
    )
    if backfill.returncode != 0:
        raise RuntimeError(f"promtool could not backfill the samples:\n{backfill.stdout}\n{backfill.stderr}")
    config = workdir / "prometheus.yml"
    config.write_text(CONFIG)
    port = free_port()
    log_path = workdir / "prometheus.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                prometheus,
                f"--config.file={config}",
                f"--storage.tsdb.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = PrometheusServer(base_url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        wait_for(lambda: _ready(server), what="Prometheus to be ready", details=server.log)
        server.startup_seconds = time.monotonic() - started
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _ready(server: PrometheusServer) -> bool:
    if server.process.poll() is not None:
        raise RuntimeError(f"Prometheus exited with {server.process.returncode}:\n{server.log()}")
    try:
        return httpx.get(f"{server.base_url}/-/ready", timeout=1).status_code == 200
    except httpx.TransportError:
        return False
