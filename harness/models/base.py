"""The summarizer contract.

A summarizer is built once from its config (``_target_``) and then called on
batches of articles. ``identity()`` returns everything that determines its
output (class, weights, every setting); the generation cache keys on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.types import Article


class Summarizer:
    """Base class of summarizers."""

    #: Whether outputs should go through the generation cache (neural models).
    cacheable: bool = False

    def __init__(self, name: str) -> None:
        self.name = name

    def identity(self) -> dict[str, Any]:
        """Everything that determines the output, for cache keys and run records."""
        return {"class": f"{type(self).__module__}.{type(self).__qualname__}", "name": self.name}

    def summarize(self, articles: Sequence[Article]) -> list[str]:
        """One summary per article, in order."""
        raise NotImplementedError
