"""Nudges between one installation's processes: a role's sockets get them, others don't, and a
socket left by a dead process is cleared instead of failing every send."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
from pathlib import Path

from warroom.nudges import STATUS_CHANGED, WAKE, Nudges, folder_for


def _received(nudges: Nudges, role: str) -> tuple[list[bytes], threading.Event]:
    got: list[bytes] = []
    arrived = threading.Event()

    def on(message: bytes) -> None:
        got.append(message)
        arrived.set()

    nudges.listen(role, on)
    return got, arrived


def test_a_nudge_reaches_every_process_of_its_role_and_no_other(tmp_path: Path) -> None:
    worker_a, worker_b, api, sender = (Nudges(tmp_path, boot) for boot in ("a" * 32, "b" * 32, "c" * 32, "d" * 32))
    try:
        got_a, arrived_a = _received(worker_a, "worker")
        got_b, arrived_b = _received(worker_b, "worker")
        got_api, _ = _received(api, "api")
        assert sender.send("worker", WAKE) == 2
        assert arrived_a.wait(2) and arrived_b.wait(2)
        assert got_a == [WAKE] and got_b == [WAKE] and got_api == []
    finally:
        for nudges in (worker_a, worker_b, api, sender):
            nudges.close()


def test_installations_do_not_hear_each_other(tmp_path: Path) -> None:
    mine, theirs = Nudges(tmp_path / "one", "a" * 32), Nudges(tmp_path / "two", "b" * 32)
    try:
        got, _ = _received(theirs, "api")
        assert mine.send("api", STATUS_CHANGED) == 0
        assert got == []
    finally:
        mine.close()
        theirs.close()


def test_a_socket_left_by_a_dead_process_is_removed(tmp_path: Path) -> None:
    folder = folder_for(tmp_path)
    folder.mkdir(mode=0o700, exist_ok=True)
    stale = folder / "worker.deadbeef.sock"
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dead.bind(str(stale))
    dead.close()  # the file stays; nobody reads it: what `kill -9` leaves
    sender = Nudges(tmp_path, "e" * 32)
    try:
        assert sender.send("worker", WAKE) == 0
        assert not stale.exists()
    finally:
        sender.close()


def test_close_removes_the_socket_and_stops_listening(tmp_path: Path) -> None:
    nudges = Nudges(tmp_path, "f" * 32)
    nudges.listen("worker", lambda _: None)
    assert len(list(folder_for(tmp_path).glob("worker.*.sock"))) == 1
    nudges.close()
    assert list(folder_for(tmp_path).glob("worker.*.sock")) == []
    listening = [t for t in threading.enumerate() if t.name == "warroom-nudges-worker"]
    for thread in listening:
        thread.join(2)
    assert not any(t.is_alive() for t in listening)


def test_a_long_data_folder_still_fits_a_socket_path(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*(["a-rather-long-folder-name"] * 8))
    nudges = Nudges(deep, "9" * 32)
    try:
        path = nudges.listen("worker", lambda _: None)
        assert len(str(path)) < 100 and not path.is_relative_to(deep)
    finally:
        nudges.close()


def test_a_short_data_folder_keeps_its_sockets_beside_the_data(tmp_path: Path) -> None:
    """Two systemd units with `PrivateTmp` share the data folder, not `/tmp`."""
    short = Path(tempfile.mkdtemp(prefix="wr-", dir="/tmp"))
    try:
        assert folder_for(short) == short.resolve() / "nudges"
    finally:
        shutil.rmtree(short)


def test_a_process_that_cannot_listen_still_starts(settings, monkeypatch, caplog) -> None:
    """A nudge folder it may not use (another user's) costs the hint, never the process."""
    from api.composition import Warroom

    def refuse(self, role, on_message):
        raise PermissionError("belongs to another user")

    monkeypatch.setattr(Nudges, "listen", refuse)
    warroom = Warroom.build(settings)
    try:
        warroom.listen("worker")
    finally:
        warroom.close()
    assert "not listening for nudges" in caplog.text
