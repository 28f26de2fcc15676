"""Read run folders and sweeps written by ``harness run`` into one in-memory view.

A *run folder* holds ``scores.jsonl``, ``summaries.jsonl``, ``articles.jsonl``,
``errors.jsonl`` and ``run.json`` (formats in DESIGN.md; the names live in
:mod:`harness.run_folder`). A *sweep folder* is
what Hydra's multirun writes: one run folder per job (``<sweep>/<job_num>/``),
with the job's overrides in ``<job>/.hydra/overrides.yaml`` (finding the jobs
and labelling them: :mod:`harness.results.jobs`). Both read into the
same :class:`Results`, keyed by ``(label, article_id)`` where ``label`` is the
model name, made unique with the job's overrides when two jobs share a model.

Rows are read in a stable order, whatever order the run wrote them in (worker
processes finish out of order, a resumed run appends): by model (in
``run.json``'s order) and article id. So every table and bootstrap interval
computed from them is the same for ``workers=1``, ``workers=2`` and a resumed
run. A folder without ``run.json`` (written last) is an interrupted run:
:class:`IncompleteRun` says so, unless the caller accepts its complete rows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.jsonl import MalformedLine, read_jsonl, torn_tail
from harness.results.jobs import (
    Job,
    RunFolderError,
    assign_labels,
    find_jobs,
)
from harness.run_folder import (
    ARTICLES,
    ERRORS,
    FINGERPRINT,
    ROW_FILES,
    RUN_JSON,
    SCORES,
    SUMMARIES,
    WARNINGS,
    has_rows,
)
from harness.text import NOT_ENGLISH_PREFIX

# Files each consumer needs. errors.jsonl is optional everywhere: a run that
# recorded no error may leave it out, and its absence then means zero errors.
COMPARE_FILES = (SCORES, RUN_JSON)
TABLE_FILES = (SCORES, SUMMARIES, RUN_JSON)
REPORT_FILES = (SCORES, SUMMARIES, ARTICLES, RUN_JSON)


class IncompleteRun(RunFolderError):
    """A run folder without ``run.json``: interrupted (or still running); one-line message."""


@dataclass(frozen=True)
class MetricSpec:
    """The declaration of one metric key, as written in ``run.json["metrics"]``.

    ``higher_is_better`` is ``None`` when no run declared the key (it is then
    shown without a direction and never counts as a regression).
    """

    key: str
    low: float = -math.inf
    high: float = math.inf
    higher_is_better: bool | None = None
    #: Whether a run.json declared the key (``None`` then means a style figure).
    declared: bool = False

    @property
    def span(self) -> float | None:
        """Width of the declared range, or ``None`` when it is unbounded."""
        if math.isfinite(self.low) and math.isfinite(self.high) and self.high > self.low:
            return self.high - self.low
        return None


@dataclass
class Results:
    """Everything the tables, comparisons and report need, from one or more runs."""

    source: str
    metrics: dict[str, MetricSpec]
    labels: list[str]
    scores: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    summaries: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    seed: int | None = None
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Per (label, article) the metrics' evidence (score rows that carry it; report only).
    evidence: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: One line per incomplete run read anyway (``allow_incomplete``).
    incomplete: list[str] = field(default_factory=list)
    #: Ids of the articles mostly in a script other than Latin (their ``warnings.jsonl``
    #: rows): English-only metrics (faithfulness) read them as they would not read English.
    not_english: set[str] = field(default_factory=set)

    def article_ids(self, label: str) -> list[str]:
        """Ids of the articles that ``label`` has a score row for, in file order."""
        return [aid for (lab, aid) in self.scores if lab == label]

    def values(self, label: str, key: str, ids: Sequence[str]) -> list[float]:
        """Return the ``key`` score of ``label`` on each of ``ids`` (NaN where absent)."""
        return [float(self.scores[(label, aid)].get(key, math.nan)) for aid in ids]


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines file (:func:`harness.jsonl.read_jsonl`: a torn last line skipped).

    Raises:
        RunFolderError: a complete line is malformed (naming file and line).

    """
    try:
        return list(read_jsonl(path))
    except MalformedLine as exc:
        raise RunFolderError(str(exc)) from exc


def read_json(path: Path) -> dict[str, Any]:
    """Read a JSON object file, naming the file when it is malformed."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RunFolderError(f"{path}: not valid JSON ({exc.msg})") from exc


def check_files(job: Job, needed: Iterable[str]) -> None:
    """Raise naming the run folder and the first missing file."""
    for name in needed:
        if not (job.path / name).is_file():
            raise RunFolderError(f"{job.path}: missing {name}")


def incomplete(path: Path) -> str | None:
    """One line saying that ``path`` is an interrupted run and how many rows it has, or None.

    A run writes ``run.json`` last, so a folder with rows (or a fingerprint) and
    without it was interrupted, or is still running (its lock names a live PID).
    """
    from harness.run_lock import alive, holder

    if (path / RUN_JSON).is_file() or not (has_rows(path) or (path / FINGERPRINT).is_file()):
        return None
    rows = len(read_rows(path / SCORES))
    torn = [name for name in ROW_FILES.values() if torn_tail(path / name)]
    running = holder(path)
    state = (f"still running (PID {running['pid']})" if running and alive(running)
             else "interrupted")
    return (f"{path}: incomplete run ({state}): {rows} score rows, no {RUN_JSON}"
            + (f", a torn last line in {', '.join(torn)}" if torn else ""))


def _check_complete(job: Job, allow: bool, notes: list[str]) -> None:
    """Refuse an incomplete run in one line, or (``allow``) note that its rows are used."""
    note = incomplete(job.path)
    if note is None:
        return
    if not allow:
        raise IncompleteRun(f"{note}; rerun the same command to resume it, or pass "
                            "--allow-incomplete to use the rows it has")
    notes.append(f"{note}; using its complete rows")


def parse_metrics(declared: dict[str, Any], into: dict[str, MetricSpec]) -> None:
    """Add ``run.json["metrics"]`` entries to ``into`` (the first declaration wins)."""
    for key, spec in declared.items():
        if key in into:
            continue
        low, high = spec.get("low"), spec.get("high")
        hib = spec.get("higher_is_better")
        into[key] = MetricSpec(
            key=key,
            low=-math.inf if low is None else float(low),
            high=math.inf if high is None else float(high),
            higher_is_better=None if hib is None else bool(hib),
            declared=True,
        )


def load_results(paths: Sequence[Path], needed: Sequence[str],
                 allow_incomplete: bool = False) -> Results:
    """Read runs and sweeps into one :class:`Results`.

    Args:
        paths: run folders or sweep folders; all their jobs are pooled.
        needed: files every job must have (e.g. :data:`TABLE_FILES`).
        allow_incomplete: read an interrupted run's complete rows (its metric
            declarations from ``fingerprint.json``) instead of refusing it.

    Raises:
        IncompleteRun: a job has no ``run.json`` (and ``allow_incomplete`` is false).
        RunFolderError: a folder or a needed file is missing or malformed.

    """
    jobs = [job for path in paths for job in find_jobs(Path(path))]
    notes: list[str] = []
    for job in jobs:
        _check_complete(job, allow_incomplete, notes)
        check_files(job, [n for n in needed if n != RUN_JSON or not allow_incomplete])
    per_job = [(job, _sorted_rows(job, read_rows(job.path / SCORES))) for job in jobs]
    # A model the run ran but never scored (every summary empty or failed) keeps
    # its row in the tables, with its errors, after the scored ones.
    unscored = [(job, m) for job in jobs for m in _run_models(job)]
    label_of = assign_labels([(job, row["model"]) for job, rows in per_job for row in rows]
                             + unscored)
    results = Results(source=", ".join(str(p) for p in paths), metrics={}, labels=[],
                      incomplete=notes)
    for job, rows in per_job:
        _add_job(results, job, rows, label_of, needed)
    for pair in unscored:
        if label_of[pair] is not None and label_of[pair] not in results.labels:
            results.labels.append(label_of[pair])
    for key in _score_keys(results):
        results.metrics.setdefault(key, MetricSpec(key))
    _drop_unscored_optional(results)
    results.metrics = _ordered(results.metrics)
    return results


def _run_models(job: Job) -> list[str]:
    """The models ``run.json`` says the job ran (none when it has no run.json)."""
    path = job.path / RUN_JSON
    models = read_json(path).get("models", []) if path.is_file() else []
    return [str(m) for m in models] if isinstance(models, list) else []


def _sorted_rows(job: Job, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows by model (``run.json``'s order, then by name), then article id (a stable sort)."""
    order: list[str] = []
    if (job.path / RUN_JSON).is_file():
        order = [str(m) for m in read_json(job.path / RUN_JSON).get("models", [])]
    rank = {model: i for i, model in enumerate(order)}

    def key(row: dict[str, Any]) -> tuple[int, str, str]:
        model = str(row.get("model"))
        return rank.get(model, len(rank)), model, str(row.get("article_id", row.get("id")))

    return sorted(rows, key=key)


def _declarations(job: Job) -> dict[str, Any]:
    """``run.json``, or for an incomplete run the metric declarations its fingerprint implies."""
    if (job.path / RUN_JSON).is_file():
        return read_json(job.path / RUN_JSON)
    if not (job.path / FINGERPRINT).is_file():
        return {}
    import importlib

    from harness.metrics.base import metric_declarations

    classes = []
    for target in read_json(job.path / FINGERPRINT).get("metrics", {}):
        module, _, name = str(target).rpartition(".")
        try:
            classes.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue  # a metric of another harness version: its keys get no declaration
    return {"metrics": metric_declarations(classes)}


def _drop_unscored_optional(results: Results) -> None:
    """Leave out optional keys (reference ROUGE) that no row of any run carries."""
    seen = set(_score_keys(results))
    for run in results.runs.values():
        for key, spec in run.get("metrics", {}).items():
            if isinstance(spec, dict) and spec.get("optional") and key not in seen:
                results.metrics.pop(key, None)


def _add_job(
    results: Results,
    job: Job,
    score_rows: list[dict[str, Any]],
    label_of: dict[tuple[Job, str], str | None],
    needed: Sequence[str],
) -> None:
    """Merge one job's files into ``results`` (not the rows of models labelled None)."""
    run = _declarations(job)
    results.runs[str(job.path)] = {**run, "tag": job.tag}
    parse_metrics(run.get("metrics", {}), results.metrics)
    if results.seed is None and "seed" in run:
        results.seed = int(run["seed"])
    for row in score_rows:
        label = label_of[(job, row["model"])]
        if label is None:
            continue
        if label not in results.labels:
            results.labels.append(label)
        results.scores[(label, str(row["article_id"]))] = dict(row.get("scores", {}))
        if row.get("evidence") and ARTICLES in needed:
            results.evidence[(label, str(row["article_id"]))] = row["evidence"]
    if SUMMARIES in needed:
        for row in _sorted_rows(job, read_rows(job.path / SUMMARIES)):
            label = label_of.get((job, row["model"]), row["model"])
            if label is None:
                continue
            results.summaries[(label, str(row["article_id"]))] = row
    if ARTICLES in needed:
        for row in sorted(read_rows(job.path / ARTICLES), key=lambda r: str(r["id"])):
            results.articles.setdefault(str(row["id"]), row)
    if (job.path / WARNINGS).is_file():
        results.not_english.update(
            str(row.get("id")) for row in read_rows(job.path / WARNINGS)
            if str(row.get("warning", "")).startswith(NOT_ENGLISH_PREFIX))
    if (job.path / ERRORS).is_file():
        errors = read_rows(job.path / ERRORS)
        for row in sorted(errors, key=lambda r: (str(r.get("id")), str(r.get("stage")),
                                                 str(r.get("model")), str(r.get("error")))):
            model = row.get("model")
            if model is not None and (job, model) in label_of and label_of[(job, model)] is None:
                continue  # the model's rows come from an earlier job of the sweep
            label = None if model is None else label_of.get((job, model), model)
            results.errors.append({**row, "label": label, "job": str(job.path)})


def _score_keys(results: Results) -> list[str]:
    """Every score key seen, in first-seen order."""
    seen: dict[str, None] = {}
    for scores in results.scores.values():
        for key in scores:
            seen.setdefault(key, None)
    return list(seen)


# The two composite scores of DESIGN.md lead every table.
HEADLINE_KEYS = ("faithfulness", "coverage")


def _ordered(metrics: dict[str, MetricSpec]) -> dict[str, MetricSpec]:
    """Composite scores first, then the declaration order."""
    first = [k for k in HEADLINE_KEYS if k in metrics]
    return {k: metrics[k] for k in first + [k for k in metrics if k not in first]}
