"""Extractive fragment coverage, density and compression (Grusky et al. 2018, Newsroom).

Matches the greedy fragment algorithm of the paper (Algorithm 1): walk the
summary's tokens, at each position take the longest run of tokens shared with
the article, and record it as a fragment; a summary token with no match starts
no fragment. Coverage = sum |f| / |S|, density = sum |f|^2 / |S|,
compression = |A| / |S|. Tokens are rouge-score's (lower case ``[a-z0-9]+``),
unstemmed, as in the paper's exact-match fragments.
"""

from __future__ import annotations

from collections import defaultdict

from harness.metrics.base import KeySpec, Metric
from harness.text import tokens
from harness.types import Article


class Fragments(Metric):
    """Newsroom's extractive fragment statistics of a summary against its article."""

    # Style, not quality: how much a summary copies and how short it is. Declared
    # without a direction, so no table calls one "best" and no drop is a regression
    # (a one-sentence extract is not a better summary for compressing more).
    KEYS = (
        KeySpec("fragment_coverage", higher_is_better=None,
                doc="share of summary tokens inside copied fragments"),
        KeySpec(
            "fragment_density",
            high=float("inf"),
            higher_is_better=None,
            doc="mean squared fragment length per summary token (lower: more abstractive)",
        ),
        KeySpec(
            "compression",
            high=float("inf"),
            higher_is_better=None,
            doc="article tokens per summary token (higher: shorter summary)",
        ),
    )

    def score(self, summary: str, article: Article) -> dict[str, float]:
        """Fragment statistics of ``summary`` against the article body."""
        s, a = tokens(summary), tokens(article.body)
        if not s:
            raise ValueError(f"summary of article {article.id!r} has no tokens")
        if not a:
            raise ValueError(f"article {article.id!r} has no tokens")
        frags = greedy_fragments(s, a)
        return {
            "fragment_coverage": sum(frags) / len(s),
            "fragment_density": sum(f * f for f in frags) / len(s),
            "compression": len(a) / len(s),
        }


def greedy_fragments(s: list[str], a: list[str]) -> list[int]:
    """Lengths of the greedy extractive fragments of ``s`` in ``a`` (Grusky et al. Alg. 1)."""
    where: dict[str, list[int]] = defaultdict(list)
    for j, tok in enumerate(a):
        where[tok].append(j)
    out, i = [], 0
    while i < len(s):
        best = 0
        for j in where.get(s[i], ()):
            k = 0
            while i + k < len(s) and j + k < len(a) and s[i + k] == a[j + k]:
                k += 1
            best = max(best, k)
        if best:
            out.append(best)
            i += best
        else:
            i += 1
    return out
