"""Progress of a long loop: a bar on a terminal, a line every few seconds elsewhere.

On a terminal (``stream.isatty()``) the count is a ``tqdm`` bar, with the
current stage beside it (``summarize smollm2 5/16``, ``score``). Elsewhere (a
log file, CI, a pipe) a bar's carriage returns make one unreadable line, so the
count is written as one plain line at most every ``every`` seconds, when the
count or the stage moved: ``harness run: 120/600 summaries, 3.1 summaries/s;
now summarize smollm2 5/16``, the way ``tqdm``'s ``mininterval`` spaces its
redraws but readable in a log.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from tqdm import tqdm

#: Seconds between two progress lines off a terminal (``progress_every`` of ``harness run``).
EVERY_S = 30.0


def plural(unit: str) -> str:
    """``summary`` -> ``summaries``, ``pair`` -> ``pairs``."""
    if unit.endswith("y") and unit[-2:-1] not in tuple("aeiou"):
        return unit[:-1] + "ies"
    return unit + "s"


class Progress:
    """Done out of ``total`` (None: unknown) units of work, shown as ``mode`` says.

    Args:
        label: What is counted for, the line's prefix (``harness run``).
        total: Units to do, or None when the source has no length.
        unit: The unit, singular (``summary``, ``pair``).
        mode: ``bar``, ``lines``, ``off``, or ``auto`` (``bar`` on a terminal, else ``lines``).
        every: Seconds between two lines (``lines`` mode).
        stream: Where to write (standard error by default).
        clock: Seconds, monotonic (default ``time.monotonic``).

    """

    def __init__(self, label: str, total: int | None, unit: str, mode: str = "auto",
                 every: float = EVERY_S, stream: TextIO | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        """Start counting (a bar is drawn at once; the first line waits ``every`` seconds)."""
        self.stream = stream if stream is not None else sys.stderr
        if mode == "auto":
            mode = "bar" if _isatty(self.stream) else "lines"
        if mode not in ("bar", "lines", "off"):
            raise ValueError(f"progress mode {mode!r}: expected auto, bar, lines or off")
        self.label, self.total, self.unit, self.mode = label, total, unit, mode
        self.units = plural(unit)
        self.every, self.clock = float(every), clock or time.monotonic
        self.done = 0
        self.now = ""  # the stage in progress, shown beside the count
        self.shown: tuple[int, str] = (0, "")  # what the last line said
        self.started = self.last_line = self.clock()
        # "harness run: 40%|███  | 240/600 [01:10<01:40, 3.4 summaries/s, score]"
        self.bar: Any = (tqdm(total=total, unit=f" {self.units}", desc=label, file=self.stream)
                         if mode == "bar" else None)

    def update(self, n: int = 1) -> None:
        """``n`` more units done."""
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif n:
            self._maybe_line()

    def stage(self, text: str) -> None:
        """Name the work in progress: beside the bar, or in the next line off a terminal."""
        self.now = text
        if self.bar is not None:
            self.bar.set_postfix_str(text)
        else:
            self._maybe_line()

    def _maybe_line(self) -> None:
        """Write a line when ``every`` seconds have passed and the count or the stage moved."""
        if self.mode != "lines" or (self.done, self.now) == self.shown:
            return
        if self.clock() - self.last_line >= self.every:
            self.last_line = self.clock()
            self.shown = (self.done, self.now)
            print(self.line(), file=self.stream, flush=True)

    def line(self) -> str:
        """The count as one line: done/total (or done), the unit, the rate, the stage."""
        seconds = max(self.clock() - self.started, 1e-9)
        count = f"{self.done}/{self.total}" if self.total is not None else str(self.done)
        rate = self.done / seconds
        shown = f"{rate:.1f}" if rate >= 1 or rate == 0 else f"{rate:.2g}"
        now = f"; now {self.now}" if self.now else ""
        return f"{self.label}: {count} {self.units}, {shown} {self.units}/s{now}"

    def close(self) -> None:
        """End the bar (lines mode writes nothing more: the caller reports the result)."""
        if self.bar is not None:
            self.bar.close()


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
