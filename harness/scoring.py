"""Scoring: every metric on every (summary, article) pair, the one loop for all callers.

``harness run`` (:mod:`harness.pipeline`, in this process or in metric
workers), ``harness score`` (:mod:`harness.input_rows`) and corpus-sized
scoring through ``datasets`` (:mod:`harness.scale`) all score with
:func:`score_pairs`. Each metric gets the whole batch at once (so an article's
sentences are embedded once) and returns per pair its values or its exception
(``Metric.score_each``), so a bad pair costs only its own values. Values are
always checked against the metric's declared keys and ranges (``Metric.KEYS``).
A failure is recorded for its pair as ``"<Metric>: <Exception>: <message>"``
and the other metrics still score it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.embed import Encoders
from harness.metrics.base import Metric, check_keys
from harness.types import Article, ErrorRow, ScoreRow


@dataclass
class PairScores:
    """The values of one pair, the errors of the metrics that failed on it, and evidence."""

    scores: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    #: Per metric that explains itself (``explain=True`` only): its evidence.
    evidence: dict[str, Any] = field(default_factory=dict)


def score_pairs(metrics: Sequence[Metric], pairs: Sequence[tuple[str, Article]],
                explain: bool = False) -> list[PairScores]:
    """Score every ``(summary, article)`` pair with every metric, in order.

    Args:
        metrics: Built metrics.
        pairs: ``(summary, article)`` pairs; those of many models may share articles.
        explain: Also ask each metric with an ``explain`` method for its evidence.

    Returns:
        One :class:`PairScores` per pair, in the order of ``pairs``.

    """
    out = [PairScores() for _ in pairs]
    for metric in metrics:
        for (summary, article), result, value in zip(pairs, out, score_each(metric, pairs),
                                                     strict=True):
            if isinstance(value, Exception):
                result.errors.append(error_message(metric, value))
                continue
            result.scores.update(value)
            if explain and hasattr(metric, "explain"):
                result.evidence[type(metric).__name__.lower()] = metric.explain(summary, article)
    return out


def error_message(metric: Metric, exc: Exception) -> str:
    """How a metric's failure on one pair is recorded."""
    return f"{type(metric).__name__}: {type(exc).__name__}: {exc}"


def score_each(metric: Metric, pairs: Sequence[tuple[str, Article]]
               ) -> list[dict[str, float] | Exception]:
    """Checked values per pair, or the exception for each pair the metric could not score.

    One ``metric.score_each`` call (per pair, values or that pair's exception);
    values that do not match the declaration are that pair's ``ValueError``.
    """
    try:
        outcomes = list(metric.score_each(pairs))
        if len(outcomes) != len(pairs):
            raise ValueError(f"{type(metric).__name__}: returned {len(outcomes)} results "
                             f"for {len(pairs)} pairs")
    except Exception as exc:  # noqa: BLE001 - recorded for each pair; the others' metrics go on
        return [exc] * len(pairs)
    return [value if isinstance(value, Exception) else _checked(metric, value)
            for value in outcomes]


def _checked(metric: Metric, value: dict[str, float]) -> dict[str, float] | Exception:
    try:
        check_keys(metric, value)
    except Exception as exc:  # noqa: BLE001 - the pair's error
        return exc
    return value


def score_rows(metrics: Sequence[Metric], items: Sequence[tuple[Article, str, str]]
               ) -> tuple[list[ScoreRow], list[ErrorRow]]:
    """The ``scores.jsonl`` rows and ``errors.jsonl`` rows of (article, summary, model) items.

    Every item gets its score row, with the values of the metrics that scored it
    and the evidence of those that explain themselves.
    """
    # Evidence is cheap here: faithfulness keeps the sentence checks of the chunk.
    scored = score_pairs(metrics, [(summary, article) for article, summary, _ in items],
                         explain=True)
    rows, errors = [], []
    for (article, _, model), result in zip(items, scored, strict=True):
        rows.append(ScoreRow(article.id, model, result.scores, result.evidence))
        errors += [ErrorRow(article.id, "score", error, model=model) for error in result.errors]
    return rows, errors


def forget(metrics: Sequence[Metric], encoders: Encoders | None) -> None:
    """End the caches of the articles scored so far: each metric's, and the shared encoders'.

    Called by whoever built the metrics (the run, a worker, ``harness score``,
    a ``datasets`` process) after each chunk, so memory stays bounded by one chunk.
    """
    for metric in metrics:
        metric.reset()
    if encoders is not None:
        encoders.clear()
