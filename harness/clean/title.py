"""Finding the headline: which line above the article's text is its title.

Used on whole pages, where the article's span comes from
:func:`harness.clean.page.select_article`: each title-like line close above
its first prose paragraph is scored by :func:`headline_score`.
"""

from __future__ import annotations

import re

from harness.clean.lines import SENTENCE_END, is_prose
from harness.clean.page import Selection, word_count

# A headline is a single short line; 40 words is longer than any headline in the
# BBC and Global News data and shorter than most prose paragraphs.
MAX_HEADLINE_WORDS = 40
# How far before the article the headline is looked for (lines); pages put the
# byline, date, photo and its credit between headline and text.
HEADLINE_WINDOW = 12
# Headline candidates: typical headline lengths (words; news headlines run 6-15
# words, kickers and labels 1-3), how many of the article's first words the
# candidate's words are compared with, and the weights of headline_score's
# features (set by hand on the extraction benchmark's dev pages: the share of
# words shared with the text dominates, length and shape break ties).
HEADLINE_MIN_WORDS = 4
HEADLINE_MAX_WORDS = 25
HEADLINE_BODY_WORDS = 300
# Words compared by their first five letters, a crude stemmer for any language
# (truncation stemming; five letters keep most English stems apart).
STEM_PREFIX = 5
# A candidate's word overlap counts in full from this many content words on: a
# one-word section name ("Michigan") matching the text is weak evidence.
HEADLINE_MIN_CONTENT = 3
HEADLINE_WEIGHTS = {
    "length": 1.0,
    "no_full_stop": 1.0,
    "label": 1.0,
    "capital": 0.5,
    "numbers": 2.0,
    "overlap": 2.0,
    "distance": 0.05,
    "sentences": 1.0,
}

_WORD = re.compile(r"\w+")
# A sentence boundary inside a line: a lower-case word, a full stop, a capital
# ("Rep. Ilhan" and "U.S. Forces" are not).
INNER_SENTENCE = re.compile(r"[a-z]{3}[.!?][\"'”’]? +[A-Z]")
# Breadcrumbs ("Home > News > Business", "Mensagens » Autoestima") are not
# headlines. Set for one dev page; kept by cross-validation of headline accuracy
# over both dev sets (benchmarks/extraction.py: +1 page of 70, +2 of 792).
_BREADCRUMB = re.compile(r" [>»›] ")


def is_title(paragraph: str) -> bool:
    """Whether a paragraph reads as a title: 3 to ``MAX_HEADLINE_WORDS`` words, no closing stop."""
    words = word_count(paragraph)
    return 3 <= words <= MAX_HEADLINE_WORDS and not SENTENCE_END.search(paragraph.rstrip("?!"))


def headline_index(paragraphs: list[str], selection: Selection) -> int | None:
    """Find the title line of the article that :func:`select_article` found.

    Candidates are the lines of at most ``MAX_HEADLINE_WORDS`` words up to
    ``HEADLINE_WINDOW`` lines before the article's first prose paragraph (a
    long headline can fall inside the article's span, and the span can start
    on a teaser just above it), and that paragraph's first line when it looks
    like a title. Each is scored by :func:`headline_score`: a headline is a
    title-like line (no sentence-ending full stop, capitalised, not a date or a
    label) that shares its content words with the article's first paragraphs,
    close above the text. The first line of the article when nothing fits.
    """
    anchor = first_prose(paragraphs, selection)
    body = _body_words(paragraphs, selection, anchor)
    window = range(max(0, anchor - HEADLINE_WINDOW), anchor)
    candidates = [i for i in window if 1 <= word_count(paragraphs[i]) <= MAX_HEADLINE_WORDS]
    if anchor + 1 < len(paragraphs) and is_title(paragraphs[anchor]):
        candidates.append(anchor)
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda i: headline_score(paragraphs[i], anchor - i, body, selection.stoplist),
    )


def first_prose(paragraphs: list[str], selection: Selection) -> int:
    """Index of the article's first kept prose sentence (its start when it has none)."""
    for i in range(selection.start, selection.end):
        line = paragraphs[i]
        sentence = SENTENCE_END.search(line) or word_count(line) > MAX_HEADLINE_WORDS
        if selection.keep(i) and is_prose(line) and sentence:
            return i
    return selection.start


def _body_words(paragraphs: list[str], selection: Selection, anchor: int) -> frozenset[str]:
    """Casefolded words of the article's first ``HEADLINE_BODY_WORDS`` words from ``anchor``."""
    words: list[str] = []
    for i in range(anchor, selection.end):
        if selection.keep(i):
            words.extend(_prefix(w) for w in _WORD.findall(paragraphs[i]))
            if len(words) >= HEADLINE_BODY_WORDS:
                break
    return frozenset(words)


def headline_score(
    line: str, distance: int, body: frozenset[str], stoplist: frozenset[str]
) -> float:
    """How much ``line``, ``distance`` lines above the article's text, looks like its headline.

    Features (weights in ``HEADLINE_WEIGHTS``): a headline-like length, no
    sentence-ending full stop, no label colon and no breadcrumb separator, a capital first letter,
    few numbers (dates, times, counters), the share of its content words found
    in the article's first paragraphs (headlines name the story's subject; menu
    entries, kickers and bylines do not), and distance (headlines sit just
    above the text, under kickers, bylines and dates).
    """
    w = HEADLINE_WEIGHTS
    tokens = _WORD.findall(line)
    words = word_count(line)
    content = [t.casefold() for t in tokens if t.casefold() not in stoplist and not t.isdigit()]
    digits = sum(any(c.isdigit() for c in t) for t in tokens)
    score = w["length"] * (HEADLINE_MIN_WORDS <= words <= HEADLINE_MAX_WORDS)
    score += w["no_full_stop"] * (not SENTENCE_END.search(line.rstrip("?!")))
    score -= w["label"] * (line.endswith(":") or bool(_BREADCRUMB.search(line)))
    score += w["capital"] * line[:1].isupper()
    score -= w["numbers"] * (digits / max(1, len(tokens)))
    score -= w["sentences"] * len(INNER_SENTENCE.findall(line))
    if content:
        found = sum(_prefix(t) in body for t in content)
        score += w["overlap"] * found / max(len(content), HEADLINE_MIN_CONTENT)
    return score - w["distance"] * distance


def shares_words(title: str, paragraphs: list[str]) -> bool:
    """Whether a word of ``title`` of four or more letters recurs in the first paragraphs.

    A headline names the story's subject; a page's first line ("Skip to
    content", a section name) does not.
    """
    words = {_prefix(w) for w in _WORD.findall(title) if len(w) >= 4}
    seen = 0
    for paragraph in paragraphs:
        found = _WORD.findall(paragraph)
        if words & {_prefix(w) for w in found}:
            return True
        seen += len(found)
        if seen >= HEADLINE_BODY_WORDS:
            break
    return False


def _prefix(word: str) -> str:
    """A word's first ``STEM_PREFIX`` letters, casefolded: a crude stem (Syria, Syrian)."""
    return word.casefold()[:STEM_PREFIX]
