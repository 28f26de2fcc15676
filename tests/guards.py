"""Hang guards: the one way a test bounds wall-clock time.

A guard is not a speed claim. Its bound sits far above the normal time (about
ten times on the 2-core development machine under load), so a slow machine
passes and only a hang (a regex that backtracks for hours, a server that never
answers, a run that never writes its rows) fails, with a message that names
what hung, instead of holding the suite until CI kills it.

- :func:`hang_guard` bounds a block of code: SIGALRM interrupts it once the
  bound has passed (in C code, such as a regex scan, as soon as Python runs again).
- :func:`wait_until` waits for a condition another thread or process makes true:
  the lines of a run's file, an event of the fake OpenAI server.

Tests that need an order of events (a request stalled, three requests in flight)
wait for those events, never for a time to pass. A child process (``harness run``
in a subprocess) is bounded by ``subprocess.run(..., timeout=...)``, which kills
it: the same guard, at the edge of the process.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

#: The bound of a wait for an event that follows at once when nothing hangs.
EVENT_S = 30.0


@contextmanager
def hang_guard(seconds: float, what: str) -> Iterator[None]:
    """Fail the test when the block is still running after ``seconds``.

    Main thread only (pytest runs tests there): the guard is a SIGALRM timer.
    """
    def expired(signum: int, frame: object) -> None:
        pytest.fail(f"hang guard: {what} still running after {seconds:g} s", pytrace=False)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def wait_until(condition: Callable[[], bool], seconds: float, what: str, *,
               required: bool = True) -> bool:
    """Poll ``condition`` until it is true; after ``seconds``, fail (or return False).

    Args:
        condition: What to wait for; called every 20 ms.
        seconds: The hang guard's bound.
        what: The condition in words, for the failure message.
        required: False returns False at the bound instead of failing the test.

    """
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            if required:
                pytest.fail(f"hang guard: {what} not seen in {seconds:g} s", pytrace=False)
            return False
        time.sleep(0.02)
