"""Cleaning: scraped text (or HTML) in, an :class:`~harness.types.Article` out.

``clean_text`` normalises the text, drops boilerplate lines with the rules of
:mod:`harness.clean.rules`, finds the article among the rest of a whole page's
lines with the block features of :mod:`harness.clean.page`, then takes the
headline (the title line before the article) and the lede (first prose
paragraph). Each dropped line is kept in ``Article.removed`` with its reason.
``clean_html`` (:mod:`harness.clean.html`) extracts the body with trafilatura
and passes it through the same line rules; ``html_to_text``
(:mod:`harness.clean.render`) renders a page to visible text.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape

from harness.clean.page import Selection, select_article, word_count
from harness.clean.rules import COMMENTS_START, DATELINE_PREFIX, classify
from harness.types import Article, RawDoc, Removed

__all__ = [
    "CleaningError",
    "clean_doc",
    "clean_html",
    "clean_text",
    "html_to_text",
    "normalize_text",
]


class CleaningError(ValueError):
    """The input holds no article (empty, binary, boilerplate only, …)."""


# A headline is a single short line; 40 words is longer than any headline in the
# BBC and Global News data and shorter than most prose paragraphs.
MAX_HEADLINE_WORDS = 40
# The lede is the first prose paragraph; shorter lines are labels or kickers.
MIN_LEDE_WORDS = 8
# Duplicate-line detection ignores very short lines ("Share", "Video") that
# other rules handle and that can legitimately repeat.
MIN_DUPLICATE_WORDS = 4
# A comment-section header ends the article only after this many prose lines:
# menus at the top of a page link to "Comments" too.
MIN_PROSE_BEFORE_COMMENTS = 4
# Bounded work on huge inputs: a news article is under 100 KB of text and a
# whole page's visible text rarely passes 500 KB; beyond these caps the rest is
# dropped (and recorded) so that every rule runs in bounded time.
MAX_INPUT_CHARS = 2_000_000
MAX_LINES = 20_000
# A plain article's lede comes within this many lines of the headline (BBC
# sport reports put up to six lines of match facts between them).
PLAIN_LEDE_WITHIN = 7
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

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_TERMINAL = re.compile(r"[.!?:;\"'”’)\]…]$")
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’»)]*$")
_WORD = re.compile(r"\w+")
# A sentence boundary inside a line: a lower-case word, a full stop, a capital
# ("Rep. Ilhan" and "U.S. Forces" are not).
_INNER_SENTENCE = re.compile(r"[a-z]{3}[.!?][\"'”’]? +[A-Z]")
# Breadcrumbs ("Home > News > Business", "Mensagens » Autoestima") are not headlines.
_BREADCRUMB = re.compile(r" [>»›] ")
_VIDEO_TITLE = re.compile(r"^(?:click to )?play video:\s*['\"‘“](?P<title>.+)['\"’”]\s*$", re.I)


def normalize_text(text: str) -> str:
    """Normalise text: Unicode NFC, HTML entities decoded, one kind of space, LF newlines.

    Zero-width and control characters are dropped; every line is stripped.
    """
    if "&" in text:
        text = unescape(text)
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", text))
    text = _CONTROL.sub("", _ZERO_WIDTH.sub("", text))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def _bounded(text: str) -> tuple[str, list[Removed]]:
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


def _blocks(text: str) -> list[list[str]]:
    """Blank-line separated blocks of non-empty lines."""
    blocks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _filter_lines(blocks: list[list[str]]) -> tuple[list[list[str]], list[Removed]]:
    """Drop boilerplate lines; returns the kept lines per block and the removed ones."""
    kept_blocks: list[list[str]] = []
    removed: list[Removed] = []
    seen: set[str] = set()
    video_title: str | None = None
    prose_lines = 0
    for block in blocks:
        kept: list[str] = []
        for line in block:
            key = line.casefold()
            if prose_lines >= MIN_PROSE_BEFORE_COMMENTS and _starts_comments(line):
                removed.extend(Removed(rest, "comments") for rest in _rest(blocks, block, line))
                if kept:
                    kept_blocks.append(kept)
                return kept_blocks, removed
            reason = classify(line)
            if reason is None and video_title is not None and key == video_title:
                reason = "video"  # the player's title repeated as a caption
            if reason is None and key in seen and word_count(line) >= MIN_DUPLICATE_WORDS:
                reason = "duplicate"
            match = _VIDEO_TITLE.match(line) if len(line) < 1000 else None
            video_title = match.group("title").casefold() if match else None
            if reason:
                removed.append(Removed(line, reason))
            else:
                kept.append(line)
                prose_lines += _is_prose(line)
            seen.add(key)
        if kept:
            kept_blocks.append(kept)
    return kept_blocks, removed


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


def _is_prose(paragraph: str) -> bool:
    return word_count(paragraph) >= MIN_LEDE_WORDS


def is_title(paragraph: str) -> bool:
    """Whether a paragraph reads as a title: 3 to ``MAX_HEADLINE_WORDS`` words, no closing stop."""
    words = word_count(paragraph)
    return 3 <= words <= MAX_HEADLINE_WORDS and not _SENTENCE_END.search(paragraph.rstrip("?!"))


def _headline_index(paragraphs: list[str], selection: Selection) -> int | None:
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
    anchor = _first_prose(paragraphs, selection)
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


def _first_prose(paragraphs: list[str], selection: Selection) -> int:
    """Index of the article's first kept prose sentence (its start when it has none)."""
    for i in range(selection.start, selection.end):
        line = paragraphs[i]
        sentence = _SENTENCE_END.search(line) or word_count(line) > MAX_HEADLINE_WORDS
        if selection.keep(i) and _is_prose(line) and sentence:
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
    score += w["no_full_stop"] * (not _SENTENCE_END.search(line.rstrip("?!")))
    score -= w["label"] * (line.endswith(":") or bool(_BREADCRUMB.search(line)))
    score += w["capital"] * line[:1].isupper()
    score -= w["numbers"] * (digits / max(1, len(tokens)))
    score -= w["sentences"] * len(_INNER_SENTENCE.findall(line))
    if content:
        found = sum(_prefix(t) in body for t in content)
        score += w["overlap"] * found / max(len(content), HEADLINE_MIN_CONTENT)
    return score - w["distance"] * distance


def _is_plain_article(paragraphs: list[str], headline: str | None) -> bool:
    """Whether the text is one article (headline, then the story), not a whole page.

    Scraped articles and corpora such as BBC News start with the headline and,
    within a few lines (a kicker, match facts), the lede; a page's text starts
    with its menus. A plain article keeps every line that the line rules keep:
    page features would cost it its tables, line-ups and short closing lines.
    The cleaner's own output (headline, then a prose lede) is a plain article,
    so cleaning is idempotent.
    """
    if headline is not None:
        window = paragraphs[:PLAIN_LEDE_WITHIN]
        return any(_is_prose(p) and _SENTENCE_END.search(p) for p in window) or bool(
            paragraphs and _is_prose(paragraphs[0])
        )
    if len(paragraphs) < 2 or word_count(paragraphs[0]) > MAX_HEADLINE_WORDS:
        return False
    if _is_prose(paragraphs[1]):
        return True
    window = paragraphs[1 : 1 + PLAIN_LEDE_WITHIN]
    return (
        is_title(paragraphs[0])
        and any(_is_prose(p) and _SENTENCE_END.search(p) for p in window)
        and _shares_words(paragraphs[0], paragraphs[1:])
    )


def _after_menu(selection: Selection, headline: str | None) -> bool:
    """Whether the page features put the article's text far below the first line.

    A page can open like a plain article (a one-word notice, then a prose
    cookie or privacy banner) and then run into its menus; the densest run of
    prose is then more than ``PLAIN_LEDE_WITHIN`` lines down, where a plain
    article's lede is within them. Only for text without a known headline.
    """
    return headline is None and selection.start > PLAIN_LEDE_WITHIN


def _shares_words(title: str, paragraphs: list[str]) -> bool:
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


def _select(paragraphs: list[str], headline: str | None) -> tuple[str, list[str], list[Removed]]:
    """Split the headline and the article's paragraphs from the rest (recorded as removed)."""
    selection = select_article(paragraphs)
    if _is_plain_article(paragraphs, headline) and not _after_menu(selection, headline):
        head = headline if headline is not None else paragraphs[0]
        body = paragraphs if headline is not None else paragraphs[1:]
        return normalize_text(head).replace("\n", " ").strip(), body, []
    if selection.good_words == 0:
        raise CleaningError("no article: no run of prose lines in the text")
    head_at = _headline_index(paragraphs, selection) if headline is None else None
    if headline is None and head_at is None:
        raise CleaningError("no headline: no title line before the article text")
    removed, body = [], []
    # The article starts at its headline: teasers above a headline that falls
    # inside the span are not part of it.
    first = head_at + 1 if head_at is not None and head_at >= selection.start else 0
    for i, paragraph in enumerate(paragraphs):
        if i == head_at:
            headline = paragraph
        elif selection.keep(i) and i >= first:
            body.append(paragraph)
        else:
            inside = selection.start <= i < selection.end
            removed.append(Removed(paragraph, "not_prose" if inside else "outside_article"))
    return normalize_text(headline).replace("\n", " ").strip(), body, removed


def _trim_head(headline: str, paragraphs: list[str]) -> tuple[list[str], list[Removed]]:
    """Drop a repeated headline and non-prose lines before the lede; split off a dateline.

    Repeated until nothing changes, so that cleaning its own output changes
    nothing (a lede shortened by its dateline may no longer be prose).
    """
    removed: list[Removed] = []
    if paragraphs and paragraphs[0].casefold() == headline.casefold():
        removed.append(Removed(paragraphs[0], "duplicate"))
        paragraphs = paragraphs[1:]
    while paragraphs:
        match = DATELINE_PREFIX.match(paragraphs[0])
        if match and match.end() < len(paragraphs[0]):
            removed.append(Removed(match.group("prefix").strip(), "dateline"))
            paragraphs = [paragraphs[0][match.end() :]] + paragraphs[1:]
        elif not _is_prose(paragraphs[0]) and any(map(_is_prose, paragraphs[1:])):
            removed.append(Removed(paragraphs[0], "preamble"))
            paragraphs = paragraphs[1:]
        else:
            break
    return paragraphs, removed


def _prepare(text: str) -> tuple[list[str], list[Removed]]:
    """Normalised, bounded text split into paragraphs, boilerplate lines removed."""
    if "\x00" in text:
        raise CleaningError("binary content (NUL bytes), not text")
    text, removed = _bounded(normalize_text(text))
    blocks, dropped = _filter_lines(_blocks(text))
    paragraphs = []
    for paragraph in _paragraphs(blocks):
        # Joining hard-wrapped lines can make a line the rules now recognise
        # ("By" + "Jane Doe, staff"); checking again keeps cleaning idempotent.
        reason = classify(paragraph)
        if reason:
            dropped.append(Removed(paragraph, reason))
        else:
            paragraphs.append(paragraph)
    return paragraphs, removed + dropped


def _article(
    doc_id: str,
    source: str,
    headline: str,
    paragraphs: list[str],
    lede: str | None,
    removed: list[Removed],
) -> Article:
    paragraphs, head_removed = _trim_head(headline, paragraphs)
    if not paragraphs:
        raise CleaningError("no article body left after removing boilerplate")
    if not any(map(_is_prose, paragraphs)):
        raise CleaningError(
            f"no article: no paragraph of {MIN_LEDE_WORDS} or more words is left (labels only)"
        )
    if not headline:
        raise CleaningError("empty headline")
    lede = normalize_text(lede).strip() if lede else paragraphs[0]
    return Article(
        id=doc_id,
        headline=headline,
        lede=lede,
        paragraphs=tuple(paragraphs),
        source=source,
        removed=tuple(removed + head_removed),
    )


def clean_text(
    text: str,
    doc_id: str,
    source: str = "",
    headline: str | None = None,
    lede: str | None = None,
) -> Article:
    """Clean scraped plain text, an article or a whole page, into an article.

    Args:
        text: The scraped text; the headline is the title line just before the
            article text (the first line of a plain article) unless ``headline``
            is given.
        doc_id: The article id.
        source: Where the text came from (a path), kept in the article.
        headline: The headline when the source knows it.
        lede: The lede when the source knows it; else the first prose paragraph.

    Raises:
        CleaningError: When no headline or no body paragraph is left.

    """
    paragraphs, removed = _prepare(text)
    if not paragraphs:
        raise CleaningError("no text left after removing boilerplate")
    head, body, page_removed = _select(paragraphs, headline)
    return _article(doc_id, source, head, body, lede, removed + page_removed)


def clean_doc(doc: RawDoc) -> Article:
    """Clean a loaded document, plain text or HTML."""
    if doc.html is not None:
        return clean_html(doc.html, doc.id, doc.source, headline=doc.headline, lede=doc.lede)
    if doc.text is None:
        raise CleaningError(f"{doc.id}: document has neither text nor html")
    return clean_text(doc.text, doc.id, doc.source, headline=doc.headline, lede=doc.lede)


from harness.clean.html import clean_html  # noqa: E402  (html.py uses the helpers above)
from harness.clean.render import html_to_text  # noqa: E402
