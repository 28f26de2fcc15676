"""Render an HTML page to its visible text, one block element per line.

This is roughly what a user gets by selecting all text in a browser and
pasting it: scripts, styles, the ``<head>`` and hidden elements are dropped,
every block-level element (paragraph, heading, list item, table cell, ``<div>``,
…) starts a new line, inline elements (links, emphasis, spans) stay inside the
line, and runs of white space collapse to one space except inside ``<pre>``.
Lines are separated by blank lines, the convention of the scraped-text inputs.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

# HTML Living Standard, "block-level" content plus the sectioning and form
# elements that browsers lay out on their own line; ``br`` and ``hr`` break lines.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body br caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li "
    "main menu nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
# Not rendered as text by a browser (or not visible without interaction).
INVISIBLE_TAGS = frozenset(
    "head script style noscript template svg math iframe object embed canvas select option "
    "datalist audio video map area title meta link base".split()
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WHITESPACE = re.compile(r"\s+")


def _is_hidden(element: etree._Element) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    return bool(_HIDDEN_STYLE.search(element.get("style") or ""))


def _tag(element: etree._Element) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""  # comments, processing instructions


def _walk(root: etree._Element) -> list[str]:
    """Collect text pieces in document order, a newline at block boundaries.

    Iterative (an explicit stack), so deeply nested pages do not hit Python's
    recursion limit.
    """
    pieces: list[str] = []
    stack: list[tuple[etree._Element, bool, bool]] = [(root, False, False)]
    while stack:
        element, closing, in_pre = stack.pop()
        tag = _tag(element)
        if closing:
            if tag in BLOCK_TAGS:
                pieces.append("\n")
            if element.tail:
                pieces.append(_inline(element.tail, in_pre))
            continue
        if not tag or tag in INVISIBLE_TAGS or _is_hidden(element):
            if element.tail:
                pieces.append(_inline(element.tail, in_pre))
            continue
        in_pre = in_pre or tag == "pre"
        if tag in BLOCK_TAGS:
            pieces.append("\n")
        if element.text:
            pieces.append(_inline(element.text, in_pre))
        stack.append((element, True, in_pre))
        stack.extend((child, False, in_pre) for child in reversed(element))
    return pieces


def _inline(text: str, in_pre: bool) -> str:
    return text if in_pre else _WHITESPACE.sub(" ", text)


def html_to_text(html: str) -> str:
    """Render the visible text of an HTML page, one block element per line.

    Args:
        html: The page source.

    Returns:
        The lines of the page, blank-line separated; ``""`` for a page with no
        visible text.

    """
    if not html.strip():
        return ""
    # Bytes, because lxml refuses str input that carries an encoding
    # declaration; huge_tree lifts libxml2's nesting limit (256 levels).
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except etree.ParserError:
        return ""
    lines = (line.strip() for line in "".join(_walk(root)).split("\n"))
    return "\n\n".join(line for line in lines if line)
