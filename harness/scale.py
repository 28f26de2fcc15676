"""Corpus-sized scoring through the ``datasets`` library (``map`` with ``num_proc``).

For scoring a large JSONL of existing summaries past what one process does in
time: ``datasets`` shards the rows over ``num_proc`` processes, each of which
builds the metrics once (on its first batch) and scores its rows in batches.
Rows that cannot be scored get an ``error`` and keep going.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from harness.clean import to_article
from harness.config import build
from harness.embed import Encoders
from harness.scoring import forget, score_pairs

_COLUMNS = ("id", "article", "summary", "headline", "lede")

# Metrics (and the encoders they share) per metric configs, built once per
# process on first use: datasets forks the workers, and a function it maps
# cannot carry built metrics across processes any other way.
@functools.cache
def _metrics_for(configs_json: str) -> tuple[list[Any], Encoders]:
    encoders = Encoders()
    return [build(c, "metric", encoders=encoders) for c in json.loads(configs_json)], encoders


def _score_batch(batch: dict[str, list[Any]], configs_json: str) -> dict[str, list[Any]]:
    metrics, encoders = _metrics_for(configs_json)
    n = len(batch["id"])
    scores: list[dict[str, float]] = [{} for _ in range(n)]
    # Errors stay with their row index: ids need not be unique in a dataset.
    errors: list[list[str]] = [[] for _ in range(n)]
    pairs, where = [], []
    for i in range(n):
        row = {name: batch[name][i] if name in batch else "" for name in _COLUMNS}
        try:
            # As `harness score` reads a row: headline and lede kept when given,
            # else found by the cleaner.
            article = to_article({**row, "id": str(row["id"]), "article": str(row["article"])})
        except Exception as exc:  # noqa: BLE001 - recorded for this row, the rest go on
            errors[i].append(f"article: {type(exc).__name__}: {exc}")
            continue
        pairs.append((str(row["summary"]), article))
        where.append(i)
    for i, result in zip(where, score_pairs(metrics, pairs), strict=True):
        scores[i] = result.scores
        errors[i] += result.errors
    forget(metrics, encoders)  # caches stay bounded by one batch
    return {"scores": [json.dumps(s) for s in scores], "error": ["; ".join(e) for e in errors]}


def score_dataset(dataset: Any, metric_configs: list[Any], num_proc: int = 1,
                  batch_size: int = 64) -> Any:
    """Add ``scores`` (a JSON object string) and ``error`` columns to a dataset.

    Args:
        dataset: A ``datasets.Dataset`` with ``id``, ``article`` and ``summary``
            columns, and optionally ``headline``/``lede`` (missing or empty: the
            cleaner finds them in the article, as ``harness score`` does).
        metric_configs: Metric config names or mappings with ``_target_``.
        num_proc: Processes for ``Dataset.map``.
        batch_size: Rows per batch handed to the metrics.

    """
    configs = [c if isinstance(c, str) else dict(c) for c in metric_configs]
    return dataset.map(_score_batch, batched=True, batch_size=batch_size, num_proc=num_proc,
                       fn_kwargs={"configs_json": json.dumps(configs)},
                       desc="scoring")
