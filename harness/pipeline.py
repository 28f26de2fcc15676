"""The main job: load → clean → summarize → score → write, streamed in chunks.

Articles flow through in chunks of ``batch_size`` so memory stays flat in the
number of articles; every row is appended to its JSONL file as soon as it
exists. A rerun into the same folder (after a crash or ``kill -9``) reads what
is there (:mod:`harness.run_folder`) and does only what is missing, so it ends
with the rows of an uninterrupted run. The stages run here
(:class:`LocalExecutor`, scoring optionally in worker processes:
:mod:`harness.executor`) or in Ray actors (:mod:`harness.ray_executor`), which
reuse the load and clean steps below, the summarize step
(:mod:`harness.summarize`) and scoring (:class:`harness.executor.Scoring`).
Library code only: no Hydra, paths come from the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.batching import chunks
from harness.clean import clean_doc
from harness.embed import Encoders
from harness.executor import Scoring, worker_pool
from harness.metrics.base import Metric
from harness.models.base import Summarizer
from harness.models.cache import GenerationCache
from harness.progress import EVERY_S, Progress
from harness.run_folder import RunState, RunWriter
from harness.summarize import summarize_all
from harness.text import english_share
from harness.types import Article, ErrorRow, RawDoc


@dataclass
class RunPlan:
    """Everything a run needs, already built (sources, models, metrics)."""

    source: Iterable[RawDoc | ErrorRow]
    models: Sequence[Summarizer]
    metrics: Sequence[Metric]
    out_dir: Path
    batch_size: int = 16
    limit: int | None = None
    #: Documents drawn at random from the source (seeded by ``seed``), in source order.
    sample: int | None = None
    seed: int = 0
    cache: GenerationCache | None = None  # for the cacheable models
    #: True: a bar on a terminal, else a line every ``progress_every`` seconds; False: none.
    progress: bool = True
    progress_every: float = EVERY_S
    #: Worker processes for the metrics (1: in this process). Workers build their
    #: metrics from ``metric_configs``, the plain configs of ``metrics``.
    workers: int = 1
    metric_configs: list[Any] = field(default_factory=list)
    #: The sentence encoders ``metrics`` were built with; the run clears them per chunk.
    encoders: Encoders | None = None
    #: Where the stages run: :class:`LocalExecutor` (here), or an executor that
    #: builds the models and metrics elsewhere from ``model_configs`` and
    #: ``metric_configs`` (:class:`harness.ray_executor.RayExecutor`).
    executor: Any = field(default_factory=lambda: LocalExecutor())
    model_configs: list[Any] = field(default_factory=list)


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
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


def load_docs(plan: RunPlan, writer: RunWriter, timer: Timer,
              dropped: Callable[[], object] = lambda: None) -> Iterator[RawDoc]:
    """Stream the documents to clean (``sample``, then ``limit``).

    Bad inputs and duplicate ids become error rows; ``dropped()`` is called for
    each when it counts against the run's total (no ``limit``, which counts
    good documents only).
    """
    seen: dict[str, str] = {}
    source = plan.source
    docs = iter(source if plan.sample is None else sampled(source, plan.sample, plan.seed))
    count = 0
    while plan.limit is None or count < plan.limit:
        with timer.stage("load"):
            doc = next(docs, None)
        if doc is None:
            return
        if isinstance(doc, ErrorRow):
            writer.error(doc)
            if plan.limit is None:
                dropped()
            continue
        if doc.id in seen:
            writer.error(ErrorRow(doc.id, "load", f"duplicate id: {doc.source} has the same id "
                                  f"as {seen[doc.id]}; only the first is used"))
            if plan.limit is None:
                dropped()
            continue
        seen[doc.id] = doc.source
        count += 1
        yield doc


def clean_one(doc: RawDoc, writer: RunWriter, timer: Timer) -> Article | None:
    """The cleaned article (its row and warnings written once), or None with an error row."""
    with timer.stage("clean"):
        try:
            article = clean_doc(doc)
        except ValueError as exc:
            writer.error(ErrorRow(doc.id, "clean", f"{doc.source}: {exc}"))
            return None
    if article.id not in writer.state.articles:
        writer.write("articles", article.to_json())
        for message in (*article.warnings, *script_warnings(article)):
            writer.write("warnings", {"id": article.id, "stage": "clean", "warning": message})
        writer.state.articles.add(article.id)
    return article


def script_warnings(article: Article) -> list[str]:
    """A warning for an article mostly in a script other than Latin (English-only metrics)."""
    if english_share(article.body[:5000]) >= 0.5:
        return []
    return ["the article is mostly in a script other than Latin: faithfulness (fitted on "
            "English) and the headline check are English-only; ROUGE, coverage and fragments "
            "read its words"]


def load_and_clean(plan: RunPlan, writer: RunWriter, timer: Timer,
                   dropped: Callable[[], object] = lambda: None) -> Iterator[Article]:
    """Stream cleaned articles; bad inputs and duplicate ids become error rows.

    ``dropped()`` is called for each input that counts against the run's total
    and fails (:func:`load_docs`), or fails cleaning.
    """
    for doc in load_docs(plan, writer, timer, dropped):
        if (article := clean_one(doc, writer, timer)) is not None:
            yield article
        else:
            dropped()


def sampled(source: Iterable[Any], n: int, seed: int) -> Iterator[Any]:
    """``n`` documents of ``source`` drawn without replacement, in the source's order.

    The draw is ``numpy.random.default_rng(seed).choice`` over the positions,
    so one seed gives one sample (a 50-article sample of BBC spans its topics,
    where ``limit`` takes the first 50, all business). A source without a
    length is read once to count it.
    """
    import numpy as np

    items = None
    total = _length(source)
    if total is None:
        items = list(source)
        total = len(items)
    keep = set(np.random.default_rng(seed).choice(total, size=min(n, total),
                                                   replace=False).tolist())
    return (doc for i, doc in enumerate(items if items is not None else source) if i in keep)


class LocalExecutor:
    """``executor=local``, the default: every stage in this process.

    The metrics run here, or in ``workers`` worker processes (:mod:`harness.executor`).
    """

    #: The metrics are built here (with ``workers=1``), not elsewhere.
    remote = False

    def run(self, plan: RunPlan, writer: RunWriter, timer: Timer, progress: Progress) -> int:
        """Clean, summarize and score every chunk into ``writer``; returns the articles."""
        n_articles, per_doc = 0, len(plan.models)
        with worker_pool(plan.workers, plan.metric_configs) as pool:
            scoring = Scoring(plan.metrics, writer, pool, plan.workers, done=progress.update,
                              encoders=plan.encoders)
            docs = load_and_clean(plan, writer, timer, lambda: progress.update(per_doc))
            for chunk in chunks(docs, plan.batch_size):
                with timer.stage("summarize"):
                    items = summarize_all(plan.models, chunk, writer, plan.cache,
                                          stage=progress.stage)
                progress.stage("score")
                with timer.stage("score"):
                    scoring.submit(items, len(chunk) * per_doc)
                n_articles += len(chunk)
            with timer.stage("score"):
                scoring.finish()
        return n_articles


def run(plan: RunPlan) -> dict[str, Any]:
    """Run the pipeline into ``plan.out_dir`` with ``plan.executor``; returns counts and timings."""
    writer = RunWriter(plan.out_dir, RunState.read(plan.out_dir))
    timer = Timer()
    total = _length(plan.source)
    if plan.sample is not None and total is not None:
        total = min(total, plan.sample)
    if plan.limit is not None:
        total = min(total, plan.limit) if total is not None else plan.limit
    # Per summary (article x model); an input that fails before any model counts
    # as its models' summaries, so the count ends at the total.
    if total is not None:
        total *= len(plan.models)
    progress = Progress("harness run", total, "summary", "auto" if plan.progress else "off",
                        every=plan.progress_every)
    try:
        n_articles = plan.executor.run(plan, writer, timer, progress)
    finally:
        progress.close()
        writer.close()
    return {"articles": n_articles, "errors": writer.error_count,
            "timings": {k: round(v, 3) for k, v in timer.seconds.items()}}


def _length(source: Iterable[Any]) -> int | None:
    try:
        return len(source)  # type: ignore[arg-type]
    except TypeError:
        return None
