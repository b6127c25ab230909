"""A real Prometheus on loopback, holding exactly the samples a test gives it.

Not a fake: the binaries Debian ships (`prometheus`, installed by tests/system-deps.sh) run as
in production. Before start-up `promtool tsdb create-blocks-from openmetrics` turns the test's
OpenMetrics text into TSDB blocks in the server's data directory (Prometheus's documented
backfilling), and the server has nothing to scrape, so every query has one known answer at any
wall-clock time. `openmetrics` writes that text from (time, value) samples.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from api.server import free_port
from tests.fakes.server_process import find_binary, server_process

__all__ = ["MetricFamily", "PrometheusServer", "openmetrics", "prometheus_binaries", "running_prometheus"]

#: Nothing to scrape: the data is only what was backfilled.
CONFIG = "global:\n  scrape_interval: 1h\n"


def prometheus_binaries() -> tuple[str, str]:
    """(prometheus, promtool), or an error that says how to install them (never a skip)."""
    return (
        find_binary(("/usr/bin/prometheus", "prometheus"), "prometheus"),
        find_binary(("/usr/bin/promtool", "promtool"), "prometheus"),
    )


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
            label_text = ",".join(f'{key}="{_escape(value)}"' for key, value in labels)
            lines += [f"{family.name}{{{label_text}}} {value:.17g} {at.timestamp():.3f}" for at, value in samples]
    return "\n".join([*lines, "# EOF", ""])


def _escape(label_value: str) -> str:
    return label_value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


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
    argv = [
        prometheus,
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    base_url = f"http://127.0.0.1:{port}"
    log_path = workdir / "prometheus.log"
    with server_process(argv, log_path, f"{base_url}/-/ready", "Prometheus") as process:
        yield PrometheusServer(base_url, process, log_path, startup_seconds=time.monotonic() - started)
