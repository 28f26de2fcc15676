"""The article of an input row that carries its text, and maybe its headline and lede.

``harness score`` lines and the ``datasets`` scoring path
(:mod:`harness.scale`) give ``{"id", "article"}`` plus optional ``"headline"``
and ``"lede"``. Given both, they are kept and the text is split into
paragraphs at blank lines; otherwise the text is cleaned
(:func:`harness.clean.clean_text`) and the missing ones are found. Text with
no title line keeps no headline (the metrics that need one record that as
their error for the row).
"""

from __future__ import annotations

from typing import Any

from harness.clean.text import CleaningError, clean_text
from harness.clean.title import is_title
from harness.types import Article


def to_article(row: dict[str, Any]) -> Article:
    """The row's article: given headline/lede kept, else extracted by the cleaner."""
    text = row["article"]
    if row.get("headline") and row.get("lede"):
        return Article(id=str(row["id"]), headline=row["headline"], lede=row["lede"],
                       paragraphs=_paragraphs(text))
    try:
        article = clean_text(text, str(row["id"]), headline=row.get("headline") or None,
                             lede=row.get("lede") or None)
    except CleaningError as exc:
        if row.get("headline") or not str(exc).startswith("no headline"):
            raise
        return _untitled(row, _paragraphs(text), ())
    if row.get("headline") or is_title(article.headline):
        return article
    # The cleaner's fallback took the story's opening paragraph (a sentence, not
    # a title) for the headline: keep it as the text's first paragraph instead.
    return _untitled(row, (article.headline, *article.paragraphs), article.removed)


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split("\n\n") if p.strip())


def _untitled(row: dict[str, Any], paras: tuple[str, ...], removed: tuple) -> Article:
    """An article with no headline (untitled text); its first paragraph is the lede."""
    return Article(id=str(row["id"]), headline="", lede=row.get("lede") or paras[0],
                   paragraphs=paras, removed=removed)
