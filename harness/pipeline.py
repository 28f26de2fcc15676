"""The main job: load → clean → summarize → score → write, streamed in chunks.

Articles flow through in chunks of ``batch_size`` so memory stays flat in the
number of articles; every row is appended to its JSONL file as soon as it
exists. A rerun into the same folder (after a crash or ``kill -9``) reads what
is there and does only what is missing, so it ends with the rows of an
uninterrupted run. Library code only: no Hydra, paths come from the caller.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from harness.clean import clean_doc
from harness.jsonl import JsonlWriter, read_jsonl
from harness.metrics.base import Metric, score_each
from harness.models.base import Summarizer
from harness.types import Article, ErrorRow, RawDoc, ScoreRow, Summary

FILES = ("articles", "summaries", "scores", "errors", "warnings")


@dataclass
class RunPlan:
    """Everything a run needs, already built (sources, models, metrics)."""

    source: Iterable[RawDoc | ErrorRow]
    models: Sequence[Summarizer]
    metrics: Sequence[Metric]
    out_dir: Path
    batch_size: int = 16
    limit: int | None = None
    cache: Any = None  # harness.models.cache.GenerationCache for cacheable models
    progress: bool = True
    #: Worker processes for the metrics (1: in this process). Workers build their
    #: metrics from ``metric_configs``, the plain configs of ``metrics``.
    workers: int = 1
    metric_configs: list[Any] = field(default_factory=list)


@dataclass
class RunState:
    """What an earlier, interrupted run into the same folder already wrote."""

    articles: set[str] = field(default_factory=set)
    summaries: dict[tuple[str, str], str] = field(default_factory=dict)
    scored: set[tuple[str, str]] = field(default_factory=set)
    errors: set[tuple[Any, ...]] = field(default_factory=set)

    @classmethod
    def read(cls, out_dir: Path) -> RunState:
        """Read the rows already in ``out_dir``."""
        state = cls()
        state.articles = {r["id"] for r in read_jsonl(out_dir / "articles.jsonl")}
        state.summaries = {(r["article_id"], r["model"]): r["summary"]
                           for r in read_jsonl(out_dir / "summaries.jsonl")}
        state.scored = {(r["article_id"], r["model"]) for r in read_jsonl(out_dir / "scores.jsonl")}
        state.errors = {_error_key(r) for r in read_jsonl(out_dir / "errors.jsonl")}
        return state


def _error_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["id"], row["stage"], row.get("model"), row["error"])


class RunWriter:
    """The run's append-only files, with duplicate-free error rows."""

    def __init__(self, out_dir: Path, state: RunState) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.state = state
        self.files = {name: JsonlWriter(out_dir / f"{name}.jsonl") for name in FILES}
        self.error_count = 0

    def write(self, name: str, row: dict[str, Any]) -> None:
        """Append a row to ``<name>.jsonl``."""
        self.files[name].write(row)

    def error(self, error: ErrorRow) -> None:
        """Record an error once (a resumed run does not repeat it)."""
        row = error.to_json()
        key = _error_key(row)
        self.error_count += 1
        if key not in self.state.errors:
            self.state.errors.add(key)
            self.write("errors", row)

    def close(self) -> None:
        """Close every file."""
        for fh in self.files.values():
            fh.close()


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


def load_and_clean(plan: RunPlan, writer: RunWriter, timer: Timer) -> Iterator[Article]:
    """Stream cleaned articles; bad inputs and duplicate ids become error rows."""
    seen: dict[str, str] = {}
    docs = iter(plan.source)
    count = 0
    while plan.limit is None or count < plan.limit:
        with timer.stage("load"):
            doc = next(docs, None)
        if doc is None:
            return
        if isinstance(doc, ErrorRow):
            writer.error(doc)
            continue
        if doc.id in seen:
            writer.error(ErrorRow(doc.id, "load", f"duplicate id: {doc.source} has the same id "
                                  f"as {seen[doc.id]}; only the first is used"))
            continue
        seen[doc.id] = doc.source
        count += 1
        with timer.stage("clean"):
            try:
                article = clean_doc(doc)
            except ValueError as exc:
                writer.error(ErrorRow(doc.id, "clean", f"{doc.source}: {exc}"))
                continue
        if article.id not in writer.state.articles:
            writer.write("articles", article.to_json())
            writer.state.articles.add(article.id)
        yield article


def _generate(model: Summarizer, articles: Sequence[Article], cache: Any) -> list[tuple[str, bool]]:
    if model.cacheable and cache is not None:
        from harness.models.cache import summarize_cached

        return summarize_cached(model, articles, cache)
    texts = model.summarize(articles)
    if len(texts) != len(articles):
        raise RuntimeError(f"returned {len(texts)} summaries for {len(articles)} articles")
    return [(t, False) for t in texts]


def _generate_safely(model: Summarizer, articles: Sequence[Article], cache: Any,
                     writer: RunWriter) -> list[tuple[Article, str, bool, float]]:
    """Summaries of a batch; when the batch fails, each article alone, errors recorded."""
    start = time.perf_counter()
    # Per-summary seconds are generation time: a model's one-off load is left out.
    loaded = getattr(model, "load_seconds", 0.0)
    try:
        results = _generate(model, articles, cache)
        elapsed = time.perf_counter() - start - (getattr(model, "load_seconds", 0.0) - loaded)
        each = elapsed / max(len(articles), 1)
        return [(a, text, hit, 0.0 if hit else each)
                for a, (text, hit) in zip(articles, results, strict=True)]
    except Exception:  # noqa: BLE001 - retried one by one below to find the bad article
        pass
    out = []
    for article in articles:
        start = time.perf_counter()
        try:
            ((text, hit),) = _generate(model, [article], cache)
        except Exception as exc:  # noqa: BLE001 - recorded; the run goes on
            writer.error(ErrorRow(article.id, "summarize", f"{model.name}: "
                                  f"{type(exc).__name__}: {exc}", model=model.name))
            continue
        out.append((article, text, hit, time.perf_counter() - start))
    return out


def summarize_chunk(plan: RunPlan, model: Summarizer, chunk: Sequence[Article],
                    writer: RunWriter) -> list[tuple[Article, str]]:
    """Summaries of one chunk by one model, reusing those an earlier run wrote."""
    done = writer.state.summaries
    todo = [a for a in chunk if (a.id, model.name) not in done]
    for article, text, hit, seconds in _generate_safely(model, todo, plan.cache, writer):
        # Neural models count generated tokens; others (and cache hits) count words.
        tokens = getattr(model, "token_counts", {}).get(article.id, len(text.split()))
        row = Summary(article.id, model.name, text, round(seconds, 4), tokens, cached=hit)
        writer.write("summaries", row.to_json())
        done[(article.id, model.name)] = text
    for article_id, message in getattr(model, "warnings", [])[:]:
        writer.write("warnings", {"id": article_id, "model": model.name, "warning": message})
    if hasattr(model, "warnings"):
        model.warnings.clear()
    return [(a, done[(a.id, model.name)]) for a in chunk if (a.id, model.name) in done]


def _metric_values(metric: Metric, pairs: Sequence[tuple[str, Article]], models: Sequence[str],
                   errors: list[ErrorRow]) -> list[dict[str, float] | None]:
    values: list[dict[str, float] | None] = []
    for (_, article), model, value in zip(pairs, models, score_each(metric, pairs), strict=True):
        if isinstance(value, Exception):
            errors.append(ErrorRow(article.id, "score", f"{type(metric).__name__}: "
                                   f"{type(value).__name__}: {value}", model=model))
            value = None
        values.append(value)
    return values


def score_pairs(metrics: Sequence[Metric], pairs: Sequence[tuple[str, Article]],
                models: Sequence[str]) -> tuple[list[ScoreRow], list[ErrorRow]]:
    """Every metric on every (summary, article) pair: one score row per pair, and errors.

    ``models`` names the model of each pair. The pairs of all models go through
    each metric in one batch, so an article's sentences are embedded once.
    """
    rows = [ScoreRow(a.id, m) for (_, a), m in zip(pairs, models, strict=True)]
    errors: list[ErrorRow] = []
    for metric in metrics:
        for row, values in zip(rows, _metric_values(metric, pairs, models, errors), strict=True):
            if values is not None:
                row.scores.update(values)
    return rows, errors


def _score_and_reset(metrics: Sequence[Metric], pairs: Sequence[tuple[str, Article]],
                     models: Sequence[str]) -> tuple[list[ScoreRow], list[ErrorRow]]:
    try:
        return score_pairs(metrics, pairs, models)
    finally:
        for metric in metrics:
            metric.reset()  # per-article caches end with their articles


# Worker processes build their own metrics once (from the configs) and keep them.
_WORKER_METRICS: list[Metric] = []
# Why they could not: raised with every job, since an initializer that raises
# would only make the pool start new workers forever.
_WORKER_ERROR: list[Exception] = []


def _init_worker(metric_configs: list[Any]) -> None:
    import torch

    from harness.config import build

    torch.set_num_threads(1)  # one core per worker; the parent owns the rest
    try:
        _WORKER_METRICS.extend(build(m, "metric") for m in metric_configs)
    except Exception as exc:  # noqa: BLE001 - reported through the jobs
        _WORKER_ERROR.append(exc)


def _score_in_worker(job: tuple[list[tuple[str, Article]], list[str]]):
    if _WORKER_ERROR:
        raise _WORKER_ERROR[0]  # a ConfigError from build() stays one for the caller
    return _score_and_reset(_WORKER_METRICS, *job)


class Scoring:
    """Scores each chunk's new summaries, in this process or in worker processes.

    With workers, a chunk is split by article (all of one article's summaries go
    to the same worker, which embeds its sentences once) and handed over without
    waiting, so the workers score while this process cleans and summarizes the
    next chunk (and while the workers are still starting). At most
    ``IN_FLIGHT`` jobs per worker are waiting (memory stays flat); rows are
    written as soon as their job is done, in the order the jobs were handed
    over. ``done(n)`` is called once the n articles of a chunk are scored.
    """

    IN_FLIGHT = 8

    def __init__(self, plan: RunPlan, writer: RunWriter, pool: Any = None,
                 done: Callable[[int], Any] = lambda n: None) -> None:
        """Score with ``plan.metrics`` here, or in ``pool`` (built from the configs)."""
        self.plan, self.writer, self.pool, self.done = plan, writer, pool, done
        # (job result or None, articles finished when it is collected)
        self.pending: deque[tuple[Any, int]] = deque()

    def submit(self, items: Sequence[tuple[Article, str, str]], articles: int) -> None:
        """Score the (article, summary, model) items of a chunk of ``articles`` articles.

        Items an earlier run already scored are skipped.
        """
        todo = [(a, s, m) for a, s, m in items if (a.id, m) not in self.writer.state.scored]
        if self.pool is None or not todo:
            if todo:
                self._write(*_score_and_reset(self.plan.metrics, [(s, a) for a, s, _ in todo],
                                              [m for _, _, m in todo]))
            self.pending.append((None, articles))
            self._collect(block=False)
            return
        n = self.plan.workers
        ids = dict.fromkeys(a.id for a, _, _ in todo)
        slot = {article_id: i % n for i, article_id in enumerate(ids)}
        parts = [p for k in range(n) if (p := [t for t in todo if slot[t[0].id] == k])]
        for i, part in enumerate(parts):
            job = ([(s, a) for a, s, _ in part], [m for _, _, m in part])
            last = i == len(parts) - 1
            self.pending.append((self.pool.apply_async(_score_in_worker, (job,)),
                                 articles if last else 0))
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
        result, articles = self.pending.popleft()
        if result is not None:
            self._write(*result.get())
        if articles:
            self.done(articles)

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
def _worker_pool(plan: RunPlan) -> Iterator[Any]:
    if plan.workers <= 1 or not plan.metric_configs:
        yield None
        return
    import multiprocessing

    # Not fork: the parent may hold torch threads (a loaded model). A fork
    # server imports the metrics' modules once and forks the workers from it,
    # so N workers cost one import of torch and transformers, not N.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_preload_modules(plan.metric_configs))
    else:
        ctx = multiprocessing.get_context("spawn")
    # One thread per worker for the BLAS libraries too (numpy's OpenBLAS, MKL):
    # read once at their import in the fork server or child, so given to the
    # processes explicitly rather than set in this process's environment.
    env = {k: "1" for k in _THREAD_VARS if k not in os.environ}

    def start() -> Any:
        with _child_environment(env):
            return ctx.Pool(plan.workers, initializer=_init_worker,
                            initargs=(plan.metric_configs,))

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
    modules = ["harness.pipeline", "harness.config"]
    for config in metric_configs:
        target = config.get("_target_", "") if isinstance(config, dict) else ""
        if "." in target:
            modules.append(target.rsplit(".", 1)[0])
    return modules + [m for m in _HEAVY_MODULES if importlib.util.find_spec(m.split(".")[0])]


# What building the MiniLM metrics imports lazily (transformers' BERT classes).
_HEAVY_MODULES = ("torch", "transformers.models.bert.modeling_bert",
                  "transformers.models.auto.modeling_auto")


def _chunks(items: Iterator[Article], size: int) -> Iterator[list[Article]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def run(plan: RunPlan) -> dict[str, Any]:
    """Run the pipeline into ``plan.out_dir``; returns counts and stage timings."""
    writer = RunWriter(plan.out_dir, RunState.read(plan.out_dir))
    timer = Timer()
    total = plan.limit if plan.limit is not None else _length(plan.source)
    bar = tqdm(total=total, unit="article", desc="articles", disable=not plan.progress)
    n_articles = 0
    try:
        with _worker_pool(plan) as pool:
            scoring = Scoring(plan, writer, pool, done=bar.update)
            for chunk in _chunks(load_and_clean(plan, writer, timer), plan.batch_size):
                items: list[tuple[Article, str, str]] = []
                for model in plan.models:
                    with timer.stage("summarize"):
                        pairs = summarize_chunk(plan, model, chunk, writer)
                    items += [(article, text, model.name) for article, text in pairs]
                with timer.stage("score"):
                    scoring.submit(items, len(chunk))
                n_articles += len(chunk)
            with timer.stage("score"):
                scoring.finish()
    finally:
        bar.close()
        writer.close()
    return {"articles": n_articles, "errors": writer.error_count,
            "timings": {k: round(v, 3) for k, v in timer.seconds.items()}}


def _length(source: Iterable[Any]) -> int | None:
    try:
        return len(source)  # type: ignore[arg-type]
    except TypeError:
        return None


def metric_declarations(metrics: Sequence[type[Metric]]) -> dict[str, dict[str, Any]]:
    """The declared keys of every metric class, for run.json and the tables."""
    return {
        k.name: {"low": k.low, "high": k.high, "higher_is_better": k.higher_is_better,
                 "doc": k.doc, "metric": m.__name__}
        for m in metrics
        for k in m.keys()
    }
