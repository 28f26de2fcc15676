"""Optional NLI faithfulness (SummaC-ZS, Laban et al. 2022) with any local NLI model.

Not in the default metric set: no NLI model ships offline here. Point
``configs/metric/nli.yaml``'s ``model`` at a folder (or hub name where a hub is
reachable) holding an ``AutoModelForSequenceClassification`` and name the
index of its entailment (and contradiction) label. Each summary sentence is
paired with each article sentence (premise = article sentence); the summary
sentence keeps its highest entailment probability, and the scores are the
mean and min over summary sentences, as SummaC-ZS aggregates. Contradiction is
the contradiction probability on the most entailing article sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness.metrics.base import KeySpec, Metric
from harness.text import split_sentences
from harness.types import Article
from harness.verbosity import quiet_loading


class NLIFaithfulness(Metric):
    """Sentence-level entailment of the summary by the article with an NLI classifier."""

    KEYS = (
        KeySpec("nli_entail_mean", doc="mean over summary sentences of the best P(entail)"),
        KeySpec("nli_entail_min", doc="lowest best P(entail) of a summary sentence"),
        KeySpec(
            "nli_contradiction",
            higher_is_better=False,
            doc="mean P(contradiction) on each summary sentence's best premise",
        ),
    )

    def __init__(
        self,
        model: str,
        entailment_index: int,
        contradiction_index: int | None = None,
        max_length: int = 256,
        batch_size: int = 32,
        max_article_sentences: int = 60,
    ):
        """Load tokenizer and classifier once.

        Args:
            model: folder or name for ``from_pretrained``.
            entailment_index: the entailment label's index in the model's logits.
            contradiction_index: the contradiction label's index, if it has one.
            max_length: pair truncation in word pieces.
            batch_size: pairs per forward pass.
            max_article_sentences: only the first N article sentences are premises.

        """
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self._torch = torch
        with quiet_loading():
            self.tokenizer = AutoTokenizer.from_pretrained(model)
            self.model = AutoModelForSequenceClassification.from_pretrained(model).eval()
        n = self.model.config.num_labels
        for name, idx in (("entailment", entailment_index), ("contradiction", contradiction_index)):
            if idx is not None and not 0 <= idx < n:
                raise ValueError(f"{name}_index {idx} out of range for {model} ({n} labels)")
        self.entail, self.contra = entailment_index, contradiction_index
        self.max_length, self.batch_size = max_length, batch_size
        self.max_article_sentences = max_article_sentences

    def score(self, summary: str, article: Article) -> dict[str, float]:
        """Entailment of each summary sentence by its best article sentence."""
        premises = split_sentences(article.body)[: self.max_article_sentences]
        hyps = split_sentences(summary)
        if not premises or not hyps:
            raise ValueError(f"article {article.id!r}: empty article or summary")
        probs = self._probs([(p, h) for h in hyps for p in premises])
        probs = probs.reshape(len(hyps), len(premises), -1)
        best = probs[:, :, self.entail].argmax(1)
        entail = probs[np.arange(len(hyps)), best, self.entail]
        contra = (
            probs[np.arange(len(hyps)), best, self.contra]
            if self.contra is not None
            else np.zeros(len(hyps))
        )
        return {
            "nli_entail_mean": float(entail.mean()),
            "nli_entail_min": float(entail.min()),
            "nli_contradiction": float(contra.mean()),
        }

    def _probs(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        torch = self._torch
        out = []
        for start in range(0, len(pairs), self.batch_size):
            batch = pairs[start : start + self.batch_size]
            enc = self.tokenizer(
                [p for p, _ in batch], [h for _, h in batch], padding=True,
                truncation=True, max_length=self.max_length, return_tensors="pt",
            )
            with torch.inference_mode():
                logits = self.model(**enc).logits
            out.append(torch.softmax(logits.float(), -1).numpy())
        return np.concatenate(out)
