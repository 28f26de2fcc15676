"""The output file of a command (``-o``): opened up front, refused in one line.

A path the user cannot write (a read-only folder, a missing parent, a folder
in the way) is a user error: the command says so and exits 2, without a
traceback and before any work.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO


class OutputError(OSError):
    """The output cannot be written; the message names the path, the cause and the fix."""


def open_output(path: str | Path | None) -> TextIO:
    """``path`` opened for writing (UTF-8), or standard output for None.

    Raises:
        OutputError: the file cannot be created or written.

    """
    if path is None:
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise unwritable(path, exc) from exc


def unwritable(path: str | Path, exc: OSError) -> OutputError:
    """The one-line error for an output ``path`` that ``exc`` kept from being written."""
    cause = exc.strerror or str(exc)
    where = Path(path)
    if not where.parent.is_dir():
        cause = f"{cause} (its folder {where.parent} does not exist)"
    return OutputError(f"cannot write {path}: {cause}; give -o a path this user can write")
