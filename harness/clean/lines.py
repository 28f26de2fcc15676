"""Line rules over normalised text: boilerplate lines out, paragraphs in.

:func:`prepare` normalises and bounds the text, drops each line that a rule of
:mod:`harness.clean.rules` names (and repeated lines, video captions, a
comment section), and joins hard-wrapped lines into paragraphs. Each dropped
line is kept with its reason.
"""

from __future__ import annotations

import re

from harness.clean.errors import CleaningError
from harness.clean.normalize import bounded, normalize_text
from harness.clean.page import word_count
from harness.clean.rules import COMMENTS_START, classify
from harness.types import Removed

# The lede is the first prose paragraph; shorter lines are labels or kickers.
MIN_LEDE_WORDS = 8
# Duplicate-line detection ignores very short lines ("Share", "Video") that
# other rules handle and that can legitimately repeat.
MIN_DUPLICATE_WORDS = 4
# A comment-section header ends the article only after this many prose lines:
# menus at the top of a page link to "Comments" too.
MIN_PROSE_BEFORE_COMMENTS = 4

_TERMINAL = re.compile(r"[.!?:;\"'”’)\]…]$")
SENTENCE_END = re.compile(r"[.!?。！？][\"'”’»)]*$")
_VIDEO_TITLE = re.compile(r"^(?:click to )?play video:\s*['\"‘“](?P<title>.+)['\"’”]\s*$", re.I)


def _blocks(text: str) -> list[list[str]]:
    """Blank-line separated blocks of non-empty lines."""
    blocks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _filter_lines(
    blocks: list[list[str]], drop: frozenset[str] | None = None
) -> tuple[list[list[str]], list[Removed]]:
    """Drop boilerplate lines; returns the kept lines per block and the removed ones.

    ``drop``: the reasons to act on (all when ``None``); a line of another
    reason stays.
    """
    kept_blocks: list[list[str]] = []
    removed: list[Removed] = []
    seen: set[str] = set()
    video_title: str | None = None
    prose_lines = 0
    for block in blocks:
        kept: list[str] = []
        for line in block:
            key = line.casefold()
            if (prose_lines >= MIN_PROSE_BEFORE_COMMENTS and _starts_comments(line)
                    and (drop is None or "comments" in drop)):
                removed.extend(Removed(rest, "comments") for rest in _rest(blocks, block, line))
                if kept:
                    kept_blocks.append(kept)
                return kept_blocks, removed
            reason = classify(line)
            if reason is None and video_title is not None and key == video_title:
                reason = "video"  # the player's title repeated as a caption
            if reason is None and _repeats(line, key, seen):
                reason = "duplicate"
            match = _VIDEO_TITLE.match(line) if len(line) < 1000 else None
            video_title = match.group("title").casefold() if match else None
            if drop is not None and reason not in drop:
                reason = None
            if reason:
                removed.append(Removed(line, reason))
            else:
                kept.append(line)
                prose_lines += is_prose(line)
            seen.add(key)
        if kept:
            kept_blocks.append(kept)
    return kept_blocks, removed


def _repeats(text: str, key: str, seen: set[str]) -> bool:
    """Whether ``text`` (case-folded: ``key``) repeats an earlier line or paragraph in ``seen``.

    Only a repeat of ``MIN_DUPLICATE_WORDS`` words or more counts as boilerplate.
    """
    return key in seen and word_count(text) >= MIN_DUPLICATE_WORDS


def _starts_comments(line: str) -> bool:
    return len(line) < 200 and bool(COMMENTS_START.match(line))


def _rest(blocks: list[list[str]], block: list[str], line: str) -> list[str]:
    """``line`` and every line after it (``block`` is the one holding ``line``)."""
    at = next(i for i, b in enumerate(blocks) if b is block)
    start = next(i for i, x in enumerate(block) if x is line)
    return block[start:] + [x for b in blocks[at + 1 :] for x in b]


def _paragraphs(blocks: list[list[str]]) -> list[str]:
    """One paragraph per line, except hard-wrapped lines, which are joined."""
    paragraphs: list[str] = []
    for block in blocks:
        current = ""
        for line in block:
            if current and not _TERMINAL.search(current) and line[:1].islower():
                current = f"{current} {line}"
            else:
                if current:
                    paragraphs.append(current)
                current = line
        paragraphs.append(current)
    return paragraphs


def is_prose(paragraph: str) -> bool:
    """Whether a paragraph is prose: ``MIN_LEDE_WORDS`` words or more."""
    return word_count(paragraph) >= MIN_LEDE_WORDS


def prepare(text: str, drop: frozenset[str] | None = None) -> tuple[list[str], list[Removed]]:
    """Normalised, bounded text split into paragraphs, boilerplate lines removed.

    ``drop``: the reasons whose lines are removed (every rule, repeated lines
    and the comment section when ``None``).
    """
    if "\x00" in text:
        raise CleaningError("binary content (NUL bytes), not text")
    text, removed = bounded(normalize_text(text))
    blocks, dropped = _filter_lines(_blocks(text), drop)
    paragraphs = []
    seen: set[str] = set()
    for paragraph in _paragraphs(blocks):
        # Joining hard-wrapped lines can make a line the rules now recognise
        # ("By" + "Jane Doe, staff"), or one long enough to count as a repeat of an
        # earlier paragraph; checking again keeps cleaning idempotent.
        key = paragraph.casefold()
        reason = classify(paragraph)
        if reason is None and _repeats(paragraph, key, seen):
            reason = "duplicate"
        if reason and (drop is None or reason in drop):
            dropped.append(Removed(paragraph, reason))
        else:
            paragraphs.append(paragraph)
            seen.add(key)
    return paragraphs, removed + dropped
