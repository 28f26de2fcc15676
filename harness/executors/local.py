"""``executor=local``, the default: every stage in this process, metrics optionally in workers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from harness.batching import chunks
from harness.executors.base import RunPlan
from harness.executors.pool import Scoring, worker_pool
from harness.executors.steps import Timer, clean_one, load_docs
from harness.progress import Progress
from harness.run_folder import RowSink, RunWriter
from harness.summarize import summarize_all
from harness.types import Article


class LocalExecutor:
    """Clean and summarize chunk by chunk here; score here or in ``workers`` processes.

    The scoring of a chunk is handed to the worker pool (:mod:`harness.executors.pool`)
    without waiting, so the workers score while this process cleans and
    summarizes the next chunk.
    """

    @property
    def remote(self) -> bool:
        """False: the models (and, with ``workers=1``, the metrics) are built in this process."""
        return False

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


def load_and_clean(plan: RunPlan, writer: RowSink, timer: Timer,
                   dropped: Callable[[], object] = lambda: None) -> Iterator[Article]:
    """Stream cleaned articles; bad inputs and duplicate ids become error rows.

    ``dropped()`` is called for each input that counts against the run's total
    and fails (:func:`~harness.executors.steps.load_docs`), or fails cleaning.
    """
    for doc in load_docs(plan.source, writer, timer, plan.limit, plan.sample, plan.seed,
                         dropped):
        if (article := clean_one(doc, writer, timer)) is not None:
            yield article
        else:
            dropped()
