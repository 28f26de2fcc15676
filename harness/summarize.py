"""The summarize step of a run: every model's summaries of a chunk of articles.

Generations go through the cache for cacheable models
(:mod:`harness.models.cache`); each model reports per article its summary
or its exception (``Summarizer.summarize_each``), so one bad article becomes
an error row and the others keep their summaries; an empty summary is an
error row of its model, never scored; summaries an earlier run wrote (resume)
are reused, not regenerated. Shared by both executors (:mod:`harness.executors`: this
process, Ray actors); rows go to a :class:`~harness.run_folder.RowSink`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from harness.models.base import NOT_AN_OUTCOME, Generation, Summarizer
from harness.models.cache import GenerationCache, summarize_each_cached
from harness.run_folder import RowSink
from harness.types import Article, ErrorRow, Summary


def generate(model: Summarizer, articles: Sequence[Article], cache: GenerationCache | None
             ) -> list[tuple[Generation, bool] | Exception]:
    """Per article, ``(generation, was_cached)`` or the exception it raised.

    Through the cache for cacheable models. One call of ``model.summarize_each``
    (whose default tries the batch, then each article alone when it fails); a
    failure of the call itself is every article's error.
    """
    try:
        if model.cacheable and cache is not None:
            return summarize_each_cached(model, articles, cache)
        outcomes = model.summarize_each(articles)
        if len(outcomes) != len(articles):
            raise ValueError(f"returned {len(outcomes)} summaries for {len(articles)} articles")
    except Exception as exc:  # noqa: BLE001 - recorded for each article; the run goes on
        return [exc] * len(articles)
    return [(o, False) if isinstance(o, Generation) else
            o if isinstance(o, Exception) else TypeError(NOT_AN_OUTCOME) for o in outcomes]


def _generate_safely(model: Summarizer, articles: Sequence[Article], cache: GenerationCache | None,
                     writer: RowSink) -> list[tuple[Article, Generation, bool]]:
    """Generations of a batch; each article that failed is an error row naming its cause."""
    out = []
    for article, outcome in zip(articles, generate(model, articles, cache), strict=True):
        if isinstance(outcome, Exception):
            writer.error(ErrorRow(article.id, "summarize", f"{model.name}: "
                                  f"{type(outcome).__name__}: {outcome}", model=model.name))
            continue
        generation, hit = outcome
        out.append((article, generation, hit))
    return out


def summarize_chunk(model: Summarizer, chunk: Sequence[Article], writer: RowSink,
                    cache: GenerationCache | None = None,
                    stage: Callable[[str], object] = lambda text: None
                    ) -> list[tuple[Article, str]]:
    """Summaries of one chunk by one model, reusing those an earlier run wrote.

    ``cache``: the generation cache of the cacheable models (None: none). The
    model is called ``model.step`` articles at a time (None: the whole chunk at
    once), and ``stage`` is told after each call how many of the chunk are made
    (``summarize lead3 5/16``), so progress moves per summary where the model
    makes them one by one.
    """
    done = writer.state.summaries
    todo = [a for a in chunk if (a.id, model.name) not in done]
    step = getattr(model, "step", None) or max(len(todo), 1)
    if todo:
        stage(f"summarize {model.name} 0/{len(todo)}")
    for start in range(0, len(todo), step):
        part = todo[start:start + step]
        _keep(model, _generate_safely(model, part, cache, writer), writer)
        stage(f"summarize {model.name} {start + len(part)}/{len(todo)}")
    return [(a, done[(a.id, model.name)]) for a in chunk if (a.id, model.name) in done]


def _keep(model: Summarizer, made: Sequence[tuple[Article, Generation, bool]],
          writer: RowSink) -> None:
    """Write the summaries (and their warnings) of ``made``; an empty one is an error row."""
    for article, g, hit in made:
        if not g.text.strip():
            # Scored, an empty summary would be "faithful" (no claim to check):
            # it is the model's failure on this article instead.
            writer.error(ErrorRow(article.id, "summarize", f"{model.name}: empty summary",
                                  model=model.name))
            continue
        writer.summary(Summary(article.id, model.name, g.text, round(g.seconds, 4), g.tokens,
                               cached=hit, timing=g.timing), g.warnings)


def summarize_all(models: Sequence[Summarizer], chunk: Sequence[Article], writer: RowSink,
                  cache: GenerationCache | None = None,
                  stage: Callable[[str], object] = lambda text: None
                  ) -> list[tuple[Article, str, str]]:
    """The (article, summary, model) items of a chunk, model by model (each named to ``stage``)."""
    items: list[tuple[Article, str, str]] = []
    for model in models:
        pairs = summarize_chunk(model, chunk, writer, cache, stage)
        items += [(article, text, model.name) for article, text in pairs]
    return items
