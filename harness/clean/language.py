"""Words and languages of a page's lines: word counts and the page's stop list.

:func:`word_count` counts words (two characters of an unspaced script as one);
:func:`page_stoplist` picks the jusText stop list that fits the page's language,
which :mod:`harness.clean.page` uses to tell prose from lists of names and links.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Below this page-wide stop-word share no stop list fits the page's language
# (Chinese, Japanese, Thai have no spaces; unknown languages): judge lines by
# length and sentence punctuation only. English prose runs at 0.4-0.5.
MIN_LANGUAGE_FIT = 0.12
# How many of the page's words are enough to pick its stop list.
LANGUAGE_SAMPLE_WORDS = 5000

WORD = re.compile(r"\w+")
# Scripts written without spaces between words: one character is about half a
# word (Chinese averages 1.5-2 characters per word).
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def word_count(line: str) -> int:
    """Words in ``line``, counting two characters of an unspaced script as a word."""
    unspaced = len(_UNSPACED.findall(line))
    return len(WORD.findall(line)) + unspaced // 2


@lru_cache(maxsize=1)
def _stoplists() -> dict[str, frozenset[str]]:
    import justext

    # Sorted: the language set's order follows the string hash seed, and ties between
    # lists (page_stoplist keeps the first best) must not.
    return {lang: frozenset(justext.get_stoplist(lang)) for lang in sorted(justext.get_stoplists())}


@lru_cache(maxsize=1)
def _stop_index() -> tuple[list[frozenset[str]], dict[str, tuple[int, ...]]]:
    """The stop lists in order, and for each stop word the lists that hold it."""
    lists = list(_stoplists().values())
    holders: dict[str, list[int]] = {}
    for i, stoplist in enumerate(lists):
        for word in stoplist:
            holders.setdefault(word, []).append(i)
    return lists, {word: tuple(ids) for word, ids in holders.items()}


def page_stoplist(lines: list[str]) -> frozenset[str]:
    """Pick the stop list (of jusText's 100 languages) that covers most of the page's words.

    Empty when none covers ``MIN_LANGUAGE_FIT`` of them.
    """
    words: list[str] = []
    for line in sorted(lines, key=len, reverse=True):
        words.extend(w.casefold() for w in WORD.findall(line))
        if len(words) >= LANGUAGE_SAMPLE_WORDS:
            break
    if not words:
        return frozenset()
    lists, holders = _stop_index()
    hits = [0] * len(lists)
    for word in words:
        for i in holders.get(word, ()):
            hits[i] += 1
    best, best_share = frozenset(), 0.0
    for stoplist, count in zip(lists, hits, strict=True):
        share = count / len(words)
        if share > best_share:
            best, best_share = stoplist, share
    return best if best_share >= MIN_LANGUAGE_FIT else frozenset()
