"""Cleaning a loaded document, whichever form it came in (plain text or HTML)."""

from __future__ import annotations

from harness.clean.errors import CleaningError
from harness.clean.html import clean_html
from harness.clean.text import clean_text
from harness.types import Article, RawDoc


def clean_doc(doc: RawDoc) -> Article:
    """Clean a loaded document, plain text or HTML."""
    if doc.html is not None:
        return clean_html(doc.html, doc.id, doc.source, headline=doc.headline, lede=doc.lede)
    if doc.text is None:
        raise CleaningError(f"{doc.id}: document has neither text nor html")
    return clean_text(doc.text, doc.id, doc.source, headline=doc.headline, lede=doc.lede)
