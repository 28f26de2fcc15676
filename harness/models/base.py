"""The summarizer contract.

A summarizer is built once from its config (``_target_``) and then called on
batches of articles. ``summarize`` returns one :class:`Generation` per
article, in order: the summary and what producing it took (tokens, seconds,
warnings). The run calls ``summarize_each``, which returns per article its
generation or the exception that article raised; its default calls
``summarize`` on the batch and, only when the batch fails, on each article
alone, so a backend that can tell its articles' failures apart overrides it
and nothing is asked twice. The pipeline reads nothing else from a model. ``identity()``
returns everything that determines its output (class, weights, every
setting); the generation cache keys on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from harness.types import Article


@dataclass(frozen=True)
class Generation:
    """One article's summary, as a model produced it.

    Attributes:
        text: The summary.
        tokens: Generated tokens (neural models) or words (extractive ones).
        seconds: Time spent producing this summary; loading the model is left out.
            For a batch generated at once, the batch's time over its size (``timing``).
        warnings: What the run should know about this article (an input cut
            to the model's limit, ...); written to ``warnings.jsonl``.

    """

    text: str
    tokens: int
    seconds: float
    warnings: tuple[str, ...] = ()
    #: ``article``: ``seconds`` timed this article alone; ``batch``: the article's
    #: batch took ``seconds`` × its size (a batched backend cannot time one article).
    timing: str = "article"


class Summarizer:
    """Base class of summarizers."""

    #: Whether outputs should go through the generation cache (neural models).
    cacheable: bool = False
    #: Articles per ``summarize`` call the run makes (None: a whole chunk at once, for
    #: a model that batches or runs requests concurrently). A model that makes its
    #: summaries one by one anyway says 1, so the run's progress moves per summary.
    step: int | None = None

    def __init__(self, name: str) -> None:
        self.name = name

    def identity(self) -> dict[str, Any]:
        """Everything that determines the output, for cache keys and run records."""
        return {"class": f"{type(self).__module__}.{type(self).__qualname__}", "name": self.name}

    def check_available(self) -> None:
        """Raise ``ValueError`` (e.g. ``ModelLoadError``) when the model cannot run here.

        Called for every model before the first article is cleaned, so a missing
        weight file or an unreachable hub is a configuration error (exit 2), not a
        failure half-way. Cheap: it looks for the weights, it does not load them.
        Default: nothing to check (models without weights).
        """

    def summarize(self, articles: Sequence[Article]) -> list[Generation]:
        """One :class:`Generation` per article, in order."""
        raise NotImplementedError

    def summarize_each(self, articles: Sequence[Article]) -> list[Generation | Exception]:
        """Per article, in order, its :class:`Generation` or the exception it raised.

        Default: the whole batch through ``summarize``; only when that fails (or
        returns the wrong number or kind of results) each article alone, so one
        bad article costs only its own summary. A batch of one is asked once.
        Backends whose requests fail one by one anyway override this and return
        their per-article outcomes from the one round of requests.
        """
        if len(articles) > 1:
            try:
                return list(checked(self, self.summarize(articles), len(articles)))
            except Exception:  # noqa: BLE001 - each article alone below finds the bad one
                pass
        out: list[Generation | Exception] = []
        for article in articles:
            try:
                out += checked(self, self.summarize([article]), 1)
            except Exception as exc:  # noqa: BLE001 - handed to the caller, who records it
                out.append(exc)
        return out


#: The error of an article whose ``summarize_each`` result is neither kind.
NOT_AN_OUTCOME = "summarize_each must return Generation objects or exceptions"


def checked(model: Summarizer, generations: Sequence[Generation], count: int
            ) -> Sequence[Generation]:
    """``generations`` when they are ``count`` :class:`Generation` objects.

    Raises:
        ValueError: for another number of results than articles.
        TypeError: for results that are not :class:`Generation` objects.

    """
    if len(generations) != count:
        raise ValueError(f"model {model.name!r} returned {len(generations)} summaries "
                         f"for {count} articles")
    if not all(isinstance(g, Generation) for g in generations):
        raise TypeError("summarize must return harness.models.base.Generation objects")
    return generations


def one_by_one(articles: Sequence[Article],
               summarize: Callable[[Article], str]) -> list[Generation]:
    """Generations of a model that summarizes one article at a time, each timed.

    Tokens are the summary's whitespace-separated words (the model generates no tokens).
    """
    out = []
    for article in articles:
        start = time.perf_counter()
        text = summarize(article)
        out.append(Generation(text, len(text.split()), time.perf_counter() - start))
    return out
