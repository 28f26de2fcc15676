"""The main job: load → clean → summarize → score → write, streamed in chunks.

Articles flow through in chunks of ``batch_size`` so memory stays flat in the
number of articles; every row is appended to its JSONL file as soon as it
exists. A rerun into the same folder (after a crash or ``kill -9``) reads what
is there (:mod:`harness.run_folder`) and does only what is missing, so it ends
with the rows of an uninterrupted run. Where the stages run is the plan's
executor (:mod:`harness.executors`: this process, worker processes for the
metrics, or Ray actors); this module opens the run folder, counts the work for
the progress line, and hands both to it. Library code only: no Hydra, paths
come from the caller.
"""

from __future__ import annotations

from typing import Any

from harness.executors.base import RunPlan
from harness.executors.local import LocalExecutor
from harness.executors.steps import Timer, length
from harness.progress import Progress
from harness.run_folder import RunState, RunWriter

__all__ = ["RunPlan", "run"]


def run(plan: RunPlan) -> dict[str, Any]:
    """Run the pipeline into ``plan.out_dir`` with ``plan.executor``; returns counts and timings."""
    writer = RunWriter(plan.out_dir, RunState.read(plan.out_dir))
    timer = Timer()
    progress = Progress("harness run", summaries_to_make(plan), "summary",
                        "auto" if plan.progress else "off", every=plan.progress_every)
    executor = plan.executor if plan.executor is not None else LocalExecutor()
    try:
        n_articles = executor.run(plan, writer, timer, progress)
    finally:
        progress.close()
        writer.close()
    return {"articles": n_articles, "errors": writer.error_count,
            "timings": {k: round(v, 3) for k, v in timer.seconds.items()}}


def summaries_to_make(plan: RunPlan) -> int | None:
    """The run's total for the progress line: documents (after sample and limit) times models.

    An input that fails before any model counts as its models' summaries, so the
    count ends at the total. None for a source without a length and no limit.
    """
    total = length(plan.source)
    if plan.sample is not None and total is not None:
        total = min(total, plan.sample)
    if plan.limit is not None:
        total = min(total, plan.limit) if total is not None else plan.limit
    return None if total is None else total * len(plan.models)
