"""Faithfulness of a summary to its article, and the composite ``faithfulness`` score.

Components (definitions in docs/metrics.md):

- entity and number precision against the whole article (Nan et al. 2021's
  entity-level precision, with rule-based entities);
- sentence-level support: each summary sentence aligned to its best article
  sentence or adjacent pair (SummaC-ZS max, Laban et al. 2022) by BERTScore-style
  token precision over MiniLM's contextual token vectors (Zhang et al. 2020),
  rescaled against the precision of unrelated sentence pairs (BERTScore's
  baseline rescaling) and aggregated by mean and min;
- contradiction signals against the aligned window: a negation the window does
  not have (or lacks), a number or entity found elsewhere in the article but not
  in the window, two entities in the opposite order from the window.

``faithfulness`` multiplies each sentence's support by a penalty per signal
and averages the mean and the minimum over sentences, so one unsupported
sentence pulls the score down without erasing the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness.embed import TOKEN_LAYER, load_encoder
from harness.metrics.base import KeySpec, Metric
from harness.metrics.evidence import (
    align,
    entities,
    entity_supported,
    negation_count,
    numbers,
    rescale,
    texts_to_align,
)
from harness.text import STOPWORDS, split_sentences, stem, tokens
from harness.types import Article

# Mean token precision (layer 2, best sentence or adjacent pair) of sentences
# aligned to articles they do not come from; printed by
# `python scripts/train_faithfulness.py --calibrate` (FNC-1 bodies, unlabelled).
BASELINE_PRECISION = 0.49


class Faithfulness(Metric):
    """Entity/number precision, sentence support, contradiction signals, composite."""

    KEYS = (
        KeySpec("faith_entity_precision", doc="share of summary entities found in the article"),
        KeySpec("faith_number_precision", doc="share of summary numbers found in the article"),
        KeySpec("faith_support_mean", doc="mean rescaled token precision of summary sentences"),
        KeySpec("faith_support_min", doc="lowest rescaled token precision of a summary sentence"),
        KeySpec(
            "faith_contradiction",
            higher_is_better=False,
            doc="share of summary sentences with a contradiction signal",
        ),
        KeySpec("faithfulness", doc="composite: penalised support, mean and min averaged"),
    )

    def __init__(
        self,
        model_path: str | None = None,
        layer: int = TOKEN_LAYER,
        baseline: float = BASELINE_PRECISION,
        global_penalty: float = 0.5,
        local_penalty: float = 0.6,
        novel_penalty: float = 0.9,
        min_weight: float = 0.5,
    ):
        """Build the metric.

        Args:
            model_path: MiniLM folder; default the packaged all-MiniLM-L6-v2.
            layer: hidden layer of the token vectors.
            baseline: token precision of unrelated text, mapped to support 0.
            global_penalty: factor per entity or number absent from the whole article.
            local_penalty: factor per contradiction signal against the aligned window.
            novel_penalty: factor per content word absent from the article.
            min_weight: weight of the worst sentence in the composite (rest: the mean).

        """
        self.encoder = load_encoder(model_path)
        self.layer = layer
        self.baseline = baseline
        self.global_penalty = global_penalty
        self.local_penalty = local_penalty
        self.novel_penalty = novel_penalty
        self.min_weight = min_weight

    def reset(self) -> None:
        """Forget the cached sentence embeddings (shared with the other MiniLM metrics)."""
        self.encoder.clear()

    def score(self, summary: str, article: Article) -> dict[str, float]:
        """Score one summary against its article body (headline and lede included)."""
        art_sents = _article_sentences(article)
        sum_sents = split_sentences(summary)
        if not art_sents:
            raise ValueError(f"article {article.id!r} has no sentences to check against")
        if not sum_sents:
            raise ValueError(f"summary of article {article.id!r} is empty")
        al = align(sum_sents, art_sents, self.encoder, self.layer)
        art_text = " ".join(art_sents)
        art_tokens = set(tokens(art_text))
        art_stems = {stem(t) for t in art_tokens}
        art_numbers = numbers(art_text)
        support, scores, signals = [], [], []
        ent_hits, ent_total, num_hits, num_total = 0, 0, 0, 0
        for sent, window, prec in zip(sum_sents, al.windows, al.token_precision, strict=True):
            win_text = " ".join(art_sents[j] for j in window)
            ents, nums = entities(sent), numbers(sent)
            bad_ents = [e for e in ents if not entity_supported(e, art_tokens)]
            bad_nums = [n for n in nums if n not in art_numbers]
            ent_hits += len(ents) - len(bad_ents)
            ent_total += len(ents)
            num_hits += len(nums) - len(bad_nums)
            num_total += len(nums)
            local = _local_signals(sent, win_text, ents - set(bad_ents), nums - set(bad_nums))
            novel = sum(
                stem(t) not in art_stems for t in tokens(sent) if t not in STOPWORDS and len(t) > 1
            )
            s = rescale(prec, self.baseline)
            support.append(s)
            signals.append(local > 0)
            scores.append(
                s
                * self.global_penalty ** (len(bad_ents) + len(bad_nums))
                * self.local_penalty**local
                * self.novel_penalty**novel
            )
        composite = (1 - self.min_weight) * float(np.mean(scores)) + self.min_weight * min(scores)
        return {
            "faith_entity_precision": ent_hits / ent_total if ent_total else 1.0,
            "faith_number_precision": num_hits / num_total if num_total else 1.0,
            "faith_support_mean": float(np.mean(support)),
            "faith_support_min": float(min(support)),
            "faith_contradiction": float(np.mean(signals)),
            "faithfulness": composite,
        }

    def score_batch(self, pairs: Sequence[tuple[str, Article]]) -> list[dict[str, float]]:
        """Embed all sentences the batch needs at once, then score each pair."""
        texts = []
        for summary, article in pairs:
            texts += texts_to_align(split_sentences(summary), _article_sentences(article))
        self.encoder.encode_tokens(texts, self.layer)
        return [self.score(summary, article) for summary, article in pairs]


def _article_sentences(article: Article) -> list[str]:
    # The headline is part of what the article asserts; the lede is paragraphs[0]
    # for cleaned articles, and is added only when it is not already there.
    sents = split_sentences(article.body)
    extra = [t for t in (article.headline, article.lede) if t and t not in article.body]
    for text in extra:
        sents = split_sentences(text) + sents
    return sents


def _local_signals(sent: str, window: str, ents: set, nums: set[str]) -> int:
    """Count contradiction signals of one summary sentence against its window."""
    win_tokens = set(tokens(window))
    count = int(negation_count(sent) % 2 != negation_count(window) % 2)
    count += sum(n not in numbers(window) for n in nums)
    count += sum(not entity_supported(e, win_tokens) for e in ents)
    count += _order_swaps(sent, window, ents)
    return count


def _order_swaps(sent: str, window: str, ents: set) -> int:
    """1 when two entities appear in the opposite order in the window, else 0."""
    s_toks, w_toks = tokens(sent), tokens(window)

    def first(entity: tuple[str, ...], toks: list[str]) -> int:
        return min((toks.index(t) for t in entity if t in toks), default=-1)

    placed = [(first(e, s_toks), first(e, w_toks)) for e in ents]
    placed = [p for p in placed if p[0] >= 0 and p[1] >= 0]
    for i, (si, wi) in enumerate(placed):
        for sj, wj in placed[i + 1 :]:
            if (si - sj) * (wi - wj) < 0:
                return 1
    return 0
