"""Cleaning: scraped text (or HTML) in, an :class:`~harness.types.Article` out.

The public names, re-exported from the modules that do the work:

- :mod:`harness.clean.normalize`: Unicode, entities, spaces and line breaks;
- :mod:`harness.clean.lines`: boilerplate lines out (the rules of
  :mod:`harness.clean.rules`), hard-wrapped lines joined into paragraphs;
- :mod:`harness.clean.page`: where the article is among a whole page's lines;
- :mod:`harness.clean.title`: which line is its headline;
- :mod:`harness.clean.text`: ``clean_text``, the steps above in order;
- :mod:`harness.clean.html`: ``clean_html`` (trafilatura, then the same line
  rules); :mod:`harness.clean.render`: ``html_to_text``;
- :mod:`harness.clean.document`: ``clean_doc`` for a loaded document;
- :mod:`harness.clean.row`: ``to_article`` for a row with given headline/lede.
"""

from harness.clean.document import clean_doc
from harness.clean.errors import CleaningError
from harness.clean.html import clean_html
from harness.clean.normalize import normalize_text
from harness.clean.render import html_to_text
from harness.clean.row import to_article
from harness.clean.text import clean_text
from harness.clean.title import is_title

__all__ = [
    "CleaningError",
    "clean_doc",
    "clean_html",
    "clean_text",
    "html_to_text",
    "is_title",
    "normalize_text",
    "to_article",
]
