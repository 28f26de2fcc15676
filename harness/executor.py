"""Where the metrics run: in this process, or in a pool of worker processes.

:class:`Scoring` takes each chunk's new (article, summary, model) items and
scores them with :func:`harness.scoring.score_rows`, here or in workers that
build their own metrics once from the plain metric configs
(:func:`worker_pool`). The metrics' per-article caches and the sentence
encoders they share are cleared after each job by whoever owns them: this
process, or the worker. This is ``executor=local``
(:class:`harness.pipeline.LocalExecutor`); ``executor=ray``
(:mod:`harness.ray_executor`) runs every stage in Ray actors, and reuses
:class:`Scoring` inside each actor.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from harness.embed import Encoders
from harness.metrics.base import Metric
from harness.run_folder import RunWriter
from harness.scoring import forget, score_rows
from harness.types import Article, ErrorRow, ScoreRow


def score_and_reset(metrics: Sequence[Metric], items: Sequence[tuple[Article, str, str]],
                    encoders: Encoders | None = None) -> tuple[list[ScoreRow], list[ErrorRow]]:
    """Score rows and errors of ``items``; then the metrics and encoders forget these articles."""
    try:
        return score_rows(metrics, items)
    finally:
        forget(metrics, encoders)


# Worker processes build their own metrics once (from the configs) and keep them,
# with the sentence encoders they share.
_WORKER_METRICS: list[Metric] = []
_WORKER_ENCODERS = Encoders()
# Why they could not: raised with every job, since an initializer that raises
# would only make the pool start new workers forever.
_WORKER_ERROR: list[Exception] = []


def _init_worker(metric_configs: list[Any]) -> None:
    import torch

    from harness.config import build

    torch.set_num_threads(1)  # one core per worker; the parent owns the rest
    # Ctrl-C reaches the whole process group: the parent ends the run (one line,
    # a resumable folder) and stops the pool; workers printing tracebacks would not help.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _WORKER_METRICS.extend(build(m, "metric", encoders=_WORKER_ENCODERS)
                               for m in metric_configs)
    except Exception as exc:  # noqa: BLE001 - reported through the jobs
        _WORKER_ERROR.append(exc)


def _score_in_worker(items: list[tuple[Article, str, str]]):
    if _WORKER_ERROR:
        raise _WORKER_ERROR[0]  # a ConfigError from build() stays one for the caller
    return score_and_reset(_WORKER_METRICS, items, _WORKER_ENCODERS)


class Scoring:
    """Scores each chunk's new summaries, in this process or in worker processes.

    With workers, a chunk is split by article (all of one article's summaries go
    to the same worker, which embeds its sentences once) and handed over without
    waiting, so the workers score while this process cleans and summarizes the
    next chunk (and while the workers are still starting). At most
    ``IN_FLIGHT`` jobs per worker are waiting (memory stays flat); rows are
    written as soon as their job is done, in the order the jobs were handed
    over. ``done(n)`` is called as each job's n summaries are scored (the last job
    of a chunk also counts the chunk's summaries that need no scoring: failed or
    scored by an earlier run).
    """

    IN_FLIGHT = 8

    def __init__(self, metrics: Sequence[Metric], writer: RunWriter, pool: Any = None,
                 workers: int = 1, done: Callable[[int], Any] = lambda n: None,
                 encoders: Encoders | None = None) -> None:
        """Score with ``metrics`` (built with ``encoders``) here, or in ``pool``'s ``workers``."""
        self.metrics, self.writer, self.pool, self.done = metrics, writer, pool, done
        self.workers, self.encoders = workers, encoders
        # (job result or None, summaries finished when it is collected)
        self.pending: deque[tuple[Any, int]] = deque()

    def submit(self, items: Sequence[tuple[Article, str, str]], slots: int) -> None:
        """Score the (article, summary, model) items of a chunk of ``slots`` summaries.

        ``slots`` is the chunk's articles times the models: items an earlier run
        already scored are skipped, and the slots without an item (a failed
        summary) count as done with the chunk.
        """
        todo = [(a, s, m) for a, s, m in items if (a.id, m) not in self.writer.state.scored]
        if self.pool is None or not todo:
            if todo:
                self._write(*score_and_reset(self.metrics, todo, self.encoders))
            self.pending.append((None, slots))
            self._collect(block=False)
            return
        n = self.workers
        ids = dict.fromkeys(a.id for a, _, _ in todo)
        slot = {article_id: i % n for i, article_id in enumerate(ids)}
        parts = [p for k in range(n) if (p := [t for t in todo if slot[t[0].id] == k])]
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            self.pending.append((self.pool.apply_async(_score_in_worker, (part,)),
                                 len(part) + (slots - len(todo) if last else 0)))
        self._collect(block=False)
        while len(self.pending) > self.IN_FLIGHT * n:
            self._collect_one()

    def finish(self) -> None:
        """Wait for the jobs in flight and write their rows."""
        self._collect(block=True)

    def _collect(self, block: bool) -> None:
        while self.pending and (block or self.pending[0][0] is None or self.pending[0][0].ready()):
            self._collect_one()

    def _collect_one(self) -> None:
        result, summaries = self.pending.popleft()
        if result is not None:
            self._write(*result.get())
        if summaries:
            self.done(summaries)

    def _write(self, rows: list[ScoreRow], errors: list[ErrorRow]) -> None:
        for error in errors:
            self.writer.error(error)
        for row in rows:
            self.writer.write("scores", row.to_json())
            self.writer.state.scored.add((row.article_id, row.model))


_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class _StartingPool:
    """A worker pool started in a background thread, so the run does not wait for it.

    Starting the workers takes seconds (the fork server imports torch and
    transformers). Meanwhile jobs are queued here and the run goes on cleaning
    and summarizing; the queued jobs go to the pool, in order, once it is up.
    """

    def __init__(self, start: Callable[[], Any]) -> None:
        self._lock = threading.Lock()
        self._queued: list[_QueuedJob] = []
        self._pool: Any = None
        self._error: BaseException | None = None
        self._up = threading.Event()
        self._thread = threading.Thread(target=self._start, args=(start,), daemon=True)
        self._thread.start()

    def _start(self, start: Callable[[], Any]) -> None:
        try:
            pool = start()
        except BaseException as exc:  # noqa: BLE001 - raised again to the caller on use
            self._error = exc
            self._up.set()
            return
        with self._lock:
            self._pool = pool
            for job in self._queued:
                job.result = pool.apply_async(job.fn, job.args)
            self._queued.clear()
        self._up.set()

    def apply_async(self, fn: Callable, args: tuple) -> Any:
        """Hand a job over now, or queue it until the pool is up."""
        with self._lock:
            if self._pool is not None:
                return self._pool.apply_async(fn, args)
            job = _QueuedJob(self, fn, args)
            self._queued.append(job)
            return job

    def wait(self) -> Any:
        """The started pool (raises what starting it raised)."""
        self._up.wait()
        if self._error is not None:
            raise RuntimeError(f"the metric workers did not start: {self._error}") from self._error
        return self._pool

    def close(self) -> None:
        """Stop the workers (every job's rows are written by now, or the run failed)."""
        self._thread.join()
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


class _QueuedJob:
    """A job handed over before the pool was up; behaves like an AsyncResult."""

    def __init__(self, pool: _StartingPool, fn: Callable, args: tuple) -> None:
        self.pool, self.fn, self.args, self.result = pool, fn, args, None

    def ready(self) -> bool:
        return self.result is not None and self.result.ready()

    def get(self) -> Any:
        self.pool.wait()
        return self.result.get()


@contextmanager
def worker_pool(workers: int, metric_configs: list[Any]) -> Iterator[Any]:
    """A pool of ``workers`` processes that build the metrics of ``metric_configs``.

    Yields None (score in this process) for one worker or no configs.
    """
    if workers <= 1 or not metric_configs:
        yield None
        return
    import multiprocessing

    # Not fork: the parent may hold torch threads (a loaded model). A fork
    # server imports the metrics' modules once and forks the workers from it,
    # so N workers cost one import of torch and transformers, not N.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_preload_modules(metric_configs))
    else:
        ctx = multiprocessing.get_context("spawn")
    # One thread per worker for the BLAS libraries too (numpy's OpenBLAS, MKL):
    # read once at their import in the fork server or child, so given to the
    # processes explicitly rather than set in this process's environment.
    env = {k: "1" for k in _THREAD_VARS if k not in os.environ}

    def start() -> Any:
        with _child_environment(env):
            return ctx.Pool(workers, initializer=_init_worker, initargs=(metric_configs,))

    pool = _StartingPool(start)
    try:
        yield pool
    finally:
        pool.close()


_ENV_LOCK = threading.Lock()


@contextmanager
def _child_environment(extra: dict[str, str]) -> Iterator[None]:
    """``extra`` in os.environ while processes start (they copy it), then removed."""
    with _ENV_LOCK:
        os.environ.update(extra)
        try:
            yield
        finally:
            for key in extra:
                os.environ.pop(key, None)


def _preload_modules(metric_configs: list[Any]) -> list[str]:
    """Modules worth importing once in the fork server: the metrics' own, and torch's."""
    modules = ["harness.executor", "harness.config"]
    for config in metric_configs:
        target = config.get("_target_", "") if isinstance(config, dict) else ""
        if "." in target:
            modules.append(target.rsplit(".", 1)[0])
    return modules + [m for m in _HEAVY_MODULES if importlib.util.find_spec(m.split(".")[0])]


# What building the MiniLM metrics imports lazily (transformers' BERT classes).
_HEAVY_MODULES = ("torch", "transformers.models.bert.modeling_bert",
                  "transformers.models.auto.modeling_auto")
