"""The one interface for "where the work of a run happens", and the plan every executor takes.

An :class:`Executor` is handed a :class:`RunPlan` and the run's row sink,
timer and progress, and cleans, summarizes and scores every document of the
plan into the run folder; :func:`harness.pipeline.run` calls it and knows no
more of it. Behind it: :class:`harness.executors.local.LocalExecutor` (this
process, metrics optionally in worker processes) and
:class:`harness.executors.ray_actors.RayExecutor` (Ray actors). Hydra's
launchers (``hydra/plugins/launcher.py``: one ``launch`` method, local, joblib,
submitit and Ray behind it) have the same shape one level up, for sweeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from harness.embed import Encoders
from harness.executors.steps import Timer
from harness.metrics.base import Metric
from harness.models.base import Summarizer
from harness.models.cache import GenerationCache
from harness.progress import EVERY_S, Progress
from harness.run_folder import RunWriter
from harness.types import ErrorRow, RawDoc


@runtime_checkable
class Executor(Protocol):
    """Runs the stages of a run (``executor=`` in the config: ``configs/executor/*.yaml``)."""

    @property
    def remote(self) -> bool:
        """True when the models and metrics are built where the work runs, from their configs.

        The run then builds neither in this process: it only checks the
        metrics' configs (so a bad one exits 2 at once) and hands over
        ``RunPlan.model_configs`` and ``metric_configs``.
        """
        ...

    def run(self, plan: RunPlan, writer: RunWriter, timer: Timer, progress: Progress) -> int:
        """Clean, summarize and score every document of ``plan`` into ``writer``.

        Returns the number of articles cleaned. ``progress`` is told each
        summary once it is scored or failed; ``timer`` gets each stage's seconds.
        """
        ...


@dataclass
class RunPlan:
    """Everything a run needs, already built (sources, models, metrics), and where it runs."""

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
    #: Where the stages run; None: :class:`harness.executors.local.LocalExecutor`. A
    #: ``remote`` executor builds the models and metrics from ``model_configs`` and
    #: ``metric_configs`` where it runs them.
    executor: Executor | None = None
    model_configs: list[Any] = field(default_factory=list)
