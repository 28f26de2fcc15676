"""Normalising scraped text and bounding the work on huge inputs."""

from __future__ import annotations

import re
import unicodedata
from html import unescape

from harness.types import Removed

# Bounded work on huge inputs: a news article is under 100 KB of text and a
# whole page's visible text rarely passes 500 KB; beyond these caps the rest is
# dropped (and recorded) so that every rule runs in bounded time.
MAX_INPUT_CHARS = 2_000_000
MAX_LINES = 20_000

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85\x0b\x0c]")


def normalize_text(text: str) -> str:
    """Normalise text: Unicode NFC, HTML entities decoded, one kind of space, LF newlines.

    Zero-width and control characters are dropped; every line is stripped.
    """
    if "&" in text:
        text = unescape(text)
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", text))
    text = _CONTROL.sub("", _ZERO_WIDTH.sub("", text))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def bounded(text: str) -> tuple[str, list[Removed]]:
    """Cut the text to ``MAX_INPUT_CHARS`` and ``MAX_LINES``, and a note of what was cut."""
    cut = len(text) - MAX_INPUT_CHARS
    text = text[:MAX_INPUT_CHARS]
    lines = text.split("\n")
    if len(lines) > MAX_LINES:
        cut = max(cut, 0) + sum(len(line) + 1 for line in lines[MAX_LINES:])
        text = "\n".join(lines[:MAX_LINES])
    if cut > 0:
        return text, [Removed(f"[{cut} characters after the first part of the input]", "truncated")]
    return text, []
