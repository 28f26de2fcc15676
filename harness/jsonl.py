"""Append-only JSON Lines files that survive a crash.

Each row is written with one ``write`` of a complete line and flushed, so a
killed run leaves at most one torn last line; opening the file for append
again cuts that torn tail off first. :func:`read_jsonl` is the one reader of
these files (the run's resume state and :mod:`harness.results.runs` alike): it
skips a torn last line and nothing else; a malformed complete line is an error
naming the file and the line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _cut_torn_tail(path: Path) -> None:
    """Truncate the file after its last newline (drops a half-written line)."""
    with path.open("rb+") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        if size == 0:
            return
        pos = size
        chunk = 4096
        while pos > 0:
            start = max(0, pos - chunk)
            fh.seek(start)
            data = fh.read(pos - start)
            idx = data.rfind(b"\n")
            if idx >= 0:
                end = start + idx + 1
                if end != size:
                    fh.truncate(end)
                return
            pos = start
        fh.truncate(0)


class JsonlWriter:
    """Append rows to a JSONL file, one flushed line per row."""

    def __init__(self, path: Path, fsync: bool = False) -> None:
        self.path = path
        self.fsync = fsync
        if path.exists():
            _cut_torn_tail(path)
        self._fh = path.open("a", encoding="utf-8")

    def write(self, row: dict[str, Any]) -> None:
        """Append one row."""
        self._fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._fh.flush()
        if self.fsync:
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        """Close the file."""
        self._fh.close()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MalformedLine(ValueError):
    """A complete line that is not JSON; the message is ``path:line: not valid JSON (...)``."""


def torn_tail(path: Path) -> bool:
    """Whether the file ends in a half-written line (a killed writer's; cut on resume)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return False
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"
    except FileNotFoundError:
        return False


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a JSONL file; a torn last line (from a crash) is skipped.

    Raises:
        MalformedLine: a complete line is not valid JSON.

    """
    if not path.exists():
        return
    with path.open("r", encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.endswith("\n"):
                return  # torn tail: the writer will cut it on resume
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise MalformedLine(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
