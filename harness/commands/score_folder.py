"""``harness score IN -o DIR``: scored summaries written as a run folder.

The folder has the files of ``harness run`` (names in :mod:`harness.run_folder`,
formats in docs/results.md), so ``harness compare`` and ``harness report``
read it: one model per distinct ``model`` value of the input (``input`` for
rows without one), ``seconds`` null (nothing was generated here), and the
faithfulness evidence in each score row for the report's article explorer.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from harness.embed import Encoders
from harness.metrics.base import Metric, metric_declarations
from harness.results import run_metadata, write_tables
from harness.run_folder import CONFIG_YAML, RUN_JSON, RunState, RunWriter, has_rows
from harness.types import ErrorRow


def write_run_folder(out_dir: Path, metrics: Sequence[Metric], encoders: Encoders,
                     rows: list[tuple[str, Any]], args: argparse.Namespace,
                     metric_names: Sequence[str]) -> int:
    """Score ``rows`` into the run folder ``out_dir`` and print its short table."""
    from harness.commands.score import DEFAULT_MODEL, score_all, summarize_counts

    if out_dir.exists() and (not out_dir.is_dir() or has_rows(out_dir)):
        print(f"harness score: {out_dir} already holds rows (or is a file); give a new folder",
              file=sys.stderr)
        return 2
    writer = RunWriter(out_dir, RunState())
    models: list[str] = []
    seen: set[tuple[str, str]] = set()
    n_ok = n_bad = n_partial = 0
    try:
        for row, article, summary in score_all(metrics, encoders, rows, args.input,
                                               DEFAULT_MODEL):
            if article is None or summary is None:
                # An empty summary is its model's failure (a row of that model in
                # the table), not a drop; a malformed line belongs to no model.
                owner = row.get("model")
                writer.error(ErrorRow(row["id"], "load", row["error"], owner))
                if owner is not None and owner not in models:
                    models.append(owner)
                n_bad += 1
                continue
            model = str(row.get("model") or DEFAULT_MODEL)
            if (article.id, model) in seen:
                writer.error(ErrorRow(article.id, "load", f"duplicate id {article.id!r} for "
                                      f"model {model!r}: only the first row is used", model))
                n_bad += 1
                continue
            seen.add((article.id, model))
            if model not in models:
                models.append(model)
            _write_row(writer, row, article, summary, model)
            n_ok += bool(row["scores"])
            n_partial += "error" in row
    finally:
        writer.close()
    _write_record(out_dir, args, models, metrics, metric_names, n_ok, writer.error_count)
    summarize_counts(n_ok, n_bad, n_partial)
    if not n_ok:
        return 1
    print(write_tables(out_dir, seed=0, full=args.full))
    print(f"\nresults: {out_dir}")
    return 0


def _write_row(writer: RunWriter, row: dict[str, Any], article: Any, summary: str,
               model: str) -> None:
    """The article (once), the summary, the score row and the metric errors of one input row."""
    if article.id not in writer.state.articles:
        writer.write("articles", article.to_json())
        writer.state.articles.add(article.id)
    writer.write("summaries", {"article_id": article.id, "model": model, "summary": summary,
                               "seconds": None, "tokens": len(summary.split()),
                               "cached": False})
    score = {"article_id": article.id, "model": model, "scores": row["scores"]}
    if row.get("evidence"):
        score["evidence"] = row["evidence"]
    writer.write("scores", score)
    for message in row.get("error", "").split("; ") if row.get("error") else []:
        writer.error(ErrorRow(article.id, "score", message, model))


def _write_record(out_dir: Path, args: argparse.Namespace, models: list[str],
                  metrics: Sequence[Metric], metric_names: Sequence[str], articles: int,
                  errors: int) -> None:
    """``config.yaml`` (the command's inputs) and ``run.json``."""
    config = {"command": "harness score", "input": str(Path(args.input).resolve()),
              "metrics": list(metric_names)}
    (out_dir / CONFIG_YAML).write_text(yaml.safe_dump(config, sort_keys=False))
    record = {
        "experiment": f"score {Path(args.input).name}",
        "seed": 0,
        "models": models,
        "metrics": metric_declarations([type(m) for m in metrics]),
        "articles": articles,
        "errors": errors,
        "environment": run_metadata(),
    }
    (out_dir / RUN_JSON).write_text(json.dumps(record, indent=2, default=str) + "\n")
