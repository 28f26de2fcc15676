"""HTML pages: trafilatura extracts the body, then the plain-text line rules run.

trafilatura (Barbaresi 2021, ACL demo) finds the main text well but leaves
share bars, photo captions and "read more" lines in its output, so the body
goes through the same line rules as scraped text
(:func:`harness.clean.lines.prepare`), but not through the whole-page block
features: trafilatura's output is already the article, and those features
would cost recall on it. Headline: the page's title metadata (``og:title``,
``<h1>``, ``<title>``, as trafilatura's metadata finds it); lede: the first
prose paragraph.
"""

from __future__ import annotations

import re

import lxml.html
import numpy as np
import trafilatura
from lxml import etree

from harness.clean import page_model
from harness.clean.errors import CleaningError
from harness.clean.lines import is_prose, prepare
from harness.clean.page import analyse
from harness.clean.render import html_to_text
from harness.clean.text import build_article, clean_text
from harness.types import Article, Removed

# Explicit extraction settings, spelled out so an upgrade cannot change them
# silently. Not all of them are trafilatura's defaults: trafilatura 2.x keeps
# comments and tables by default (include_comments=True, include_tables=True).
# Comments are not article text, so they are off; tables are kept: both dev
# ground truths keep them, and a summary that cites a figure from a table can
# only be checked against the article if the table is in it (on the dev pages
# tables on add 0.009 body F1 on the Zyte set and 0.008 on WCXB, docs/cleaning.md).
# ``include_tables=False`` of :func:`trafilatura_extract` and :func:`clean_html`
# turns them off. No formatting, links or images in the text output.
TRAFILATURA_SETTINGS = {
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "favor_precision": False,
    "favor_recall": False,
    "deduplicate": False,
    "with_metadata": True,
}


# The removals kept after trafilatura: those whose removed words the dev ground
# truths keep at most 10 % of the time on both sets (70 Zyte and 792 WCXB
# pages; `python benchmarks/extraction.py --removals`, docs/cleaning.md).
# The headline repeated as the first paragraph goes too (it is not lost: it
# is the headline). Every other rule, repeated lines, the comment section,
# the dateline prefix and the preamble leave trafilatura's text as it is:
# on its output they removed article text 12-99 % of the time on one set or
# the other (legal: its copyright lines, 41 % on the Zyte pages).
HTML_REMOVALS = frozenset({"advertisement", "byline", "cookie", "dateline", "sponsored", "tags",
                           "headline repeat"})

# The safe default after trafilatura: a line of its output is removed by the
# line model (:mod:`harness.clean.page_model`, run on the page's visible text)
# only when the model is sure it is not article text, its probability below
# ``SURE_NOT_ARTICLE``; where the model is unsure, and on a page unlike the
# pages it was fitted on (no stop list fits the page's words, or fewer than
# ``MIN_MATCHED`` of trafilatura's words are found in the visible text), every
# line of trafilatura's stays. Chosen out of fold by the lower of the two dev
# sets' F1 (benchmarks/extraction.py prints the grid; docs/cleaning.md): every
# threshold above 0 lowered both sets' F1, so 0, the model removes nothing.
SURE_NOT_ARTICLE = 0.0
MIN_MATCHED = 0.8
# A line of trafilatura's is matched in the visible text when this share of its
# word trigrams is found there; otherwise the model is not asked about it.
LINE_MATCHED = 0.5
_WORD = re.compile(r"\w+")


def trafilatura_extract(html: str, include_tables: bool = True) -> tuple[str | None, str | None]:
    """Trafilatura's body text (one paragraph per line) and the page's title.

    Args:
        html: The page source.
        include_tables: Keep tables' text, their cells as lines (on by default:
            figures a summary cites from a table can then be checked against
            the article; the dev ground truths keep tables too, docs/cleaning.md).

    """
    settings = {**TRAFILATURA_SETTINGS, "include_tables": include_tables}
    document = trafilatura.bare_extraction(html, **settings)
    if document is None:
        return None, _h1_or_title(html)
    return document.text, document.title or _h1_or_title(html)


def _h1_or_title(html: str) -> str | None:
    """Return the first ``<h1>`` text, else the ``<title>``; ``None`` when neither is there."""
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"))
    except (etree.ParserError, ValueError):
        return None
    for path in ("//h1", "//title"):
        for element in root.xpath(path):
            text = " ".join(element.text_content().split())
            if text:
                return text
    return None


def clean_html(
    html: str,
    doc_id: str,
    source: str = "",
    headline: str | None = None,
    lede: str | None = None,
    *,
    include_tables: bool = True,
) -> Article:
    """Clean an HTML page into an article.

    Args:
        html: The page source (decoded text).
        doc_id: The article id.
        source: Where the page came from, kept in the article.
        headline: The headline when the source knows it; else the page's title.
        lede: The lede when the source knows it; else the first prose paragraph.
        include_tables: Keep the text of tables (on by default; see
            :func:`trafilatura_extract`).

    Where trafilatura finds no main text, the page's visible text is cleaned
    instead (:func:`harness.clean.clean_text`: the page rules and line model).

    Raises:
        CleaningError: When neither trafilatura nor the page's visible text
            gives an article, or no body paragraph is left after the line rules.

    """
    if not html.strip():
        raise CleaningError("empty page")
    body, title = trafilatura_extract(html, include_tables)
    if not body or not body.strip():
        try:
            return clean_text(html_to_text(html), doc_id, source, headline, lede)
        except CleaningError as exc:
            raise CleaningError("no article: trafilatura found no main text in the page, "
                                f"and its visible text gave none ({exc})") from exc
    page_text = html_to_text(html) if SURE_NOT_ARTICLE > 0 else None
    return html_article(body, title, doc_id, source, headline, lede, page_text=page_text)


def html_article(
    body: str,
    title: str | None,
    doc_id: str,
    source: str = "",
    headline: str | None = None,
    lede: str | None = None,
    page_text: str | None = None,
) -> Article:
    """The article from trafilatura's body text and title: line rules, then headline and lede.

    A page with no title, ``<h1>`` or ``og:title`` (and no given headline)
    makes an article with an empty headline and a warning. With the page's
    visible text (``page_text``), a line the line model is sure is not
    article text goes too (``SURE_NOT_ARTICLE``, :func:`line_confidence`).
    """
    paragraphs, removed = prepare("\n\n".join(body.split("\n")), HTML_REMOVALS)
    head = " ".join((headline or title or "").split())
    if page_text is not None and SURE_NOT_ARTICLE > 0:
        paragraphs, removed = _drop_sure(paragraphs, removed, page_text, head)
    return build_article(doc_id, source, head, paragraphs, lede, removed,
                         headline_from="given" if headline else "detected", drop=HTML_REMOVALS)


def page_probabilities(page_text: str) -> tuple[list[str], np.ndarray, bool] | None:
    """The visible text's lines, the model's probability of each, whether a stop list fits.

    None without a model or without lines.
    """
    model = page_model.shipped()
    if model is None:
        return None
    lines, _ = prepare(page_text)  # the lines the model was fitted on
    if not lines:
        return None
    page = analyse(lines)
    return lines, model.probabilities(lines, page), bool(page.selection.stoplist)


def _trigrams(text: str) -> list[tuple[str, ...]]:
    tokens = _WORD.findall(text.casefold())
    return [tuple(tokens[i : i + 3]) for i in range(max(1, len(tokens) - 2))] if tokens else []


def line_confidence(paragraphs: list[str], page_text: str) -> tuple[list[float | None], float]:
    """Per paragraph of trafilatura's, the model's probability that it is article text.

    Each word trigram of the visible text takes the highest probability of the
    lines it occurs in; a paragraph takes the mean over its trigrams found
    there, or None when fewer than ``LINE_MATCHED`` of them are (the model
    never saw that line). Also returned: the share of trafilatura's words
    found in the visible text; 0 where no stop list fits the page (a
    language the model was not fitted on).
    """
    got = page_probabilities(page_text)
    if got is None or not got[2]:
        return [None] * len(paragraphs), 0.0
    lines, p, _ = got
    best: dict[tuple[str, ...], float] = {}
    for line, prob in zip(lines, p, strict=True):
        for gram in _trigrams(line):
            if best.get(gram, -1.0) < prob:
                best[gram] = float(prob)
    out: list[float | None] = []
    found = total = 0
    for paragraph in paragraphs:
        grams = _trigrams(paragraph)
        hits = [best[g] for g in grams if g in best]
        total += len(grams)
        found += len(hits)
        out.append(sum(hits) / len(hits) if grams and len(hits) >= LINE_MATCHED * len(grams)
                   else None)
    return out, found / total if total else 0.0


def _drop_sure(paragraphs: list[str], removed: list[Removed], page_text: str,
               headline: str) -> tuple[list[str], list[Removed]]:
    """Trafilatura's paragraphs less those the line model is sure are not article text.

    The headline repeated as a paragraph is left to :func:`build_article`.
    """
    confidence, matched = line_confidence(paragraphs, page_text)
    if matched < MIN_MATCHED:
        return paragraphs, removed  # a page unlike the model's: trafilatura's text stands
    sure = [c is not None and c < SURE_NOT_ARTICLE and p.casefold() != headline.casefold()
            for p, c in zip(paragraphs, confidence, strict=True)]
    kept = [p for p, s in zip(paragraphs, sure, strict=True) if not s]
    if not any(map(is_prose, kept)):
        return paragraphs, removed
    return kept, removed + [Removed(p, "not_article")
                            for p, s in zip(paragraphs, sure, strict=True) if s]
