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

With the entailment cross-encoder (:mod:`harness.support`, ``support_model``),
each reference also gets ``entail``: how much of it the summary *states*, the
mean over the reference's sentences of the best P(entailed) with a window of
the summary as premise and the sentence as claim. The article gets the same
component, ``cov_article_entail``, over its most central sentences (highest
mean cosine of content-stem counts to the rest of the article, ``centrality:
lexical``; or of MiniLM sentence vectors, ``centrality: embed``).

``cov_article_recall`` needs no model: the share of the article's content-word
occurrences (stems, counted over the body's sentences of four words or more)
whose stem the summary carries. A stem the article repeats weighs as often as
it occurs, so the words the story is about count most; a longer summary can
only gain by carrying more of them. With ``recall_weighting: idf`` (the
default, chosen out of fold) each occurrence also weighs the stem's inverse
document frequency in news (``news_idf``: FNC-1 train bodies), so that a
story's own names and terms count more than the words every story uses
("said", "year").

The lede is the article's opening paragraph; where that is longer than
``lede_sentences`` sentences (one block of text), its first ``lede_sentences``
sentences stand for it (a lede is a news story's opening, not the whole story).

``coverage`` is a weighted mean of the components present, the weights in
``harness/params/coverage.json`` fitted on human coverage judgments by
``scripts/fit_coverage.py`` (cross-validated by document; docs/metrics.md);
``params: null`` gives the plain mean of the token components, as before. An
untitled article (no headline) lacks the headline's components, and the
weights of those present are renormalised.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

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
DEFAULT_PARAMS = Path(__file__).resolve().parents[1] / "params" / "coverage.json"
#: Sentences of the lede that stand for it; chosen out of fold (docs/metrics.md).
LEDE_SENTENCES = 3
#: Central article sentences ``cov_article_entail`` reads.
CENTRAL_SENTENCES = 1
#: How central sentences are found (chosen out of fold, docs/metrics.md).
CENTRALITIES = ("lexical", "embed")
CENTRALITY = "lexical"
#: How ``cov_article_recall`` weighs an occurrence of a stem: 1 ("count") or the
#: stem's idf in news ("idf"); chosen out of fold (docs/metrics.md).
RECALL_WEIGHTINGS = ("count", "idf")
RECALL_WEIGHTING = "idf"
#: The idf table of news text: FNC-1 train bodies' content stems, written by
#: scripts/train_stance.py into the stance model's file (read here as data only).
IDF_PARAMS = Path(__file__).resolve().parents[1] / "params" / "stance.npz"
#: Summary words read as one premise; a longer summary is read in windows of
#: three sentences (two apart) and a reference sentence takes its best window.
PREMISE_WORDS = 90
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
    ) + (
        KeySpec("cov_headline_entail", optional=True,
                doc="cross-encoder P(the summary entails the headline)"),
        KeySpec("cov_lede_entail", optional=True,
                doc="mean over lede sentences of cross-encoder P(the summary entails it)"),
        KeySpec("cov_article_entail", optional=True,
                doc="mean over the article's most central sentences of P(the summary entails "
                    "it)"),
        KeySpec("cov_article_recall", optional=True,
                doc="share of the article's content-word occurrences whose stem the summary "
                    "carries (frequent words weigh more, and with recall_weighting: idf words "
                    "rare in news; absent for an article without any)"),
        KeySpec("coverage", doc="weighted mean of the cov_* components present (weights fitted "
                "on human coverage judgments; docs/metrics.md)"),
    )

    def __init__(
        self,
        model_path: str | None = None,
        layer: int = TOKEN_LAYER,
        baseline: float = BASELINE_RECALL,
        encoders: Encoders | None = None,
        support_model: str | None = "default",
        params: str | None = "default",
        lede_sentences: int | None = LEDE_SENTENCES,
        centrality: str = CENTRALITY,
        central_sentences: int = CENTRAL_SENTENCES,
        recall_weighting: str = RECALL_WEIGHTING,
    ):
        """Build the metric.

        Args:
            model_path: MiniLM folder; default the packaged all-MiniLM-L6-v2.
            layer: hidden layer of the token vectors.
            baseline: token recall of unrelated text, mapped to 0.
            encoders: the run's encoders, shared with its other metrics (the run
                clears them); None: this metric's own, cleared by ``reset``.
            support_model: the entailment cross-encoder ("default": the shipped
                one; a path; None: none, and no ``*_entail`` components).
            params: component weights: "default" (``harness/params/coverage.json``),
                a path, or None for the plain mean of the token components.
            lede_sentences: the lede's first sentences that stand for it (None: all).
            centrality: how ``cov_article_entail`` finds the central sentences:
                "lexical" (content-stem cosine, no model) or "embed" (MiniLM
                sentence vectors).
            central_sentences: how many central sentences ``cov_article_entail``
                reads (0: none, and no such component).
            recall_weighting: how ``cov_article_recall`` weighs an occurrence of a
                stem: "count" (1) or "idf" (its idf in news, ``news_idf``).

        """
        # The run's encoders when it shares them (it clears them), else our own.
        self._own_encoders = encoders is None
        self.encoder = (encoders or Encoders()).get(model_path)
        self.layer = layer
        self.baseline = baseline
        if lede_sentences is not None and lede_sentences < 1:
            raise ValueError(f"lede_sentences must be at least 1 or null, not {lede_sentences}")
        self.lede_sentences = lede_sentences
        if centrality not in CENTRALITIES:
            raise ValueError(f"centrality must be one of {', '.join(CENTRALITIES)}, "
                             f"not {centrality!r}")
        self.centrality = centrality
        if central_sentences < 0:
            raise ValueError(f"central_sentences must be 0 or more, not {central_sentences}")
        self.central_sentences_n = central_sentences
        if recall_weighting not in RECALL_WEIGHTINGS:
            raise ValueError(f"recall_weighting must be one of {', '.join(RECALL_WEIGHTINGS)}, "
                             f"not {recall_weighting!r}")
        self.idf = news_idf() if recall_weighting == "idf" else None
        self.support = None
        if support_model is not None:
            from harness.support import SupportModel, shipped

            self.support = shipped() if support_model == "default" else SupportModel(
                support_model)
        self.weights: dict[str, float] | None = None
        if params is not None:
            self.weights = load_weights(DEFAULT_PARAMS if params == "default" else params)
            needs = {k for k, w in self.weights.items() if w > 0 and k.endswith("_entail")}
            if needs and self.support is None:
                raise ValueError(f"coverage weights use {sorted(needs)}, which need "
                                 "support_model (the cross-encoder)")

    def reset(self) -> None:
        """Forget the cached sentence embeddings, if this metric owns its encoder."""
        if self._own_encoders:
            self.encoder.clear()
        if self.support is not None:
            self.support.clear()

    def lede_of(self, article: Article) -> str:
        """The lede as coverage reads it: its first ``lede_sentences`` sentences."""
        sents = split_sentences(article.lede)
        if self.lede_sentences is None or len(sents) <= self.lede_sentences:
            return article.lede
        return " ".join(sents[: self.lede_sentences])

    def score(self, summary: str, article: Article) -> dict[str, float]:
        """Score one summary against its article's headline and lede."""
        sum_sents = split_sentences(summary)
        if not sum_sents:
            raise ValueError(f"summary of article {article.id!r} is empty")
        out: dict[str, float] = {}
        claims: dict[str, list[str]] = {}
        for ref, text in (("headline", article.headline), ("lede", self.lede_of(article))):
            ref_sents = split_sentences(text)
            if not ref_sents and ref == "headline":
                continue  # untitled: the headline's keys are absent (optional), not 0
            if not ref_sents:
                raise ValueError(f"article {article.id!r} has no {ref} to measure coverage of")
            recall = token_recall(ref_sents, sum_sents, self.encoder, self.layer)
            embed = rescale(recall, self.baseline)
            for part, value in _components(summary, text, embed).items():
                out[f"cov_{ref}_{part}"] = value
            claims[ref] = [" ".join(ref_sents)] if ref == "headline" else ref_sents
        recall = article_recall(summary, article.body, self.idf)
        if recall is not None:
            out["cov_article_recall"] = recall
        if self.support is not None:
            if self.central_sentences_n:
                claims["article"] = self.central_sentences(article, self.central_sentences_n)
            if self.weights is not None:  # a component without weight is not read
                claims = {r: c for r, c in claims.items() if self.weight(f"cov_{r}_entail") > 0}
            out.update(self._entailed(sum_sents, claims))
        out["coverage"] = self.composite(out)
        return out

    def composite(self, parts: dict[str, float]) -> float:
        """The weighted mean of the components present (no weights: the references' token ones)."""
        if self.weights is None:
            vals = [v for k, v in parts.items()
                    if not k.endswith("_entail") and not k.startswith("cov_article_")]
            return float(np.mean(vals))
        pairs = [(self.weight(k), v) for k, v in parts.items() if self.weight(k) > 0]
        total = sum(w for w, _ in pairs)
        if total <= 0:
            return float(np.mean(list(parts.values())))
        return float(np.clip(sum(w * v for w, v in pairs) / total, 0.0, 1.0))

    def weight(self, key: str) -> float:
        """A component's weight; a headline component takes its lede twin's.

        The judgments the weights are fitted on come without headlines, so the
        headline, the other reference, is weighed as the lede is.
        """
        assert self.weights is not None
        if key in self.weights:
            return self.weights[key]
        return self.weights.get(key.replace("cov_headline_", "cov_lede_"), 0.0)

    def central_sentences(self, article: Article, k: int | None = None) -> list[str]:
        """The article's ``k`` most central sentences, in article order."""
        sents, order = self.central_order(article)
        k = self.central_sentences_n if k is None else k
        return [sents[i] for i in sorted(order[:k])]

    def central_order(self, article: Article) -> tuple[list[str], list[int]]:
        """The body's sentences (four words or more) and their indices, most central first.

        A sentence's centrality is its mean cosine to the other sentences: of
        content-stem counts (``lexical``) or of MiniLM sentence vectors
        (``embed``). Ties go to the earlier sentence.
        """
        sents = [s for s in split_sentences(article.body) if len(s.split()) >= 4]
        if len(sents) <= 1:
            return sents, list(range(len(sents)))
        if self.centrality == "embed":
            vecs = np.asarray(self.encoder.encode(sents))
        else:
            vecs = stem_vectors(sents)
        sims = vecs @ vecs.T
        centrality = (sims.sum(1) - np.diag(sims)) / (len(sents) - 1)
        return sents, [int(i) for i in np.argsort(-centrality, kind="stable")]

    def _entailed(self, sum_sents: list[str], claims: dict[str, list[str]]
                  ) -> dict[str, float]:
        """Per reference, the mean over its sentences of the best P(summary window entails it)."""
        premises = summary_windows(sum_sents)
        pairs = [(p, c) for ref in claims for c in claims[ref] for p in premises]
        probs = self.support.predict(pairs)[:, 0] if pairs else np.zeros(0)
        out, at = {}, 0
        for ref, sents in claims.items():
            if not sents:
                continue
            n = len(sents) * len(premises)
            best = probs[at:at + n].reshape(len(sents), len(premises)).max(1)
            at += n
            out[f"cov_{ref}_entail"] = float(best.mean())
        return out

    def score_batch(self, pairs: Sequence[tuple[str, Article]]) -> list[dict[str, float]]:
        """Embed every sentence of the batch in one pass, then score each pair."""
        texts = [t for s, a in pairs for text in (s, a.headline, self.lede_of(a))
                 for t in split_sentences(text)]
        self.encoder.encode_tokens(texts, self.layer)
        return [self.score(s, a) for s, a in pairs]


def article_recall(summary: str, body: str, idf: Idf | None = None) -> float | None:
    """``cov_article_recall``: the share of the body's content-stem occurrences the summary has.

    With ``idf`` (:func:`news_idf`) each occurrence weighs its stem's idf.
    None when the body has no sentence of four words or more with a content word.
    """
    counts = _article_stems(body)
    weights = {stem: n * (1.0 if idf is None else idf.of(stem)) for stem, n in counts.items()}
    total = sum(weights.values())
    if not total:
        return None
    carried = set(content_stems(summary))
    return sum(w for stem, w in weights.items() if stem in carried) / total


class Idf:
    """Inverse document frequency of content stems; a stem not in the table gets ``unseen``."""

    def __init__(self, table: dict[str, float], unseen: float):
        self.table = table
        self.unseen = unseen

    def of(self, stem: str) -> float:
        """The idf of one stem."""
        return self.table.get(stem, self.unseen)


@lru_cache(maxsize=1)
def news_idf(path: str | Path = IDF_PARAMS) -> Idf:
    """The idf table of news text: FNC-1 train bodies' content stems (smooth idf).

    ``scripts/train_stance.py`` builds it (``harness.stance.features.idf_table``:
    stems of at least two bodies; key "" holds the idf of a stem no body has,
    the highest, which a stem not in the table gets) and
    ships it in the stance model's file, from which it is read here as data.
    """
    try:
        with np.load(path, allow_pickle=False) as z:
            table = dict(zip(z["idf_stems"].tolist(), z["idf_values"].astype(float).tolist(),
                             strict=True))
    except (OSError, KeyError, ValueError) as exc:
        raise RuntimeError(f"cannot read the news idf table from {path}: {exc}") from exc
    unseen = table.pop("", max(table.values(), default=1.0))
    return Idf(table, unseen)


@lru_cache(maxsize=64)
def _article_stems(body: str) -> Counter:
    """Content-stem counts of the body's sentences of four words or more (cached per body)."""
    return Counter(stem for s in split_sentences(body) if len(s.split()) >= 4
                   for stem in content_stems(s))


def summary_windows(sum_sents: list[str]) -> list[str]:
    """The summary as premises: whole, or windows of three sentences two apart if long."""
    if sum(len(s.split()) for s in sum_sents) <= PREMISE_WORDS or len(sum_sents) <= 3:
        return [" ".join(sum_sents)]
    return [" ".join(sum_sents[i:i + 3]) for i in range(0, len(sum_sents) - 1, 2)]


def stem_vectors(sentences: list[str]) -> np.ndarray:
    """L2-normalised content-stem count vectors of sentences (rows; zero rows stay 0)."""
    bags = [Counter(content_stems(s)) for s in sentences]
    vocab = {w: i for i, w in enumerate(sorted({w for b in bags for w in b}))}
    out = np.zeros((len(bags), max(len(vocab), 1)))
    for r, bag in enumerate(bags):
        for w, c in bag.items():
            out[r, vocab[w]] = c
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def load_weights(path: str | Path) -> dict[str, float]:
    """Component weights from a parameter file (``{"weights": {key: w}}``)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        weights = {str(k): float(v) for k, v in data["weights"].items()}
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        raise ValueError(f"cannot read coverage weights {path}: {exc}") from exc
    if any(w < 0 for w in weights.values()) or not any(w > 0 for w in weights.values()):
        raise ValueError(f"coverage weights {path} must be non-negative, one of them positive")
    return weights


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
