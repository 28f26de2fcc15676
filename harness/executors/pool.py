"""Where the metrics run under ``executor=local``: this process, or worker processes.

:class:`Scoring` takes each chunk's new (article, summary, model) items and
scores them with :func:`harness.scoring.score_rows`, here or in workers that
build their own metrics once from the plain metric configs
(:func:`worker_pool`). The metrics' per-article caches and the sentence
encoders they share are cleared after each job by whoever owns them: this
process, or the worker. Jobs go through the ``concurrent.futures`` shape
(``submit`` gives a Future holding the job's rows or its exception).
:class:`harness.executors.local.LocalExecutor` uses both; the Ray actors
(:mod:`harness.executors.ray_actors`) use :class:`Scoring` in each actor, without workers.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

from harness.embed import Encoders
from harness.metrics.base import Metric
from harness.run_folder import RowSink
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


def init_worker(metric_configs: list[Any]) -> None:
    """A worker process's initializer: build the metrics of ``metric_configs`` once."""
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

    def __init__(self, metrics: Sequence[Metric], writer: RowSink, pool: Any = None,
                 workers: int = 1, done: Callable[[int], Any] = lambda n: None,
                 encoders: Encoders | None = None) -> None:
        """Score with ``metrics`` (built with ``encoders``) here, or in ``pool``'s ``workers``.

        ``pool``: anything with ``concurrent.futures.Executor.submit`` whose processes ran
        :func:`init_worker` (:func:`worker_pool`), or None to score in this process.
        """
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
            self.pending.append((self.pool.submit(_score_in_worker, part),
                                 len(part) + (slots - len(todo) if last else 0)))
        self._collect(block=False)
        while len(self.pending) > self.IN_FLIGHT * n:
            self._collect_one()

    def finish(self) -> None:
        """Wait for the jobs in flight and write their rows."""
        self._collect(block=True)

    def _collect(self, block: bool) -> None:
        while self.pending and (block or self.pending[0][0] is None or self.pending[0][0].done()):
            self._collect_one()

    def _collect_one(self) -> None:
        result, summaries = self.pending.popleft()
        if result is not None:
            self._write(*result.result())
        if summaries:
            self.done(summaries)

    def _write(self, rows: list[ScoreRow], errors: list[ErrorRow]) -> None:
        for error in errors:
            self.writer.error(error)
        for row in rows:
            self.writer.score(row)


_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class _StartingPool:
    """A worker pool started in a background thread, so the run does not wait for it.

    Starting the workers takes seconds (the fork server imports torch and
    transformers). Meanwhile jobs are queued here and the run goes on cleaning
    and summarizing; the queued jobs go to the pool, in order, once it is up.
    ``submit`` returns a ``concurrent.futures.Future`` at once either way.
    """

    def __init__(self, start: Callable[[], Any]) -> None:
        self._lock = threading.Lock()
        self._queued: list[tuple[Callable, tuple, Future]] = []
        self._pool: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._start, args=(start,), daemon=True)
        self._thread.start()

    def _start(self, start: Callable[[], Any]) -> None:
        try:
            pool = start()
        except BaseException as exc:  # noqa: BLE001 - set on every job's future
            with self._lock:
                self._error = RuntimeError(f"the metric workers did not start: {exc}")
                self._error.__cause__ = exc
                for _, _, future in self._queued:
                    future.set_exception(self._error)
                self._queued.clear()
            return
        with self._lock:
            self._pool = pool
            for fn, args, future in self._queued:
                self._hand_over(fn, args, future)
            self._queued.clear()

    def _hand_over(self, fn: Callable, args: tuple, future: Future) -> None:
        self._pool.apply_async(fn, args, callback=future.set_result,
                               error_callback=future.set_exception)

    def submit(self, fn: Callable, /, *args: Any) -> Future:
        """Hand a job over now, or queue it until the pool is up; its Future either way."""
        future: Future = Future()
        with self._lock:
            if self._error is not None:
                future.set_exception(self._error)
            elif self._pool is not None:
                self._hand_over(fn, args, future)
            else:
                self._queued.append((fn, args, future))
        return future

    def close(self) -> None:
        """Stop the workers (every job's rows are written by now, or the run failed)."""
        self._thread.join()
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


@contextmanager
def worker_pool(workers: int, metric_configs: list[Any]) -> Iterator[Any]:
    """A pool of ``workers`` processes that build the metrics of ``metric_configs``.

    Yields None (score in this process) for one worker or no configs.
    """
    if workers <= 1 or not metric_configs:
        yield None
        return
    ctx, env = process_context(metric_configs)

    def start() -> Any:
        with child_environment(env):
            return ctx.Pool(workers, initializer=init_worker, initargs=(metric_configs,))

    pool = _StartingPool(start)
    try:
        yield pool
    finally:
        pool.close()


def process_context(metric_configs: list[Any]) -> tuple[Any, dict[str, str]]:
    """How worker processes start (a multiprocessing context) and the variables they get.

    Not fork: the parent may hold torch threads (a loaded model). A fork server
    imports the metrics' modules once and forks the workers from it, so N
    workers cost one import of torch and transformers, not N (spawn where there
    is no fork server). The variables give the BLAS libraries (numpy's OpenBLAS,
    MKL) one thread per worker: read once at their import in the fork server or
    child, so given to the processes (:func:`child_environment`) rather than set
    in this process's environment.
    """
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_preload_modules(metric_configs))
    else:
        ctx = multiprocessing.get_context("spawn")
    return ctx, {k: "1" for k in _THREAD_VARS if k not in os.environ}


_ENV_LOCK = threading.Lock()


@contextmanager
def child_environment(extra: dict[str, str]) -> Iterator[None]:
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
    modules = ["harness.executors.pool", "harness.config"]
    for config in metric_configs:
        target = config.get("_target_", "") if isinstance(config, dict) else ""
        if "." in target:
            modules.append(target.rsplit(".", 1)[0])
    return modules + [m for m in _HEAVY_MODULES if importlib.util.find_spec(m.split(".")[0])]


# What building the MiniLM metrics imports lazily (transformers' BERT classes).
_HEAVY_MODULES = ("torch", "transformers.models.bert.modeling_bert",
                  "transformers.models.auto.modeling_auto")
