"""Coverage of the headline and the lede by the summary, and the composite ``coverage``.

For each reference (headline, lede): the share of its stemmed content words,
of its named entities (rule-based, ``harness.metrics.evidence.entities``) and
of its numbers that the summary carries, and the cosine of the MiniLM
embeddings of reference and summary, clipped to [0, 1]. A reference without
entities (or numbers) has nothing to miss: that share is 1.0.

``coverage`` is the mean over the two references of the mean of their four
components (docs/metrics.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness.embed import load_encoder
from harness.metrics.base import KeySpec, Metric
from harness.metrics.evidence import entities, entity_supported, numbers
from harness.text import content_stems, tokens
from harness.types import Article

PARTS = ("content", "entities", "numbers", "embed")
REFS = ("headline", "lede")
_DOCS = {
    "content": "share of the {ref}'s stemmed content words in the summary",
    "entities": "share of the {ref}'s named entities in the summary (1.0 if none)",
    "numbers": "share of the {ref}'s numbers in the summary (1.0 if none)",
    "embed": "cosine of MiniLM embeddings of {ref} and summary, clipped at 0",
}


class Coverage(Metric):
    """What the summary carries of the headline and of the lede."""

    KEYS = tuple(
        KeySpec(f"cov_{ref}_{part}", doc=_DOCS[part].format(ref=ref))
        for ref in REFS
        for part in PARTS
    ) + (KeySpec("coverage", doc="mean of the eight cov_* components"),)

    def __init__(self, model_path: str | None = None):
        """Load the shared encoder (default: packaged all-MiniLM-L6-v2)."""
        self.encoder = load_encoder(model_path)

    def score(self, summary: str, article: Article) -> dict[str, float]:
        """Score one summary against its article's headline and lede."""
        if not summary.strip():
            raise ValueError(f"summary of article {article.id!r} is empty")
        refs = {"headline": article.headline, "lede": article.lede}
        vecs = self.encoder.encode([summary, *refs.values()])
        out: dict[str, float] = {}
        for k, (ref, text) in enumerate(refs.items()):
            if not text.strip():
                raise ValueError(f"article {article.id!r} has no {ref} to measure coverage of")
            for part, value in _components(summary, text, float(vecs[0] @ vecs[k + 1])).items():
                out[f"cov_{ref}_{part}"] = value
        out["coverage"] = float(np.mean(list(out.values())))
        return out

    def score_batch(self, pairs: Sequence[tuple[str, Article]]) -> list[dict[str, float]]:
        """Embed every text of the batch in one pass, then score each pair."""
        texts = [t for s, a in pairs for t in (s, a.headline, a.lede)]
        self.encoder.encode(texts)
        return [self.score(s, a) for s, a in pairs]


def _components(summary: str, ref: str, cosine: float) -> dict[str, float]:
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
        "embed": float(np.clip(cosine, 0.0, 1.0)),
    }
