"""The metric contract: each metric declares its output keys once.

A metric is a class built once per run (it loads its scorer, tokenizer or model
in ``__init__``) with a pure ``score(summary, article)`` method. ``KEYS`` is the
single declaration of what ``score`` returns: name, range, direction.
:func:`harness.scoring.score_pairs` checks every computed value against it, and
``test_metric_contract`` in ``tests/test_config.py`` does so for every
``configs/metric/*.yaml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness.types import Article


@dataclass(frozen=True)
class KeySpec:
    """One output of a metric: its range and which direction is better.

    ``higher_is_better=None`` declares a style figure (length, copying): shown,
    never marked best, never a regression.
    """

    name: str
    low: float = 0.0
    high: float = 1.0
    higher_is_better: bool | None = True
    doc: str = ""
    #: Computed only for some articles (reference ROUGE: those with a reference
    #: summary); rows without it lack the key, which is not an error.
    optional: bool = False


class Metric:
    """Base class of metrics. Subclasses set ``KEYS`` and implement ``score``."""

    KEYS: tuple[KeySpec, ...] = ()

    @classmethod
    def keys(cls) -> tuple[KeySpec, ...]:
        """The declared outputs."""
        return cls.KEYS

    def score(self, summary: str, article: Article) -> dict[str, float]:
        """Score one summary against its article."""
        raise NotImplementedError

    def score_batch(self, pairs: Sequence[tuple[str, Article]]) -> list[dict[str, float]]:
        """Score many pairs; metrics with batched models override this."""
        return [self.score(summary, article) for summary, article in pairs]

    def score_each(self, pairs: Sequence[tuple[str, Article]]
                   ) -> list[dict[str, float] | Exception]:
        """Per pair, in order, its values or the exception scoring it raised.

        Default: the whole batch through ``score_batch``; only when that fails
        (or returns another number of results) each pair alone through ``score``,
        so a bad pair costs only its own values. Metrics whose pairs fail one by
        one anyway (a request per pair) override this and score each pair once.
        """
        try:
            values: list[dict[str, float] | Exception] = list(self.score_batch(pairs))
            if len(values) == len(pairs):
                return values
        except Exception:  # noqa: BLE001 - each pair alone below finds the failing ones
            pass
        out: list[dict[str, float] | Exception] = []
        for summary, article in pairs:
            try:
                out.append(self.score(summary, article))
            except Exception as exc:  # noqa: BLE001 - handed to the caller, who records it
                out.append(exc)
        return out

    def reset(self) -> None:
        """Forget what this metric cached for the articles scored so far.

        Whoever scores with the metric calls it between chunks of articles, so
        per-article caches stay bounded by one chunk; shared sentence
        embeddings (:class:`harness.embed.Encoders`) are cleared by the run that
        built them. Default: nothing cached.
        """


def check_keys(metric: Metric, values: dict[str, float]) -> None:
    """Raise if ``values`` does not match the metric's declaration."""
    declared = {k.name: k for k in metric.keys()}
    required = {k.name for k in metric.keys() if not k.optional}
    if not required <= set(values) <= set(declared):
        missing = sorted(required - set(values))
        extra = sorted(set(values) - set(declared))
        raise ValueError(
            f"{type(metric).__name__}: keys differ from KEYS (missing {missing}, extra {extra})"
        )
    for name, value in values.items():
        spec = declared[name]
        if not (spec.low - 1e-9 <= value <= spec.high + 1e-9):
            raise ValueError(
                f"{type(metric).__name__}: {name}={value} outside [{spec.low}, {spec.high}]"
            )


def metric_declarations(metrics: Sequence[type[Metric]]) -> dict[str, dict[str, Any]]:
    """The declared keys of every metric class, for ``run.json`` and the tables."""
    return {
        k.name: {"low": k.low, "high": k.high, "higher_is_better": k.higher_is_better,
                 "doc": k.doc, "metric": m.__name__, **({"optional": True} if k.optional else {})}
        for m in metrics
        for k in m.keys()
    }
