"""Extractive baselines that need no weights: lead-k and TextRank.

TextRank follows Mihalcea & Tarau (2004), "TextRank: Bringing Order into
Texts", section 4: sentence similarity is the number of shared words over
``log|S_i| + log|S_j|`` and sentences are ranked by weighted PageRank with
damping 0.85. We compare content-word stems rather than raw tokens.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.models.base import Generation, Summarizer, one_by_one
from harness.text import content_stems, split_sentences
from harness.types import Article


def article_sentences(article: Article) -> list[str]:
    """The article body split into sentences, in order."""
    return [s for p in article.paragraphs for s in split_sentences(p)]


class LeadK(Summarizer):
    """The first ``k`` sentences of the body (the lead-3 baseline of See et al. 2017)."""

    def __init__(self, name: str = "lead3", k: int = 3) -> None:
        super().__init__(name)
        if k < 1:
            raise ValueError(f"{name}: k must be at least 1, got {k}")
        self.k = k

    def identity(self) -> dict[str, Any]:
        """Class, name and ``k``."""
        return {**super().identity(), "k": self.k}

    def summarize(self, articles: Sequence[Article]) -> list[Generation]:
        """First ``k`` sentences of each article."""
        return one_by_one(articles, lambda a: " ".join(article_sentences(a)[: self.k]))


def _similarity(a: Counter[str], b: Counter[str], len_a: int, len_b: int) -> float:
    if len_a < 2 or len_b < 2:  # log(1) = 0 would divide by zero
        return 0.0
    overlap = sum((a & b).values())
    return overlap / (math.log(len_a) + math.log(len_b))


def pagerank(weights: np.ndarray, damping: float = 0.85, iterations: int = 100) -> np.ndarray:
    """Weighted PageRank by power iteration (rows are out-links)."""
    n = weights.shape[0]
    out = weights.sum(axis=1, keepdims=True)
    # A sentence with no similar sentence links to all (a dangling node).
    transition = np.where(out > 0, weights / np.where(out > 0, out, 1), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        new = (1 - damping) / n + damping * transition.T @ rank
        if np.abs(new - rank).sum() < 1e-10:
            return new
        rank = new
    return rank


class TextRank(Summarizer):
    """The ``k`` highest-ranked sentences, in article order."""

    def __init__(self, name: str = "textrank", k: int = 3, damping: float = 0.85,
                 max_sentences: int = 200) -> None:
        super().__init__(name)
        if k < 1:
            raise ValueError(f"{name}: k must be at least 1, got {k}")
        # PageRank's damping is a probability of following a link; at 1 the
        # power iteration need not converge, at 0 every sentence ranks alike.
        if not 0 < damping < 1:
            raise ValueError(f"{name}: damping must lie between 0 and 1 (exclusive; "
                             f"Mihalcea & Tarau use 0.85), got {damping}")
        if max_sentences < 1:
            raise ValueError(f"{name}: max_sentences must be at least 1, got {max_sentences}")
        self.k = k
        self.damping = damping
        # The similarity graph is quadratic in sentences; news articles have
        # far fewer than 200, and a runaway page must not take hours.
        self.max_sentences = max_sentences

    def identity(self) -> dict[str, Any]:
        """Class, name, ``k``, damping and the sentence cap."""
        return {**super().identity(), "k": self.k, "damping": self.damping,
                "max_sentences": self.max_sentences}

    def rank(self, sentences: list[str]) -> np.ndarray:
        """TextRank score of each sentence."""
        bags = [Counter(content_stems(s)) for s in sentences]
        lengths = [len(s.split()) for s in sentences]
        n = len(sentences)
        weights = np.zeros((n, n))
        for i in range(n):
            for j in range(i + 1, n):
                w = _similarity(bags[i], bags[j], lengths[i], lengths[j])
                weights[i, j] = weights[j, i] = w
        return pagerank(weights, self.damping)

    def summarize(self, articles: Sequence[Article]) -> list[Generation]:
        """Top-``k`` sentences of each article in their original order."""
        return one_by_one(articles, self.summarize_one)

    def summarize_one(self, article: Article) -> str:
        """Top-``k`` sentences of one article in their original order."""
        sentences = article_sentences(article)[: self.max_sentences]
        if len(sentences) <= self.k:
            return " ".join(sentences)
        scores = self.rank(sentences)
        # Stable tie-break on position: earlier sentences win ties.
        top = sorted(np.argsort(-scores, kind="stable")[: self.k])
        return " ".join(sentences[i] for i in top)
