"""Bootstrap intervals for means and paired differences.

Percentile bootstrap (Efron & Tibshirani 1993, ch. 13): resample articles with
replacement, take the mean of each resample, and read the 2.5% and 97.5%
quantiles. A paired comparison bootstraps the per-article differences of two
models on the same articles (Koehn 2004, "Statistical significance tests for
machine translation evaluation", paired bootstrap resampling), which keeps the
article-to-article variance out of the difference.

Every interval draws from its own ``numpy.random.Generator`` seeded from the
run seed and the names of what it measures (:func:`cell_rng`), so adding a
model or a metric to a run never moves the intervals of the others.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# 2000 resamples: Efron & Tibshirani (1993, §19.3) advise at least 1000 for
# percentile intervals; 2000 keeps the 2.5% tail at 50 resamples.
RESAMPLES = 2000
LEVEL = 0.95
# Below two articles a bootstrap has nothing to resample: the "interval" is the
# point itself. The verdict still follows it (on the same article the change
# is exact) but says it rests on one article.
MIN_ARTICLES = 2
# Below ten articles no better/worse mark is given at all: a percentile bootstrap
# interval of so few values is too narrow (Efron & Tibshirani 1993, §13.3: it
# undercovers for small samples), so a mark would claim more than the data shows.
MIN_MARK_ARTICLES = 10
# Resamples drawn per block, so memory stays near CHUNK × n floats.
CHUNK = 250
# Half the last digit the tables print (three decimals). A difference whose whole
# interval lies within ±NOISE prints as ±0.000 [±0.000, ±0.000]: it is a tie (all
# extractive models at faithfulness 1.000 [1.000, 1.000]; a rerun whose floats moved
# by 1e-9), and a side wins only when its end of the interval clears NOISE, so no
# "better" is ever printed beside +0.000 [0.000, 0.000].
NOISE = 0.0005


@dataclass(frozen=True)
class Interval:
    """A mean with its bootstrap interval over ``n`` values (NaN when ``n`` is 0)."""

    mean: float
    low: float
    high: float
    n: int


def cell_rng(seed: int, *names: str) -> np.random.Generator:
    """Make the generator of one table cell, fixed by the seed and the cell's names."""
    return np.random.default_rng([int(seed), *(zlib.crc32(name.encode()) for name in names)])


def bootstrap_mean(
    values: Sequence[float] | np.ndarray,
    rng: np.random.Generator,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
) -> Interval:
    """Return the plain mean of ``values`` and its percentile bootstrap interval.

    NaN values (a metric undefined on an article) are left out first.
    """
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    if data.size == 0:
        return Interval(float("nan"), float("nan"), float("nan"), 0)
    means = np.empty(resamples)
    for start in range(0, resamples, CHUNK):
        stop = min(start + CHUNK, resamples)
        idx = rng.integers(0, data.size, size=(stop - start, data.size))
        means[start:stop] = data[idx].mean(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    mean = float(data.mean())
    # Quantiles of float means can miss a constant sample's mean by one ulp.
    return Interval(mean, min(float(low), mean), max(float(high), mean), int(data.size))


def paired_difference(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    rng: np.random.Generator,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
) -> Interval:
    """Mean of ``b - a`` over paired articles, with its paired bootstrap interval.

    Articles where either value is NaN are dropped from the pairing.
    """
    diff = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    return bootstrap_mean(diff, rng, resamples, level)


def verdict(diff: Interval, higher_is_better: bool | None) -> str:
    """``better`` / ``worse`` / ``tie`` / ``no clear difference`` for ``b`` against ``a``.

    A side wins only when the whole interval lies on its side of zero by more
    than :data:`NOISE` (what three printed decimals cannot show); an interval
    wholly within ±NOISE is a ``tie``. Without a declared direction the mark
    says ``higher`` or ``lower`` instead. Below :data:`MIN_MARK_ARTICLES`
    paired articles there is no mark, and it says why.
    """
    if diff.n == 0:
        return "no data"
    if diff.n < MIN_MARK_ARTICLES:
        return f"no mark: {diff.n} article{'s' * (diff.n != 1)}, fewer than {MIN_MARK_ARTICLES}"
    if -NOISE <= diff.low and diff.high <= NOISE:
        return "tie"
    if diff.low <= NOISE and diff.high >= -NOISE:
        return "no clear difference"
    up = diff.low > NOISE
    if higher_is_better is None:
        return "higher" if up else "lower"
    return "better" if up == higher_is_better else "worse"


def clearly_better(diff: Interval, higher_is_better: bool | None) -> bool:
    """Tell whether ``b`` beats ``a`` with enough articles and the whole interval past zero."""
    return verdict(diff, higher_is_better) == "better"
