"""One writer per run folder: a lock taken before anything is written into it.

``harness run`` holds :class:`FolderLock` on ``<folder>/.harness.lock`` (a
``filelock`` lock: ``flock`` on Unix, released by the kernel when the holder
dies) from before the fingerprint is written until it exits. The holder's PID
and host go to ``<folder>/.harness.pid`` beside it, so that a second run into
the folder can say who holds it, and a run that finds the PID of a process
that is gone (a SIGKILLed run) says it takes the folder over. Both files are
removed on release; a refused run creates neither. A folder this process
cannot write (read-only, owned by another user) is refused the same way, in
one line (:class:`FolderUnwritable`), not with the traceback of the lock file.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

LOCK = ".harness.lock"
PID = ".harness.pid"
#: Seconds a run waits for a lock whose recorded holder is dead: only that run's
#: leftover children (worker processes) can still hold it, and they exit with it.
STALE_GRACE = 30.0


class FolderLocked(RuntimeError):
    """Another live run writes into the folder; the message names it, in one line."""


class FolderUnwritable(FolderLocked):
    """The folder cannot be made or written (a permission, a file in the way); one line.

    A :class:`FolderLocked`, so a command that refuses a locked folder (exit 2,
    the message alone) refuses this one the same way.
    """


def holder(folder: Path) -> dict[str, Any] | None:
    """The ``{"pid", "host"}`` recorded by the run that holds (or held) ``folder``."""
    try:
        record = json.loads((folder / PID).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("pid"), int) else None


def alive(record: dict[str, Any]) -> bool:
    """Whether the recorded process still runs (one on another host counts as alive)."""
    if record.get("host") != socket.gethostname():
        return True
    try:
        os.kill(record["pid"], 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _who(record: dict[str, Any] | None) -> str:
    if record is None:
        return "a process that recorded no PID"
    host = "" if record.get("host") == socket.gethostname() else f" on {record.get('host')}"
    return f"PID {record['pid']}{host}"


class FolderLock:
    """The lock of one run folder; ``wait``: block until it is free instead of refusing."""

    def __init__(self, folder: Path, wait: bool = False) -> None:
        self.folder = folder
        self.wait = wait
        self._lock = FileLock(str(folder / LOCK))
        #: The dead run this one took the folder over from, if any.
        self.took_over: dict[str, Any] | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`FolderLocked` naming the holder.

        A message goes to stderr when this run waits, or takes over the folder of a
        dead run.
        """
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            try:
                self._lock.acquire(timeout=0)
            except Timeout:
                self._acquire_held()
        except OSError as exc:
            self._refuse(exc)
            raise
        try:
            self._record_holder()
        except OSError as exc:
            self._lock.release()
            self._refuse(exc)
            raise

    def _refuse(self, exc: OSError) -> None:
        """Raise the one-line refusal for ``exc``; a full disk stays an OSError (its own message).

        Raises:
            FolderUnwritable: ``exc`` is not a full disk.

        """
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return
        # The lock file's name says less than its folder; mkdir names the parent it failed on.
        where = exc.filename if exc.filename and Path(exc.filename).parent != self.folder \
            else self.folder
        raise FolderUnwritable(f"cannot write {where}: {exc.strerror or exc}; choose a "
                               "folder this user can write") from exc

    def _record_holder(self) -> None:
        """Say when a dead run's folder is taken over; write this run's PID beside the lock."""
        previous = holder(self.folder)
        if previous is not None and previous["pid"] != os.getpid() and not alive(previous):
            self.took_over = previous
            print(f"harness run: {self.folder} was locked by {_who(previous)}, which is no "
                  "longer running; taking it over", file=sys.stderr)
        record = {"pid": os.getpid(), "host": socket.gethostname()}
        tmp = self.folder / f"{PID}.{os.getpid()}"
        tmp.write_text(json.dumps(record) + "\n", encoding="utf-8")
        os.replace(tmp, self.folder / PID)

    def _acquire_held(self) -> None:
        """The lock is held: wait for it, refuse, or wait out a dead holder's children."""
        record = holder(self.folder)
        if record is not None and not alive(record):
            try:
                self._lock.acquire(timeout=STALE_GRACE)
                return
            except Timeout:
                pass
        if not self.wait:
            raise FolderLocked(
                f"{self.folder} is in use by another harness run ({_who(record)}); wait for it "
                "to end, choose another folder (hydra.run.dir=...), or set wait_for_lock=true "
                "to wait")
        print(f"harness run: {self.folder} is in use by {_who(record)}; waiting for it to end",
              file=sys.stderr)
        self._lock.acquire()

    def release(self) -> None:
        """Remove the PID record (if it is this run's) and release the lock."""
        if not self._lock.is_locked:
            return
        record = holder(self.folder)
        if record is not None and record["pid"] == os.getpid():
            (self.folder / PID).unlink(missing_ok=True)
        self._lock.release()

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
