"""The error of the cleaner: the input holds no article."""

from __future__ import annotations


class CleaningError(ValueError):
    """The input holds no article (empty, binary, boilerplate only, …)."""
