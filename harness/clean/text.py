"""Cleaning plain text, a single article or a whole page's visible text.

``clean_text`` normalises the text and drops boilerplate lines
(:mod:`harness.clean.lines`), finds the article among the rest of a whole
page's lines with the block features of :mod:`harness.clean.page`, then takes
the headline (the title line before the article, :mod:`harness.clean.title`)
and the lede (first prose paragraph). Each dropped line is kept in
``Article.removed`` with its reason. :func:`build_article` is the last step,
shared with :func:`harness.clean.html.clean_html`.
"""

from __future__ import annotations

import re

from harness.clean import notice, page_model
from harness.clean.lines import MIN_LEDE_WORDS, SENTENCE_END, is_prose, prepare
from harness.clean.normalize import MAX_INPUT_CHARS, MAX_LINES, normalize_text
from harness.clean.page import Selection, analyse, word_count
from harness.clean.rules import DATELINE_PREFIX
from harness.clean.title import (
    INNER_SENTENCE,
    MAX_HEADLINE_WORDS,
    headline_index,
    is_title,
    shares_words,
)
from harness.types import Article, Removed

# A plain article's lede comes within this many lines of the headline (BBC
# sport reports put up to six lines of match facts between them).
PLAIN_LEDE_WITHIN = 7
NO_HEADLINE = ("no headline: no title line before the story, so the headline is left "
               "empty (give one in a 'headline' field to score against it)")
# Longer than headlines run: 99% of the 792 WCXB dev titles have at most 17
# words, three have more than 20 (21-25); BBC headlines have at most 8.
STORY_MIN_WORDS = 20
# A paragraph that ends with a full stop is a sentence; headlines end without
# one (or with a question or exclamation mark).
_FULL_STOP = re.compile(r"[.。][\"'”’»)\]]*$")


def opens_story(paragraph: str) -> bool:
    """Whether a first paragraph is a story's opening, not its title.

    A title is one short line with no sentence-ending full stop (a question or
    an exclamation may end one) and no second sentence; a lede is prose that
    ends with a full stop, holds two sentences, or is longer than headlines
    run. Untitled text (the lede first) keeps that paragraph as its lede
    rather than losing it to the headline.
    """
    if not is_prose(paragraph):
        return False
    return (
        word_count(paragraph) > STORY_MIN_WORDS
        or bool(_FULL_STOP.search(paragraph))
        or bool(INNER_SENTENCE.search(paragraph))
    )


def _opening(paragraphs: list[str], headline: str | None) -> str | None:
    """How a text opens: ``"title"``, ``"story"`` or ``None`` (a whole page).

    ``"title"``: a plain article under its headline; ``"story"``: a plain
    article with no title line.

    Scraped articles and corpora such as BBC News start with the headline and,
    within a few lines (a kicker, match facts), the lede; untitled text starts
    with the lede itself; a page's text starts with its menus. A plain article
    keeps every line that the line rules keep: page features would cost it its
    tables, line-ups and short closing lines. The cleaner's own output
    (headline, then a prose lede) is a plain article, so cleaning is idempotent.
    """
    if headline is not None:
        window = paragraphs[:PLAIN_LEDE_WITHIN]
        plain = any(is_prose(p) and SENTENCE_END.search(p) for p in window) or bool(
            paragraphs and is_prose(paragraphs[0])
        )
        return "title" if plain else None
    if paragraphs and opens_story(paragraphs[0]):
        return "story"
    if len(paragraphs) < 2 or word_count(paragraphs[0]) > MAX_HEADLINE_WORDS:
        return None
    if is_prose(paragraphs[1]):
        return "title"
    window = paragraphs[1 : 1 + PLAIN_LEDE_WITHIN]
    if (
        is_title(paragraphs[0])
        and any(is_prose(p) and SENTENCE_END.search(p) for p in window)
        and shares_words(paragraphs[0], paragraphs[1:])
    ):
        return "title"
    # Untitled text that opens with short facts (a venue, a date, a referee)
    # before its story; a title-like line among them (capitalised, sharing
    # words with the story) makes it a page, whose headline the page path finds.
    for i, paragraph in enumerate(paragraphs[: 1 + PLAIN_LEDE_WITHIN]):
        if is_prose(paragraph):
            titled = any(_may_be_title(p, paragraphs[i:]) for p in paragraphs[:i])
            return "story" if opens_story(paragraph) and not titled else None
    return None


def _may_be_title(line: str, story: list[str]) -> bool:
    """Whether a short line above the story could be its headline."""
    return is_title(line) and not line[:1].islower() and shares_words(line, story)


def _after_menu(selection: Selection, headline: str | None) -> bool:
    """Whether the page features put the article's text far below the first line.

    A page can open like a plain article (a one-word notice, then a prose
    cookie or privacy banner) and then run into its menus; the densest run of
    prose is then more than ``PLAIN_LEDE_WITHIN`` lines down, where a plain
    article's lede is within them. Only for text without a known headline.
    """
    return headline is None and selection.start > PLAIN_LEDE_WITHIN


def _select(paragraphs: list[str], headline: str | None) -> tuple[str, list[str], list[Removed]]:
    """Split the headline ("" when none) and the article's paragraphs from the rest."""
    page = analyse(paragraphs)
    opening = _opening(paragraphs, headline)
    if opening and not _after_menu(page.selection, headline):
        if headline is not None or opening == "story":
            return _one_line(headline or ""), paragraphs, []
        return _one_line(paragraphs[0]), paragraphs[1:], []
    # A whole page: the line model (page_model) picks the article's lines.
    model = page_model.shipped()
    selection = model.select(paragraphs, page) if model is not None else page.selection
    if not any(selection.keep(i) and is_prose(p) for i, p in enumerate(paragraphs)):
        selection = page.selection  # the model keeps no prose line: the rules' choice stands
    if selection.good_words == 0:
        raise notice.no_article("no article: no run of prose lines in the text", (), paragraphs)
    head_at = headline_index(paragraphs, selection) if headline is None else None
    if head_at is not None and opens_story(paragraphs[head_at]):
        head_at = None  # a story's opening sentence is no title (see opens_story)
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
    if headline is None and len(body) > 1 and not opens_story(body[0]):
        # No title line before the article, and its first kept paragraph reads as
        # a title, not a story's opening: it is the headline (cleaning the output
        # again would take it as one).
        headline = body.pop(0)
    return _one_line(headline or ""), body, removed


def _one_line(text: str) -> str:
    return normalize_text(text).replace("\n", " ").strip()


def _trim_head(
    headline: str, paragraphs: list[str], drop: frozenset[str] | None = None
) -> tuple[list[str], list[Removed]]:
    """Drop a repeated headline and non-prose lines before the lede; split off a dateline.

    Repeated until nothing changes, so that cleaning its own output changes
    nothing (a lede shortened by its dateline may no longer be prose).
    ``drop``: the steps to take (``headline repeat``, ``dateline prefix``,
    ``preamble``; all when ``None``).
    """
    def acts(reason: str) -> bool:
        return drop is None or reason in drop

    removed: list[Removed] = []
    if paragraphs and paragraphs[0].casefold() == headline.casefold() and acts("headline repeat"):
        removed.append(Removed(paragraphs[0], "duplicate"))
        paragraphs = paragraphs[1:]
    while paragraphs:
        match = DATELINE_PREFIX.match(paragraphs[0]) if acts("dateline prefix") else None
        if match and match.end() < len(paragraphs[0]):
            removed.append(Removed(match.group("prefix").strip(), "dateline"))
            paragraphs = [paragraphs[0][match.end() :]] + paragraphs[1:]
        elif (acts("preamble") and not is_prose(paragraphs[0])
              and any(map(is_prose, paragraphs[1:]))):
            removed.append(Removed(paragraphs[0], "preamble"))
            paragraphs = paragraphs[1:]
        else:
            break
    return paragraphs, removed


def build_article(
    doc_id: str,
    source: str,
    headline: str,
    paragraphs: list[str],
    lede: str | None,
    removed: list[Removed],
    headline_from: str = "detected",
    drop: frozenset[str] | None = None,
) -> Article:
    """The article from its headline and paragraphs: repeated headline and preamble trimmed.

    An empty ``headline`` (untitled text) makes an article whose headline is
    ``"absent"``, with a warning. ``drop`` limits the trimming to those
    reasons (see :func:`_trim_head`).

    Raises:
        CleaningError: When no prose paragraph is left.

    """
    paragraphs, head_removed = _trim_head(headline, paragraphs, drop)
    if not paragraphs:
        raise notice.no_article("no article body left after removing boilerplate",
                                removed, [headline])
    if not any(map(is_prose, paragraphs)):
        raise notice.no_article(
            f"no article: no paragraph of {MIN_LEDE_WORDS} or more words is left (labels only)",
            removed, [headline, *paragraphs])
    warnings = notice.check(headline, paragraphs, removed)
    warnings = (warnings if headline else (NO_HEADLINE, *warnings)) + tuple(
        f"input cut to its first {MAX_INPUT_CHARS:,} characters or {MAX_LINES:,} lines: "
        f"{r.line.strip('[]')} were dropped before cleaning"
        for r in removed if r.reason == "truncated")
    return Article(
        id=doc_id,
        headline=headline,
        lede=normalize_text(lede).strip() if lede else paragraphs[0],
        paragraphs=tuple(paragraphs),
        source=source,
        removed=tuple(removed + head_removed),
        headline_from=headline_from if headline else "absent",
        lede_from="given" if lede else "detected",
        warnings=warnings,
        dateline=_dateline(head_removed + removed),
    )


def _dateline(removed: list[Removed]) -> str:
    """The story's dateline: the prefix split off the lede, else the first dateline line."""
    return next((r.line.strip(" -–—") for r in removed if r.reason == "dateline"), "")


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
        CleaningError: When no body paragraph is left. Untitled text (its first
            paragraph a sentence of the story) is not an error: its headline
            is empty, its first paragraph the lede, and a warning is recorded.

    """
    paragraphs, removed = prepare(text)
    if not paragraphs:
        raise notice.no_article("no text left after removing boilerplate", removed)
    head, body, page_removed = _select(paragraphs, headline)
    return build_article(doc_id, source, head, body, lede, removed + page_removed,
                         headline_from="given" if headline is not None else "detected")
