"""Nudges between the warroom processes of one installation on one host: the API tells the
worker that work is due now (`WAKE`), the worker tells the API that the status page changed
(`STATUS_CHANGED`).

Each listening process binds a Unix datagram socket named by its role and boot id in a folder
of the installation's (`folder_for`). A nudge goes to every socket of a role. It is
a hint, never the record: the worker still polls the database every second and the status cache
still rechecks it every second, so a nudge lost (a full buffer, a process restarting) only
delays. A socket left by a process that died answers `ECONNREFUSED` and is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["STATUS_CHANGED", "WAKE", "Nudges"]

log = logging.getLogger(__name__)

WAKE = b"wake"
STATUS_CHANGED = b"status"
SUFFIX = ".sock"


MAX_SOCKET_PATH = 100
"""Below Linux's 108 bytes for a socket's path, with the longest name this module gives one."""


def folder_for(data_dir: Path) -> Path:
    """`<data folder>/nudges` when its sockets' paths fit, so processes that share the data folder
    but not `/tmp` (systemd's `PrivateTmp`) still reach each other; else a short folder in `/tmp`."""
    beside = data_dir.resolve() / "nudges"
    if len(str(beside)) + len("/worker.0123456789abcdef.sock") <= MAX_SOCKET_PATH:
        return beside
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"warroom-{digest}"


class Nudges:
    """`send` may be called from any thread; `listen` binds this process's socket once."""

    def __init__(self, data_dir: Path, boot_id: str) -> None:
        self.folder = folder_for(data_dir)
        self.boot_id = boot_id
        self._sender: socket.socket | None = None
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()

    def send(self, role: str, message: bytes) -> int:
        """Nudge every live process of `role`; how many were reached."""
        try:
            paths = [p for p in os.scandir(self.folder) if p.name.startswith(f"{role}.") and p.name.endswith(SUFFIX)]
        except FileNotFoundError:
            return 0
        if not paths:
            return 0
        reached = 0
        with self._lock:
            if self._sender is None:
                self._sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                self._sender.setblocking(False)
            for entry in paths:
                try:
                    self._sender.sendto(message, entry.path)
                    reached += 1
                except ConnectionRefusedError:  # its process died without removing it
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                except BlockingIOError:  # its buffer is full of nudges it has not read yet
                    reached += 1
                except (FileNotFoundError, OSError):
                    continue
        return reached

    def listen(self, role: str, on_message: Callable[[bytes], None]) -> Path:
        """Bind this process's socket for `role` and call `on_message` for each nudge, on a
        daemon thread; returns the socket's path."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.folder.stat().st_uid != os.getuid():
            raise PermissionError(f"{self.folder} belongs to another user; nudges would reach them")
        path = self.folder / f"{role}.{self.boot_id[:16]}{SUFFIX}"
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(str(path))
        self._listener = listener
        threading.Thread(
            target=self._receive, args=(listener, on_message), name=f"warroom-nudges-{role}", daemon=True
        ).start()
        return path

    def _receive(self, listener: socket.socket, on_message: Callable[[bytes], None]) -> None:
        while True:
            try:
                message = listener.recv(64)
            except OSError:  # closed by `close`
                return
            if not message:  # shut down by `close`
                return
            try:
                on_message(message)
            except Exception:  # a bad handler must not stop the nudges that follow
                log.exception("handling a nudge failed")

    def close(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            path = listener.getsockname()
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
            with contextlib.suppress(OSError):
                os.unlink(path)
        with self._lock:
            if self._sender is not None:
                self._sender.close()
                self._sender = None
