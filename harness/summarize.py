"""The summarize step of a run: every model's summaries of a chunk of articles.

Generations go through the cache for cacheable models
(:mod:`harness.models.cache`); a batch that fails is retried one article at a
time, so one bad article becomes an error row and the others keep their
summaries; an empty summary is an error row of its model, never scored;
summaries an earlier run wrote (resume) are reused, not
regenerated. Shared by :class:`harness.pipeline.LocalExecutor` and the Ray
actors (:mod:`harness.ray_executor`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from harness.models.base import Generation, Summarizer
from harness.models.cache import GenerationCache, summarize_cached
from harness.run_folder import RunWriter
from harness.types import Article, ErrorRow, Summary


def generate(model: Summarizer, articles: Sequence[Article], cache: GenerationCache | None
             ) -> list[tuple[Generation, bool]]:
    """``(generation, was_cached)`` per article, through the cache for cacheable models."""
    if model.cacheable and cache is not None:
        return summarize_cached(model, articles, cache)
    generations = model.summarize(articles)
    if len(generations) != len(articles):
        raise RuntimeError(f"returned {len(generations)} summaries for {len(articles)} articles")
    if not all(isinstance(g, Generation) for g in generations):
        raise TypeError("summarize must return harness.models.base.Generation objects")
    return [(g, False) for g in generations]


def _generate_safely(model: Summarizer, articles: Sequence[Article], cache: GenerationCache | None,
                     writer: RunWriter) -> list[tuple[Article, Generation, bool]]:
    """Generations of a batch; when the batch fails, each article alone, errors recorded.

    A batch of one article is tried once (a ``step = 1`` model is not asked twice).
    """
    if len(articles) > 1:
        try:
            return [(a, g, hit) for a, (g, hit) in
                    zip(articles, generate(model, articles, cache), strict=True)]
        except Exception:  # noqa: BLE001 - retried one by one below to find the bad article
            pass
    out = []
    for article in articles:
        try:
            ((generation, hit),) = generate(model, [article], cache)
        except Exception as exc:  # noqa: BLE001 - recorded; the run goes on
            writer.error(ErrorRow(article.id, "summarize", f"{model.name}: "
                                  f"{type(exc).__name__}: {exc}", model=model.name))
            continue
        out.append((article, generation, hit))
    return out


def summarize_chunk(model: Summarizer, chunk: Sequence[Article], writer: RunWriter,
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
          writer: RunWriter) -> None:
    """Write the summaries (and their warnings) of ``made``; an empty one is an error row."""
    done = writer.state.summaries
    for article, g, hit in made:
        if not g.text.strip():
            # Scored, an empty summary would be "faithful" (no claim to check):
            # it is the model's failure on this article instead.
            writer.error(ErrorRow(article.id, "summarize", f"{model.name}: empty summary",
                                  model=model.name))
            continue
        row = Summary(article.id, model.name, g.text, round(g.seconds, 4), g.tokens, cached=hit,
                      timing=g.timing)
        writer.write("summaries", row.to_json())
        for message in g.warnings:
            writer.write("warnings", {"id": article.id, "model": model.name, "warning": message})
        done[(article.id, model.name)] = g.text


def summarize_all(models: Sequence[Summarizer], chunk: Sequence[Article], writer: RunWriter,
                  cache: GenerationCache | None = None,
                  stage: Callable[[str], object] = lambda text: None
                  ) -> list[tuple[Article, str, str]]:
    """The (article, summary, model) items of a chunk, model by model (each named to ``stage``)."""
    items: list[tuple[Article, str, str]] = []
    for model in models:
        pairs = summarize_chunk(model, chunk, writer, cache, stage)
        items += [(article, text, model.name) for article, text in pairs]
    return items
