"""``harness score IN -o DIR``: scored summaries written as a run folder.

The folder has the files of ``harness run`` (names in :mod:`harness.run_folder`,
formats in docs/results.md), so ``harness compare`` and ``harness report``
read it: one model per distinct ``model`` value of the input (``input`` for
rows without one), ``seconds`` null (nothing was generated here), and the
faithfulness evidence in each score row for the report's article explorer.

Like ``harness run``, it holds the folder's lock while it writes
(:mod:`harness.run_lock`) and records a fingerprint (the input's path and
bytes, the metrics' configs, the versions), so the same command rerun into
an interrupted folder resumes it: the rows already scored are kept, the rest
scored. A complete folder, or one made another way, is refused untouched.
"""

from __future__ import annotations

import errno
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from harness.commands.outcome import nothing_done
from harness.embed import Encoders
from harness.input_rows import DEFAULT_MODEL, counts_line, row_count, score_all
from harness.jsonl import read_jsonl
from harness.metrics.base import Metric, metric_declarations
from harness.results import write_tables
from harness.results.runs import incomplete
from harness.run_folder import (
    SUMMARIES,
    FingerprintMismatch,
    RunState,
    RunWriter,
    check_folder,
    fingerprint,
    has_rows,
    prepare_folder,
    write_record,
)
from harness.run_lock import FolderLock, FolderLocked
from harness.types import ErrorRow, ScoreRow, Summary


def write_run_folder(out_dir: Path, metrics: Sequence[Metric], encoders: Encoders,
                     rows: list[tuple[str, Any]], input_path: Path,
                     metric_names: Sequence[str], full: bool = False,
                     done: Callable[[int], object] = lambda n: None) -> int:
    """Score ``rows`` into the run folder ``out_dir`` (resuming it) and print its short table.

    Args:
        out_dir: The run folder (made, or resumed when this command began it).
        metrics: Built metrics, sharing ``encoders``.
        encoders: The sentence encoders of ``metrics``, cleared after each chunk.
        rows: ``(where, JSON line)`` per input row (:func:`harness.input_rows.read_input`).
        input_path: The input file: its bytes are part of the folder's fingerprint.
        metric_names: The metrics' config names, recorded in ``config.yaml``.
        full: Print the full table and the paired table, not the short one.
        done: Told the rows of each chunk once scored (progress); rows an
            interrupted run scored count at once.

    Returns:
        The exit status: 0, 1 when no row was scored, 2 for a refused folder.

    """
    record = score_fingerprint(input_path, metric_names)
    refusal = _refusal(out_dir, record)
    if refusal:
        print(f"harness score: {refusal}", file=sys.stderr)
        return 2
    lock = FolderLock(out_dir)
    try:
        lock.acquire()
        prepare_folder(out_dir, record)
        return _score_into(out_dir, metrics, encoders, rows, input_path, metric_names,
                           full, done)
    except (FolderLocked, FingerprintMismatch) as exc:
        print(f"harness score: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        print(f"harness score: no space left on the device of {out_dir} ({exc.strerror}); "
              "free some and rerun the same command to resume", file=sys.stderr)
        return 2
    finally:
        lock.release()


def score_fingerprint(path: Path, metric_names: Sequence[str]) -> dict[str, Any]:
    """What defines the rows of ``harness score -o DIR``: the input's bytes, the metrics."""
    from omegaconf import OmegaConf

    from harness.config import resolve_plugin

    configs = [OmegaConf.to_container(resolve_plugin(name, "metric"), resolve=True)
               for name in metric_names]
    data = {"command": "harness score", "input": str(path.resolve()),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    return fingerprint(data=data, limit=None, sample=None, models={},
                       metrics={str(c.get("_target_")): c for c in configs})


def _refusal(out_dir: Path, record: dict[str, Any]) -> str | None:
    """Why ``out_dir`` cannot take this command's rows (read only), or None."""
    if out_dir.exists() and not out_dir.is_dir():
        return f"{out_dir} is a file; give a folder"
    if not out_dir.is_dir() or not has_rows(out_dir):
        return None
    note = incomplete(out_dir)
    if note is None:
        return f"{out_dir} already holds a complete run; give a new folder"
    try:
        check_folder(out_dir, record)
    except FingerprintMismatch:
        return (f"{note}, made by another command; rerun that command to resume it, "
                "or give a new folder")
    return None


def _score_into(out_dir: Path, metrics: Sequence[Metric], encoders: Encoders,
                rows: list[tuple[str, str]], input_path: Path,
                metric_names: Sequence[str], full: bool,
                done: Callable[[int], object] = lambda n: None) -> int:
    """Score the rows the folder lacks, write the record and the tables."""
    state = RunState.read(out_dir)
    models = list(dict.fromkeys(str(r["model"]) for r in read_jsonl(out_dir / SUMMARIES)))
    if state.scored:
        print(f"harness score: resuming {out_dir}: kept {len(state.scored)} score rows",
              file=sys.stderr)
    todo = _not_scored(rows, state.scored, DEFAULT_MODEL)
    done(row_count(rows) - row_count(todo))
    writer = RunWriter(out_dir, state)
    seen: set[tuple[str, str]] = set(state.scored)
    n_ok, n_bad, n_partial = len(state.scored), 0, 0
    failed: list[str] = []
    try:
        for row, article, summary in score_all(metrics, encoders, todo, DEFAULT_MODEL, done):
            if article is None or summary is None:
                # An empty summary is its model's failure (a row of that model in
                # the table), not a drop; a malformed line belongs to no model.
                owner = row.get("model")
                writer.error(ErrorRow(row["id"], "load", row["error"], owner))
                if owner is not None and owner not in models:
                    models.append(owner)
                n_bad += 1
                failed.append(row["error"])
                continue
            model = str(row.get("model") or DEFAULT_MODEL)
            if (article.id, model) in seen:
                duplicate = (f"duplicate id {article.id!r} for model {model!r}: only the first "
                             "row is used")
                writer.error(ErrorRow(article.id, "load", duplicate, model))
                n_bad += 1
                failed.append(duplicate)
                continue
            seen.add((article.id, model))
            if model not in models:
                models.append(model)
            _write_row(writer, row, article, summary, model)
            n_ok += bool(row["scores"])
            n_bad += not row["scores"]  # every metric failed on it
            n_partial += bool(row["scores"]) and "error" in row
            if not row["scores"]:
                failed.append(str(row.get("error", "")))
    finally:
        writer.close()
    _write_record(out_dir, input_path, models, metrics, metric_names, n_ok, writer.error_count)
    print(f"harness score: {counts_line(n_ok, n_bad, n_partial)}", file=sys.stderr)
    # The table also when nothing was scored: each model's row says what failed.
    print(write_tables(out_dir, seed=0, full=full))
    print(f"\nresults: {out_dir}")
    if not n_ok:
        print(f"harness score: {nothing_done('scored', failed)}", file=sys.stderr)
        return 1
    return 0


def _not_scored(rows: list[tuple[str, str]], scored: set[tuple[str, str]],
                default_model: str) -> list[tuple[str, str]]:
    """``rows`` without the first row of each (id, model) already scored.

    Later rows with the same key are duplicates, recorded as such again.
    """
    if not scored:
        return rows
    kept, skipped = [], set()
    for where, line in rows:
        try:
            row = json.loads(line)
            key = (str(row["id"]), str(row.get("model") or default_model))
        except (ValueError, KeyError, TypeError):
            key = None
        if key in scored and key not in skipped:
            skipped.add(key)
            continue
        kept.append((where, line))
    return kept


def _write_row(writer: RunWriter, row: dict[str, Any], article: Any, summary: str,
               model: str) -> None:
    """The article (once), the summary, the score row and the metric errors of one input row."""
    writer.article(article, row.get("warnings", ()))
    # Given, not generated here: no time, and no timing to name.
    writer.summary(Summary(article.id, model, summary, seconds=None,
                           tokens=len(summary.split()), cached=False, timing=None))
    writer.score(ScoreRow(article.id, model, row["scores"], row.get("evidence") or {}))
    for message in row.get("error", "").split("; ") if row.get("error") else []:
        writer.error(ErrorRow(article.id, "score", message, model))


def _write_record(out_dir: Path, input_path: Path, models: list[str],
                  metrics: Sequence[Metric], metric_names: Sequence[str], articles: int,
                  errors: int) -> None:
    """``config.yaml`` (the command's inputs) and ``run.json``."""
    config = {"command": "harness score", "input": str(input_path.resolve()),
              "metrics": list(metric_names)}
    write_record(out_dir, yaml.safe_dump(config, sort_keys=False),
                 experiment=f"score {input_path.name}", seed=0, models=models,
                 metrics=metric_declarations([type(m) for m in metrics]),
                 counts={"articles": articles, "errors": errors})
