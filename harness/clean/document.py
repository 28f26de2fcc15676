"""Cleaning a loaded document, whichever form it came in (plain text or HTML)."""

from __future__ import annotations

import dataclasses

from harness.clean.errors import CleaningError
from harness.clean.html import clean_html
from harness.clean.text import clean_text
from harness.types import Article, RawDoc


def clean_doc(doc: RawDoc) -> Article:
    """Clean a loaded document, plain text or HTML; its reference summaries go along."""
    if doc.html is not None:
        article = clean_html(doc.html, doc.id, doc.source, headline=doc.headline, lede=doc.lede)
    elif doc.text is not None:
        article = clean_text(doc.text, doc.id, doc.source, headline=doc.headline, lede=doc.lede)
    else:
        raise CleaningError(f"{doc.id}: document has neither text nor html")
    return dataclasses.replace(article, references=doc.references) if doc.references else article
