"""Corpus-sized scoring through the ``datasets`` library (``map`` with ``num_proc``).

For scoring a large JSONL of existing summaries past what one process does in
time: ``datasets`` shards the rows over ``num_proc`` processes, each of which
builds the metrics once (on its first batch) and scores its rows in batches.
Rows that cannot be scored get an ``error`` and keep going.
"""

from __future__ import annotations

import json
from typing import Any

from harness.config import build
from harness.metrics.base import score_each
from harness.types import Article

_METRICS: dict[str, list[Any]] = {}


def _metrics_for(configs_json: str) -> list[Any]:
    # Built once per process, on first use (datasets forks the workers).
    if configs_json not in _METRICS:
        _METRICS[configs_json] = [build(c, "metric") for c in json.loads(configs_json)]
    return _METRICS[configs_json]


def _score_batch(batch: dict[str, list[Any]], configs_json: str) -> dict[str, list[Any]]:
    metrics = _metrics_for(configs_json)
    pairs = []
    for i in range(len(batch["id"])):
        paragraphs = tuple(p for p in str(batch["article"][i]).split("\n\n") if p.strip())
        article = Article(id=str(batch["id"][i]), headline=batch["headline"][i] or "",
                          lede=batch["lede"][i] or (paragraphs[0] if paragraphs else ""),
                          paragraphs=paragraphs)
        pairs.append((str(batch["summary"][i]), article))
    scores: list[dict[str, float]] = [{} for _ in pairs]
    errors: list[list[str]] = [[] for _ in pairs]
    # Errors stay with their row index: ids need not be unique in a dataset.
    for metric in metrics:
        for i, value in enumerate(score_each(metric, pairs)):
            if isinstance(value, Exception):
                errors[i].append(f"{type(metric).__name__}: {type(value).__name__}: {value}")
            else:
                scores[i].update(value)
    return {"scores": [json.dumps(s) for s in scores], "error": ["; ".join(e) for e in errors]}


def score_dataset(dataset: Any, metric_configs: list[Any], num_proc: int = 1,
                  batch_size: int = 64) -> Any:
    """Add ``scores`` (a JSON object string) and ``error`` columns to a dataset.

    Args:
        dataset: A ``datasets.Dataset`` with ``id``, ``article``, ``summary`` and
            ``headline``/``lede`` columns (empty strings where unknown).
        metric_configs: Metric config names or mappings with ``_target_``.
        num_proc: Processes for ``Dataset.map``.
        batch_size: Rows per batch handed to the metrics.

    """
    configs = [c if isinstance(c, str) else dict(c) for c in metric_configs]
    return dataset.map(_score_batch, batched=True, batch_size=batch_size, num_proc=num_proc,
                       fn_kwargs={"configs_json": json.dumps(configs)},
                       desc="scoring")
