"""Which processes claiming work on this host are alive, so a restart can take over at once.

Every process that claims work has a boot id (its name in leases) and, while it lives, holds an
exclusive `flock` on `<folder>/<boot id>.lock`. The kernel drops that lock however the process
ends, `kill -9` included, so a lock file nobody holds names a dead process: one starting up
releases the dead one's leases immediately instead of waiting for them to run out. Processes on
other hosts (workers on one PostgreSQL) are covered by the leases being short and renewed.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from pathlib import Path

__all__ = ["ProcessLocks"]

SUFFIX = ".lock"


class ProcessLocks:
    def __init__(self, folder: Path, boot_id: str | None = None) -> None:
        self.folder = folder
        self.boot_id = boot_id or uuid.uuid4().hex
        self._fd: int | None = None

    def enter(self) -> None:
        """Hold this process's lock. The file is locked before it gets its name, so no other
        process can ever see it unheld while this one lives."""
        if self._fd is not None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        hidden = self.folder / f".{self.boot_id}.new"
        fd = os.open(hidden, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.replace(hidden, self.folder / f"{self.boot_id}{SUFFIX}")
        self._fd = fd

    def dead(self) -> list[str]:
        """Boot ids of this host's processes that ended without leaving; their files are removed."""
        found = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            boot_id = path.name.removesuffix(SUFFIX)
            if boot_id == self.boot_id:
                continue
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # alive
            finally:
                os.close(fd)
            path.unlink(missing_ok=True)
            found.append(boot_id)
        return found

    def leave(self) -> None:
        if self._fd is None:
            return
        (self.folder / f"{self.boot_id}{SUFFIX}").unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None
