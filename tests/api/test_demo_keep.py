"""`warroom demo --keep`: after the replay the server stays up with the demo's data, says where the
web UI is and how to sign in, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx


def test_the_demo_keeps_its_server_up_with_its_incident_to_click_around(tmp_path: Path):
    warroom = Path(sys.executable).with_name("warroom")
    process = subprocess.Popen(
        [str(warroom), "demo", "--keep"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "400"},
    )
    try:
        assert process.stdout is not None
        deadline, seen = time.monotonic() + 120, ""
        while "Ctrl-C stops the server" not in seen:
            line = process.stdout.readline()
            assert line or process.poll() is None, seen
            seen += line
            assert time.monotonic() < deadline, seen
        found = re.search(r"web UI: (http://[\d.:]+)/incidents \(sign in with the API token (\S+)\)", seen)
        assert found, seen
        base, token = found.groups()
        incidents = httpx.get(f"{base}/api/incidents", headers={"authorization": f"Bearer {token}"}).json()
        assert [i["severity"] for i in incidents] == ["P0"]
        with httpx.Client(base_url=base) as browser:
            assert browser.post("/login", data={"token": token, "next": "/incidents"}).status_code in (200, 303)
            assert "Checkout is failing" in browser.get("/incidents").text
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
