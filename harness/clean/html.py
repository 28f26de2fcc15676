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

import lxml.html
import trafilatura
from lxml import etree

from harness.clean.errors import CleaningError
from harness.clean.lines import prepare
from harness.clean.render import html_to_text
from harness.clean.text import build_article, clean_text
from harness.types import Article

# Explicit extraction settings (trafilatura 2.x defaults, spelled out so an
# upgrade cannot change them silently): comments and tables are not article
# text; no formatting, links or images in the text output.
TRAFILATURA_SETTINGS = {
    "include_comments": False,
    "include_tables": False,
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


def trafilatura_extract(html: str, include_tables: bool = False) -> tuple[str | None, str | None]:
    """Trafilatura's body text (one paragraph per line) and the page's title.

    Args:
        html: The page source.
        include_tables: Keep tables' text (off by default: cells flattened to
            lines are poor summarizer input; see docs/cleaning.md for the cost
            in benchmark recall).

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
    include_tables: bool = False,
) -> Article:
    """Clean an HTML page into an article.

    Args:
        html: The page source (decoded text).
        doc_id: The article id.
        source: Where the page came from, kept in the article.
        headline: The headline when the source knows it; else the page's title.
        lede: The lede when the source knows it; else the first prose paragraph.
        include_tables: Keep the text of tables (see :func:`trafilatura_extract`).

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
    return html_article(body, title, doc_id, source, headline, lede)


def html_article(
    body: str,
    title: str | None,
    doc_id: str,
    source: str = "",
    headline: str | None = None,
    lede: str | None = None,
) -> Article:
    """The article from trafilatura's body text and title: line rules, then headline and lede.

    A page with no title, ``<h1>`` or ``og:title`` (and no given headline)
    makes an article with an empty headline and a warning.
    """
    paragraphs, removed = prepare("\n\n".join(body.split("\n")), HTML_REMOVALS)
    head = " ".join((headline or title or "").split())
    return build_article(doc_id, source, head, paragraphs, lede, removed,
                         headline_from="given" if headline else "detected", drop=HTML_REMOVALS)
