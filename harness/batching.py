"""Splitting a stream of items into fixed-size lists (no harness imports, cheap to import)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of ``size`` items (the last may be shorter)."""
    items = iter(items)
    while chunk := list(itertools.islice(items, size)):
        yield chunk
