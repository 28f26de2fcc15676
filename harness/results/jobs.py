"""The jobs of a run or sweep folder, and the label each (job, model) gets in tables.

A run folder is one job; a sweep folder (Hydra's multirun) holds one run folder
per job, with the job's overrides in ``<job>/.hydra/overrides.yaml``. When two
jobs share a model, its label is the model name with what of the job's
overrides concern it (:func:`assign_labels`). Read by :mod:`harness.results.runs`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from harness.run_folder import RUN_JSON, SCORES


class RunFolderError(Exception):
    """A run or sweep folder that cannot be read; the message names folder and file."""


@dataclass(frozen=True)
class Job:
    """One run folder; ``tag`` tells it apart from the other jobs of a sweep."""

    path: Path
    tag: str
    #: The Hydra overrides of a sweep job (``.hydra/overrides.yaml``); None for a plain run.
    overrides: tuple[str, ...] | None = None


def is_run_folder(path: Path) -> bool:
    """Tell whether ``path`` looks like one run (it has scores.jsonl or run.json)."""
    return (path / SCORES).is_file() or (path / RUN_JSON).is_file()


def find_jobs(path: Path) -> list[Job]:
    """Find the run folders under ``path``: itself, or the jobs of a Hydra sweep.

    Raises:
        RunFolderError: ``path`` is missing, or is neither a run nor a sweep.

    """
    if not path.is_dir():
        raise RunFolderError(f"{path}: run folder does not exist")
    if is_run_folder(path):
        return [Job(path, path.name)]
    # A job folder that Hydra made (.hydra/) but that holds no scores is kept,
    # so that the missing file is reported instead of the job silently dropped.
    subs = [
        p for p in path.iterdir() if p.is_dir() and (is_run_folder(p) or (p / ".hydra").is_dir())
    ]
    if not subs:
        raise RunFolderError(
            f"{path}: missing {SCORES} (not a run folder, and no run subfolders: not a sweep)"
        )
    subs.sort(key=lambda p: (0, int(p.name), "") if p.name.isdigit() else (1, 0, p.name))
    return [Job(p, _job_tag(p), _job_overrides(p)) for p in subs]


def _job_overrides(job_dir: Path) -> tuple[str, ...] | None:
    """The job's Hydra overrides, or None when Hydra recorded none."""
    overrides = job_dir / ".hydra" / "overrides.yaml"
    if not overrides.is_file():
        return None
    items = yaml.safe_load(overrides.read_text(encoding="utf-8")) or []
    return tuple(str(item) for item in items) if isinstance(items, list) else None


def _job_tag(job_dir: Path) -> str:
    """Join the job's Hydra overrides with spaces, or fall back to its folder name."""
    return " ".join(_job_overrides(job_dir) or ()) or job_dir.name


def _tag(job: Job, model: str, shared: frozenset[str] = frozenset()) -> str:
    """What of ``job``'s overrides concern ``model``: all but other models' settings.

    ``model.textrank.k=2`` changes textrank only, so lead3 of that job is not
    labelled with it; a top-level override (``limit``, ``models``, ``metric.*``)
    concerns every model. ``shared``: overrides every job of the sweep has
    (``models=[...]``, ``data.path=...``), which changed nothing between them.
    A job without recorded overrides keeps its tag.
    """
    if job.overrides is None:
        return job.tag
    return " ".join(o for o in job.overrides
                    if o not in shared and _override_model(o) in (None, model))


def shared_overrides(jobs: Iterable[Job]) -> dict[Path, frozenset[str]]:
    """Per sweep folder, the overrides that every one of its jobs has."""
    by_sweep: dict[Path, frozenset[str]] = {}
    for job in jobs:
        if job.overrides is None:
            continue
        mine = frozenset(job.overrides)
        sweep = job.path.parent
        by_sweep[sweep] = by_sweep[sweep] & mine if sweep in by_sweep else mine
    return by_sweep


def _override_model(override: str) -> str | None:
    """The model whose settings ``override`` sets (``model.NAME.KEY=...``), or None."""
    parts = override.lstrip("+~").partition("=")[0].split(".")
    return parts[1] if parts[0] == "model" and len(parts) > 1 else None


def assign_labels(pairs: Iterable[tuple[Job, str]]) -> dict[tuple[Job, str], str | None]:
    """Name each (job, model): the model name, plus what changed for it when models collide.

    What changed is the job's overrides that concern the model (:func:`_tag`),
    less those every job of its sweep has.
    A model that ran with the same overrides in several jobs of one sweep (textrank
    in a sweep over ``model.lead3.k``) ran the same way in each: it is read from the
    first of them, and the others map to None (left out). Jobs of different folders
    that share a tag are told apart by their paths.
    """
    jobs_of: dict[str, list[Job]] = {}
    for job, model in pairs:
        if job not in jobs_of.setdefault(model, []):
            jobs_of[model].append(job)
    shared = shared_overrides({job for jobs in jobs_of.values() for job in jobs})

    def model_tag(job: Job, model: str) -> str:
        return _tag(job, model, shared.get(job.path.parent, frozenset()))

    labels: dict[tuple[Job, str], str | None] = {}
    for model, jobs in jobs_of.items():
        first: dict[tuple[Path, str], Job] = {}
        for job in jobs:
            if job.overrides is not None:
                first.setdefault((job.path.parent, model_tag(job, model)), job)
        kept = [job for job in jobs if job.overrides is None
                or first[(job.path.parent, model_tag(job, model))] is job]
        tags = [model_tag(job, model) for job in kept]
        unique_tags = len(set(tags)) == len(tags)
        for job in jobs:
            if job not in kept:
                labels[(job, model)] = None
            elif len(kept) == 1 or (unique_tags and not model_tag(job, model)):
                labels[(job, model)] = model
            else:
                tag = model_tag(job, model)
                labels[(job, model)] = f"{model} [{tag if unique_tags else job.path}]"
    return labels
