"""``executor=ray``: clean, summarize and score batches of articles in Ray actors.

Ray Core actors, not Ray Data (docs/scale.md says why): this process (the
driver) loads the documents, drops duplicates, and hands them out in batches
of ``batch_size``; each actor builds the models and metrics once, from their
plain configs, and runs the same steps as :class:`harness.executors.local.LocalExecutor`
(:func:`~harness.executors.steps.clean_one`, :func:`~harness.summarize.summarize_all`,
:class:`~harness.executors.pool.Scoring`) on each batch into a
:class:`~harness.run_folder.RowBuffer`. The driver replays the rows into the run
folder in the order it handed the batches out, so the
run folder is the one a local run writes, and resuming works as it does
locally: each batch goes with what the run folder already holds of its
articles, and the actor does only the rest. At most ``in_flight`` batches per
actor are out at once, so memory stays flat in the number of articles. An actor
whose process dies is restarted and its batches retried (``max_retries``): the
work is a pure function of the batch, so a retry gives the same rows.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.batching import chunks
from harness.config import ConfigError, build
from harness.embed import Encoders
from harness.executors.base import RunPlan
from harness.executors.pool import Scoring
from harness.executors.steps import Timer, clean_one, load_docs
from harness.progress import Progress
from harness.run_folder import RowBuffer, RunState, RunWriter
from harness.summarize import summarize_all
from harness.types import RawDoc


@dataclass
class BatchResult:
    """What an actor sends back for one batch."""

    rows: RowBuffer
    articles: int
    seconds: dict[str, float]


class BatchWorker:
    """The body of a Ray actor: models and metrics built once, then batch after batch."""

    def __init__(self, model_configs: list[Any], metric_configs: list[Any],
                 cache_dir: str | None, threads: int) -> None:
        import torch

        torch.set_num_threads(max(1, threads))
        self.error: Exception | None = None
        try:
            self.stages = _built_stages(model_configs, metric_configs, cache_dir)
        except Exception as exc:  # noqa: BLE001 - raised with every batch (a ConfigError)
            self.error = exc

    def process(self, docs: Sequence[RawDoc], state: RunState) -> BatchResult:
        """Clean, summarize and score one batch; ``state``: its rows already in the run folder."""
        if self.error is not None:
            raise self.error
        stages, buffer, timer = self.stages, RowBuffer(state), Timer()
        articles = [a for doc in docs if (a := clean_one(doc, buffer, timer)) is not None]
        with timer.stage("summarize"):
            items = summarize_all(stages.models, articles, buffer, stages.cache)
        with timer.stage("score"):
            Scoring(stages.metrics, buffer, encoders=stages.encoders).submit(
                items, len(articles) * len(stages.models))
        return BatchResult(buffer, len(articles), timer.seconds)


@dataclass
class BuiltStages:
    """What an actor builds once: the models, the metrics and the encoders they share, the cache."""

    models: list[Any]
    metrics: list[Any]
    encoders: Encoders
    cache: Any = None  # a GenerationCache, for the cacheable models


def _built_stages(model_configs: list[Any], metric_configs: list[Any],
                  cache_dir: str | None) -> BuiltStages:
    models = [build(m, "model") for m in model_configs]
    encoders = Encoders()
    metrics = [build(m, "metric", encoders=encoders) for m in metric_configs]
    cache = None
    if cache_dir is not None and any(getattr(m, "cacheable", False) for m in models):
        from harness.models.cache import GenerationCache

        cache = GenerationCache(Path(cache_dir))
    return BuiltStages(models, metrics, encoders, cache)


class RayExecutor:
    """Runs the stages in Ray actors; the driver (this process) writes the run folder.

    Args:
        address: None starts a local Ray for the run (stopped after it); ``auto``
            joins the cluster this machine belongs to; ``host:port`` (or
            ``ray://host:10001``) a given one. A Ray already initialised in this
            process is used as it is.
        num_cpus: Cores a local Ray may use (None: all). Ignored with an address.
        actors: Actors to start (None: as many as the cluster's CPUs, or GPUs
            when the actors take one, allow).
        num_cpus_per_actor: Cores each actor asks for (and its torch threads).
        num_gpus_per_actor: GPUs each actor asks for; ``auto``: 1 when a model's
            config names a ``device`` other than ``cpu`` and the cluster has GPUs, else 0.
        in_flight: Batches out per actor at once (bounds memory; 2 keeps each busy).
        max_retries: Restarts of an actor whose process dies, and retries of its batches.
        runtime_env: Ray's ``runtime_env`` for the run (``pip``, ``working_dir``,
            ``env_vars``, ...): how a cluster's workers get the project.

    """

    def __init__(self, address: str | None = None, num_cpus: int | None = None,
                 actors: int | None = None, num_cpus_per_actor: float = 1,
                 num_gpus_per_actor: float | str = "auto", in_flight: int = 2,
                 max_retries: int = 3, runtime_env: dict[str, Any] | None = None) -> None:
        if num_gpus_per_actor != "auto" and not isinstance(num_gpus_per_actor, int | float):
            raise ConfigError(f"executor.num_gpus_per_actor must be a number or 'auto', "
                              f"not {num_gpus_per_actor!r}")
        if in_flight < 1 or (actors is not None and actors < 1):
            raise ConfigError("executor.in_flight and executor.actors must be at least 1")
        self.address, self.num_cpus, self.actors = address, num_cpus, actors
        self.num_cpus_per_actor, self.num_gpus_per_actor = num_cpus_per_actor, num_gpus_per_actor
        self.in_flight, self.max_retries = in_flight, max_retries
        self.runtime_env = runtime_env or None

    @property
    def remote(self) -> bool:
        """True: the models and metrics are built in the actors, not in this process."""
        return True

    def run(self, plan: RunPlan, writer: RunWriter, timer: Timer, progress: Progress) -> int:
        """Clean, summarize and score every batch in the actors; returns the articles."""
        import ray

        def done(n_docs: int) -> None:  # per summary: each document's models
            progress.update(n_docs * len(plan.models))

        started = self._connect(ray)
        try:
            actors = self._start_actors(ray, plan, fixed=started and self.address is None)
            names = [m.name for m in plan.models]
            pending: deque[tuple[Any, list[RawDoc]]] = deque()
            out = [0]

            def collect() -> None:
                ref, docs = pending.popleft()
                out[0] += self._write(ray, ref, docs, writer, timer, done)

            source = load_docs(plan.source, writer, timer, plan.limit, plan.sample, plan.seed,
                               lambda: done(1))
            for i, docs in enumerate(chunks(source, plan.batch_size)):
                actor = actors[i % len(actors)]
                pending.append((actor.process.remote(docs, batch_state(writer.state, docs, names)),
                                docs))
                while pending and (len(pending) >= self.in_flight * len(actors)
                                   or not ray.wait([pending[0][0]], timeout=0)[1]):
                    collect()
            while pending:
                collect()
            return out[0]
        finally:
            if started:
                ray.shutdown()

    def _connect(self, ray: Any) -> bool:
        """Join or start Ray; True when this run started it (and stops it)."""
        if ray.is_initialized():
            return False
        kwargs: dict[str, Any] = {"address": self.address, "runtime_env": self.runtime_env,
                                  "include_dashboard": False, "logging_level": "warning"}
        if self.address is None:
            # Ray runs its workers at niceness 15; this run's own Ray is its only user, and
            # its actors do the work the local executor's processes do at niceness 0.
            kwargs.update(num_cpus=self.num_cpus, _system_config={"worker_niceness": 0})
        ray.init(**kwargs)
        return True

    def _start_actors(self, ray: Any, plan: RunPlan, fixed: bool) -> list[Any]:
        """The actors; ``fixed``: a Ray of this run only, which cannot grow to fit more."""
        resources = ray.cluster_resources()
        gpus = self._gpus_per_actor(plan.model_configs, resources.get("GPU", 0))
        fit = resources.get("CPU", 1) // max(self.num_cpus_per_actor, 1e-9)
        if gpus:
            fit = min(fit, resources.get("GPU", 0) // gpus)
        count = self.actors or max(1, int(fit))
        if fixed and count > fit:  # they would wait for resources forever
            raise ConfigError(f"executor.actors={count} do not fit a local Ray of "
                              f"{resources.get('CPU', 0):g} CPUs and {resources.get('GPU', 0):g} "
                              f"GPUs; set executor.num_cpus, or fewer actors")
        cache_dir = str(plan.cache.directory) if plan.cache is not None else None
        actor = ray.remote(BatchWorker).options(
            num_cpus=self.num_cpus_per_actor, num_gpus=gpus,
            max_restarts=self.max_retries, max_task_retries=self.max_retries)
        threads = max(1, int(self.num_cpus_per_actor))
        return [actor.remote(plan.model_configs, plan.metric_configs, cache_dir, threads)
                for _ in range(count)]

    def _gpus_per_actor(self, model_configs: list[Any], cluster_gpus: float) -> float:
        if self.num_gpus_per_actor != "auto":
            return float(self.num_gpus_per_actor)
        wants = any(str(m.get("device", "cpu")) != "cpu" for m in model_configs
                    if isinstance(m, dict) and "device" in m)
        return 1.0 if wants and cluster_gpus >= 1 else 0.0

    def _write(self, ray: Any, ref: Any, docs: list[RawDoc], writer: RunWriter, timer: Timer,
               done: Callable[[int], Any]) -> int:
        """Write a batch's rows into the run folder, in the order the actor made them."""
        try:
            with timer.stage("wait"):
                result: BatchResult = ray.get(ref)
        except ray.exceptions.RayTaskError as exc:
            if isinstance(exc.cause, ConfigError):
                raise exc.cause from None
            raise
        except ray.exceptions.RayActorError as exc:
            raise RuntimeError(
                f"a Ray actor died {self.max_retries + 1} times on the batch of "
                f"{docs[0].id} .. {docs[-1].id}; the rows before it are written, and "
                f"rerunning into the same folder resumes") from exc
        result.rows.replay(writer)
        for stage, seconds in result.seconds.items():
            timer.add(stage, seconds)
        done(len(docs))  # the documents that failed before any model count too
        return result.articles


def batch_state(state: RunState, docs: Sequence[RawDoc], models: Sequence[str]) -> RunState:
    """What ``state`` (the run folder) holds of ``docs``' articles: an actor's resume state."""
    ids = [d.id for d in docs]
    pairs = [(i, m) for i in ids for m in models]
    return RunState(articles={i for i in ids if i in state.articles},
                    summaries={k: state.summaries[k] for k in pairs if k in state.summaries},
                    scored={k for k in pairs if k in state.scored})
