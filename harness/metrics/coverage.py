"""Coverage of the headline and the lede by the summary, and the composite ``coverage``.

For each reference (headline, lede): the share of its stemmed content words,
of its named entities (rule-based, ``harness.metrics.evidence.entities``) and
of its numbers that the summary carries, and how much of its meaning the
summary carries by MiniLM's contextual token vectors: BERTScore-style token
recall (Zhang et al. 2020) with the same layer and vectors as the faithfulness
metric, rescaled so that unrelated text scores 0. A reference without
entities (or numbers) has nothing to miss: that share is 1.0.

The token vectors are cached per sentence by the run's encoder
(:class:`harness.embed.Encoders`), shared with faithfulness, so when both run
coverage costs almost no extra model time.

``coverage`` is the mean over the two references of the mean of their four
components (docs/metrics.md). An untitled article (no headline) has the
lede's components only, and ``coverage`` is their mean.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness.embed import TOKEN_LAYER, Encoders
from harness.metrics.base import KeySpec, Metric
from harness.metrics.evidence import (
    entities,
    entity_supported,
    numbers,
    rescale,
    token_recall,
)
from harness.text import content_stems, split_sentences, tokens
from harness.types import Article

# Mean token recall (layer 2) of an article's opening sentences by three
# sentences of an unrelated article; printed by
# `python scripts/train_faithfulness.py --calibrate` (FNC-1 bodies, unlabelled).
BASELINE_RECALL = 0.48

PARTS = ("content", "entities", "numbers", "embed")
REFS = ("headline", "lede")
_DOCS = {
    "content": "share of the {ref}'s stemmed content words in the summary",
    "entities": "share of the {ref}'s named entities in the summary (1.0 if none)",
    "numbers": "share of the {ref}'s numbers in the summary (1.0 if none)",
    "embed": "MiniLM token recall of the {ref} by the summary, rescaled, in [0, 1]",
}


class Coverage(Metric):
    """What the summary carries of the headline and of the lede."""

    KEYS = tuple(
        KeySpec(f"cov_{ref}_{part}", doc=_DOCS[part].format(ref=ref), optional=ref == "headline")
        for ref in REFS
        for part in PARTS
    ) + (KeySpec("coverage", doc="mean of the cov_* components present: eight, or the "
                 "lede's four for an untitled article"),)

    def __init__(
        self,
        model_path: str | None = None,
        layer: int = TOKEN_LAYER,
        baseline: float = BASELINE_RECALL,
        encoders: Encoders | None = None,
    ):
        """Build the metric.

        Args:
            model_path: MiniLM folder; default the packaged all-MiniLM-L6-v2.
            layer: hidden layer of the token vectors.
            baseline: token recall of unrelated text, mapped to 0.
            encoders: the run's encoders, shared with its other metrics (the run
                clears them); None: this metric's own, cleared by ``reset``.

        """
        # The run's encoders when it shares them (it clears them), else our own.
        self._own_encoders = encoders is None
        self.encoder = (encoders or Encoders()).get(model_path)
        self.layer = layer
        self.baseline = baseline

    def reset(self) -> None:
        """Forget the cached sentence embeddings, if this metric owns its encoder."""
        if self._own_encoders:
            self.encoder.clear()

    def score(self, summary: str, article: Article) -> dict[str, float]:
        """Score one summary against its article's headline and lede."""
        sum_sents = split_sentences(summary)
        if not sum_sents:
            raise ValueError(f"summary of article {article.id!r} is empty")
        out: dict[str, float] = {}
        for ref, text in (("headline", article.headline), ("lede", article.lede)):
            ref_sents = split_sentences(text)
            if not ref_sents and ref == "headline":
                continue  # untitled: the headline's keys are absent (optional), not 0
            if not ref_sents:
                raise ValueError(f"article {article.id!r} has no {ref} to measure coverage of")
            recall = token_recall(ref_sents, sum_sents, self.encoder, self.layer)
            embed = rescale(recall, self.baseline)
            for part, value in _components(summary, text, embed).items():
                out[f"cov_{ref}_{part}"] = value
        out["coverage"] = float(np.mean(list(out.values())))
        return out

    def score_batch(self, pairs: Sequence[tuple[str, Article]]) -> list[dict[str, float]]:
        """Embed every sentence of the batch in one pass, then score each pair."""
        texts = [t for s, a in pairs for text in (s, a.headline, a.lede)
                 for t in split_sentences(text)]
        self.encoder.encode_tokens(texts, self.layer)
        return [self.score(s, a) for s, a in pairs]


def _components(summary: str, ref: str, embed: float) -> dict[str, float]:
    ref_stems = set(content_stems(ref))
    sum_stems = set(content_stems(summary))
    sum_tokens = set(tokens(summary))
    ents, nums = entities(ref), numbers(ref)
    return {
        "content": len(ref_stems & sum_stems) / len(ref_stems) if ref_stems else 1.0,
        "entities": (
            sum(entity_supported(e, sum_tokens) for e in ents) / len(ents) if ents else 1.0
        ),
        "numbers": len(nums & numbers(summary)) / len(nums) if nums else 1.0,
        "embed": embed,
    }
