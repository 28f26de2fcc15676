"""The steps every executor runs the same way: documents in, cleaned articles out, timed.

:func:`load_docs` streams the documents of a run (``sample``, then ``limit``;
bad inputs and duplicate ids become error rows), :func:`clean_one` cleans one
into its article row, and :class:`Timer` sums the seconds of each stage.
The local executor runs them in this process; the Ray executor loads here and
cleans in its actors. Library code only: no Hydra.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from harness.clean import clean_doc
from harness.run_folder import RowSink
from harness.text import NOT_ENGLISH, mostly_not_english
from harness.types import Article, ErrorRow, RawDoc


class Timer:
    """Seconds spent per stage, summed over chunks."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a block of work as part of ``name``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        """Count ``seconds`` (spent elsewhere: a Ray actor) as part of ``name``."""
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


def load_docs(source: Iterable[RawDoc | ErrorRow], writer: RowSink, timer: Timer,
              limit: int | None = None, sample: int | None = None, seed: int = 0,
              dropped: Callable[[], object] = lambda: None) -> Iterator[RawDoc]:
    """Stream the documents to clean (``sample`` drawn with ``seed``, then the first ``limit``).

    Bad inputs and duplicate ids become error rows; ``dropped()`` is called for
    each when it counts against the run's total (no ``limit``, which counts
    good documents only).
    """
    seen: dict[str, str] = {}
    docs = iter(source if sample is None else sampled(source, sample, seed))
    count = 0
    while limit is None or count < limit:
        with timer.stage("load"):
            doc = next(docs, None)
        if doc is None:
            return
        if isinstance(doc, ErrorRow):
            writer.error(doc)
            if limit is None:
                dropped()
            continue
        if doc.id in seen:
            writer.error(ErrorRow(doc.id, "load", f"duplicate id: {doc.source} has the same id "
                                  f"as {seen[doc.id]}; only the first is used"))
            if limit is None:
                dropped()
            continue
        seen[doc.id] = doc.source
        count += 1
        yield doc


def clean_one(doc: RawDoc, writer: RowSink, timer: Timer) -> Article | None:
    """The cleaned article (its row and warnings written once), or None with an error row."""
    with timer.stage("clean"):
        try:
            article = clean_doc(doc)
        except ValueError as exc:
            writer.error(ErrorRow(doc.id, "clean", f"{doc.source}: {exc}"))
            return None
    writer.article(article, (*article.warnings, *script_warnings(article)))
    return article


def script_warnings(article: Article) -> list[str]:
    """A warning for an article mostly in a script other than Latin (English-only metrics)."""
    return [NOT_ENGLISH] if mostly_not_english(article.body) else []


def sampled(source: Iterable[Any], n: int, seed: int) -> Iterator[Any]:
    """``n`` documents of ``source`` drawn without replacement, in the source's order.

    The draw is ``numpy.random.default_rng(seed).choice`` over the positions,
    so one seed gives one sample (a 50-article sample of BBC spans its topics,
    where ``limit`` takes the first 50, all business). A source without a
    length is read once to count it.
    """
    import numpy as np

    items = None
    total = length(source)
    if total is None:
        items = list(source)
        total = len(items)
    keep = set(np.random.default_rng(seed).choice(total, size=min(n, total),
                                                   replace=False).tolist())
    return (doc for i, doc in enumerate(items if items is not None else source) if i in keep)


def length(source: Iterable[Any]) -> int | None:
    """The number of documents of ``source``, or None when it has no length (a stream)."""
    try:
        return len(source)  # type: ignore[arg-type]
    except TypeError:
        return None
