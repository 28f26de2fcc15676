"""Compare two runs (or sweeps) row by row: the logic behind ``harness compare``.

Rows are matched by (model label, article id). For each shared model and each
metric both runs declare, the difference ``B - A`` over the shared articles
gets a paired bootstrap interval (:mod:`harness.results.stats`).

A *regression* is a higher-is-better metric whose whole interval lies below
``-tolerance`` (the tolerance is a share of the metric's declared range, or an
absolute amount for an unbounded metric): the drop exceeds the tolerance even
at the optimistic end of the noise. ``exact_mismatches`` is the stricter check
of the regression baseline: any shared value that moved by more than ``atol``,
and any row that only one run has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from harness.results.runs import MetricSpec, Results, RunFolderError
from harness.results.stats import MIN_ARTICLES, Interval, cell_rng, paired_difference, verdict

# 2% of a metric's declared range (0.02 on the [0, 1] composites). The
# interval already absorbs sampling noise; the tolerance only keeps drops too
# small to act on from failing a build. Documented in docs/results.md.
DEFAULT_TOLERANCE = 0.02


@dataclass(frozen=True)
class Change:
    """One model's change on one metric, from run A to run B."""

    label: str
    spec: MetricSpec
    mean_a: float
    mean_b: float
    diff: Interval
    mark: str
    regression: bool


@dataclass
class Comparison:
    """All changes, plus what only one side has."""

    changes: list[Change] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    unmatched_rows: int = 0

    @property
    def unchecked(self) -> list[Change]:
        """Changes resting on one shared article: their interval is the point itself."""
        return [c for c in self.changes if c.diff.n < MIN_ARTICLES]

    @property
    def regressions(self) -> list[Change]:
        """The changes that fail the comparison."""
        return [c for c in self.changes if c.regression]


def shared_metrics(a: Results, b: Results) -> dict[str, MetricSpec]:
    """Metrics both runs have, with the direction both declare.

    A key declared by one run only takes that declaration. When both declare it
    with different directions (a metric made a style figure since the baseline,
    like ``compression``), it has no direction: it is shown, never a regression.
    """
    specs = {}
    for key, spec in a.metrics.items():
        if key not in b.metrics:
            continue
        other = b.metrics[key]
        if not spec.declared:
            specs[key] = other
        elif other.declared and other.higher_is_better != spec.higher_is_better:
            specs[key] = replace(spec, higher_is_better=None)
        else:
            specs[key] = spec
    return specs


def check_overlap(a: Results, b: Results, name_a: str, name_b: str) -> None:
    """Raise when the runs share no (model, article) row or no metric."""
    if not set(a.scores) & set(b.scores):
        raise RunFolderError(
            f"{name_a} and {name_b} share no (model, article) rows: "
            f"{name_a} has models {a.labels} on {len({k[1] for k in a.scores})} articles, "
            f"{name_b} has models {b.labels} on {len({k[1] for k in b.scores})} articles"
        )
    if not shared_metrics(a, b):
        raise RunFolderError(
            f"{name_a} and {name_b} share no metric: {sorted(a.metrics)} vs {sorted(b.metrics)}"
        )


def compare(a: Results, b: Results, seed: int, tolerance: float) -> Comparison:
    """Paired differences of every shared model on every shared metric."""
    out = Comparison(
        only_a=[lab for lab in a.labels if lab not in b.labels],
        only_b=[lab for lab in b.labels if lab not in a.labels],
        unmatched_rows=len(set(a.scores) ^ set(b.scores)),
    )
    specs = shared_metrics(a, b)
    for label in (lab for lab in a.labels if lab in b.labels):
        ids = [aid for aid in a.article_ids(label) if (label, aid) in b.scores]
        for key, spec in specs.items():
            va, vb = a.values(label, key, ids), b.values(label, key, ids)
            diff = paired_difference(va, vb, cell_rng(seed, label, key))
            out.changes.append(
                Change(
                    label,
                    spec,
                    _nanmean(va),
                    _nanmean(vb),
                    diff,
                    verdict(diff, spec.higher_is_better),
                    is_regression(diff, spec, tolerance),
                )
            )
    return out


def is_regression(diff: Interval, spec: MetricSpec, tolerance: float) -> bool:
    """Tell whether a higher-is-better metric's interval lies wholly below ``-tolerance``."""
    if spec.higher_is_better is not True or diff.n == 0:
        return False
    margin = tolerance * spec.span if spec.span is not None else tolerance
    return diff.high < -margin


def exact_mismatches(a: Results, b: Results, atol: float) -> list[str]:
    """List shared values that moved by more than ``atol``, and one-sided rows or metrics."""
    problems = [f"metric {k}: only in A" for k in a.metrics if k not in b.metrics]
    problems += [f"metric {k}: only in B" for k in b.metrics if k not in a.metrics]
    problems += [f"{lab} / {aid}: only in A" for lab, aid in a.scores if (lab, aid) not in b.scores]
    problems += [f"{lab} / {aid}: only in B" for lab, aid in b.scores if (lab, aid) not in a.scores]
    keys = shared_metrics(a, b)
    for row, scores_a in a.scores.items():
        scores_b = b.scores.get(row)
        if scores_b is None:
            continue
        for key in keys:
            x = float(scores_a.get(key, math.nan))
            y = float(scores_b.get(key, math.nan))
            if math.isnan(x) and math.isnan(y):
                continue
            if math.isnan(x) or math.isnan(y) or abs(x - y) > atol:
                problems.append(f"{row[0]} / {row[1]}: {key} {x!r} -> {y!r}")
    return problems


def _nanmean(values: list[float]) -> float:
    """Mean of the non-NaN values (NaN when there are none)."""
    kept = [v for v in values if not math.isnan(v)]
    return sum(kept) / len(kept) if kept else math.nan
