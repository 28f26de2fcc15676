"""The article of an input row that carries its text, and maybe its headline and lede.

``harness score`` lines and the ``datasets`` scoring path
(:mod:`harness.scale`) give ``{"id", "article"}`` plus optional ``"headline"``,
``"lede"`` and ``"reference"`` (a gold summary, or a list of them). Given
headline and lede, they are kept and the text is split into paragraphs at
blank lines; otherwise the text is cleaned (:func:`harness.clean.clean_text`),
which finds the missing ones. Untitled text keeps no headline (the metrics
that need one record that as their error for the row).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from harness.clean.text import clean_text
from harness.types import Article, as_references


def to_article(row: dict[str, Any]) -> Article:
    """The row's article: given headline/lede kept, else extracted by the cleaner."""
    text = row["article"]
    references = as_references(row.get("reference"))
    if row.get("headline") and row.get("lede"):
        return Article(id=str(row["id"]), headline=row["headline"], lede=row["lede"],
                       paragraphs=_paragraphs(text), headline_from="given", lede_from="given",
                       references=references)
    article = clean_text(text, str(row["id"]), headline=row.get("headline") or None,
                         lede=row.get("lede") or None)
    return dataclasses.replace(article, references=references)


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split("\n\n") if p.strip())
