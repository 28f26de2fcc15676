"""The ``Faithfulness`` metric: alignment, cross-encoder evidence, memos and the two scores.

Every summary sentence is aligned to its best article window
(:func:`harness.metrics.evidence.align`), its features are computed
(:mod:`.features`), the cross-encoder (optional) reads the windows that may
support or contradict it, and the learned sentence model
(:class:`harness.metrics.fit.SentenceModel`) or the hand-set penalty composite
gives its score; the reasons are worded by :mod:`.explain`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness.embed import TOKEN_LAYER, Encoders
from harness.lru import LRU
from harness.metrics.base import KeySpec, Metric
from harness.metrics.evidence import align, texts_to_align
from harness.metrics.faithfulness.explain import sentence_reasons
from harness.metrics.faithfulness.features import (
    FEATURES,
    SUPPORT_FEATURES,
    ArticleIndex,
    SentenceCheck,
    article_index,
    article_key,
    article_sentences,
    sentence_check,
)
from harness.metrics.fit import DEFAULT_PARAMS, SentenceModel
from harness.support import best_premise
from harness.text import split_sentences
from harness.types import Article

# Mean token precision (layer 2, best sentence or adjacent pair) of sentences
# aligned to articles they do not come from; printed by
# `python scripts/train_faithfulness.py --calibrate` (FNC-1 bodies, unlabelled).
BASELINE_PRECISION = 0.49


# Windows the cross-encoder reads per summary sentence, besides the token-aligned one:
# the article sentences closest by MiniLM sentence embedding (cosine), and one chunk
# (the aligned window with a sentence either side). Round values set by hand (about
# four cross-encoder pairs per sentence), not tuned.
TOP_K_WINDOWS = 2
CHUNK_CONTEXT = 1
# And one long window: the article sentences sharing most content stems with the
# summary sentence, in text order (``harness.support.best_premise``), the kind of
# premise the cross-encoder was trained on (2 to 6 sentences); a summary sentence
# that draws on several places of the article can be entailed only by such a window.
LONG_WINDOW = 6

# Penalty factor per change a sentence makes to the article run it copies (a
# flipped negation, a changed number, swapped names; ``features.copy_changes``).
# Chosen by ``python benchmarks/validate_metrics.py --only substitution``: of the
# factors that keep FRANK dev's out-of-fold Spearman within 0.005 on both
# datasets, the mildest within 0.005 of the best pooled ROC AUC on the BBC
# corruptions (docs/metrics.md).
SUBSTITUTION_PENALTY = 0.5

# Articles (and summary checks) remembered between calls; the pipeline's chunks
# are 16-32 articles, and ``reset`` clears both between chunks.
MEMO_SIZE = 64


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
        KeySpec("faith_entailment_mean", optional=True,
                doc="mean cross-encoder P(entailed) of summary sentences (best window)"),
        KeySpec("faith_entailment_min", optional=True,
                doc="lowest cross-encoder P(entailed) of a summary sentence"),
        KeySpec("faith_nli_contradiction", optional=True, higher_is_better=False,
                doc="highest cross-encoder P(contradicted) of a summary sentence"),
        KeySpec("faithfulness", doc="composite: mean learned sentence score (FRANK-fitted)"),
    )

    def __init__(
        self,
        model_path: str | None = None,
        layer: int = TOKEN_LAYER,
        baseline: float = BASELINE_PRECISION,
        params: str | None = "default",
        global_penalty: float = 0.5,
        local_penalty: float = 0.6,
        novel_penalty: float = 0.9,
        min_weight: float = 0.5,
        encoders: Encoders | None = None,
        support_model: str | None = None,
        top_k_windows: int = TOP_K_WINDOWS,
        long_window: int = LONG_WINDOW,
        substitution_penalty: float = SUBSTITUTION_PENALTY,
    ):
        """Build the metric.

        Args:
            model_path: MiniLM folder; default the packaged all-MiniLM-L6-v2.
            layer: hidden layer of the token vectors.
            baseline: token precision of unrelated text, mapped to support 0.
            params: sentence-model parameters: "default" (the shipped
                ``harness/params/faithfulness.json``), a path, or None for the
                hand-set penalty composite below.
            global_penalty: factor per entity or number absent from the whole
                article (both composites; for the learned one, chosen by
                cross-validation on FRANK dev, docs/metrics.md).
            local_penalty: penalty composite: factor per contradiction signal
                against the aligned window.
            novel_penalty: penalty composite: factor per content word absent from
                the article.
            min_weight: penalty composite: weight of the worst sentence (rest: the mean).
            encoders: the run's encoders, shared with its other metrics (the run
                clears them); None: this metric's own, cleared by ``reset``.
            support_model: the entailment cross-encoder (:mod:`harness.support`):
                "default" (the shipped adapter) or a path adds its evidence
                (``faith_entailment_*`` keys, the windows in ``explain``); None
                (the default) skips it. The shipped sentence model does not use
                its features: with them the fitted weight of P(contradicted) came
                out positive, and a negated sentence then outscored the correct
                one (docs/metrics.md).
            top_k_windows: article sentences, closest by sentence embedding, that
                the cross-encoder reads besides the aligned window and its chunk.
            long_window: sentences of the long window (most content stems shared
                with the summary sentence, in text order); 0 reads none.
            substitution_penalty: learned composite: factor per change a sentence
                makes to the article run it copies (a flipped negation, a changed
                number, swapped names); 1 turns it off.

        """
        # The run's encoders when it shares them (it clears them), else our own.
        self._own_encoders = encoders is None
        self.encoder = (encoders or Encoders()).get(model_path)
        self.layer = layer
        self.baseline = baseline
        self.model = None
        if params is not None:
            path = DEFAULT_PARAMS if params == "default" else params
            self.model = SentenceModel.load(path)
            if not set(self.model.inputs) <= set(FEATURES):
                raise ValueError(f"faithfulness parameters {path} are for features "
                                 f"{self.model.inputs}, this code computes {FEATURES}")
        self.support = None
        if support_model is not None:
            from harness.support import SupportModel, shipped

            self.support = shipped() if support_model == "default" else SupportModel(
                support_model)
        self.top_k_windows = top_k_windows
        self.long_window = long_window
        self.features = FEATURES if self.support is not None else tuple(
            f for f in FEATURES if f not in SUPPORT_FEATURES)
        if self.model is not None and not set(self.model.inputs) <= set(self.features):
            raise ValueError(f"faithfulness parameters are for features {self.model.inputs}; "
                             f"with support_model={support_model!r} this metric computes "
                             f"{self.features}")
        self.global_penalty = global_penalty
        if not 0.0 <= substitution_penalty <= 1.0:
            raise ValueError(f"substitution_penalty must be in [0, 1], got {substitution_penalty}")
        self.substitution_penalty = substitution_penalty
        self.local_penalty = local_penalty
        self.novel_penalty = novel_penalty
        self.min_weight = min_weight
        self._indexes: LRU[tuple[str, str], ArticleIndex] = LRU(MEMO_SIZE)
        self._checks: LRU[tuple[str, str, str], list[SentenceCheck]] = LRU(MEMO_SIZE)

    def reset(self) -> None:
        """Forget the cached articles, and the embeddings if this metric owns its encoder."""
        if self._own_encoders:
            self.encoder.clear()
        self._indexes.clear()
        self._checks.clear()
        if self.support is not None:
            self.support.clear()

    def score(self, summary: str, article: Article) -> dict[str, float]:
        """Score one summary against its article body (headline and lede included)."""
        return self.analyse(summary, article)[0]

    def explain(self, summary: str, article: Article) -> list[dict]:
        """Per summary sentence: score, best-supporting article span and reasons."""
        return [c.to_json() for c in self.analyse(summary, article)[1]]

    def analyse(self, summary: str, article: Article) -> tuple[dict[str, float],
                                                               list[SentenceCheck]]:
        """The score row and the per-sentence checks behind it."""
        checks = self.check_sentences(summary, article)
        return self.combine(checks), checks

    def combine(self, checks: list[SentenceCheck]) -> dict[str, float]:
        """The score row of a summary's sentence checks; sets each check's score and reasons."""
        x, factors = self.inputs(checks)
        if self.model is not None:
            probs = self.model.predict(x) * factors
            for c, p, row in zip(checks, probs, self.model.contributions(x), strict=True):
                c.score = float(p)
                c.reasons = sentence_reasons(c, row, self.model.inputs)
            composite = float(np.mean(probs))
        else:
            for c in checks:
                # The hand-set composite keeps its own penalties (the changes of a
                # copied run are among its local signals already).
                c.score = (c.support * self._missing_factor(c)
                           * self.local_penalty ** c.local_signals
                           * self.novel_penalty ** len(c.novel))
                c.reasons = sentence_reasons(c, None)
            scores = [c.score for c in checks]
            composite = (1 - self.min_weight) * float(np.mean(scores)) + self.min_weight * min(
                scores)
        n_ent = sum(c.features["_entities"] for c in checks)
        n_num = sum(c.features["_numbers"] for c in checks)
        bad_ent = sum(len(c.bad_entities) for c in checks)
        bad_num = sum(len(c.bad_numbers) for c in checks)
        support = [c.support for c in checks]
        row = {
            "faith_entity_precision": (n_ent - bad_ent) / n_ent if n_ent else 1.0,
            "faith_number_precision": (n_num - bad_num) / n_num if n_num else 1.0,
            "faith_support_mean": float(np.mean(support)),
            "faith_support_min": float(min(support)),
            "faith_contradiction": float(np.mean([c.local_signals > 0 for c in checks])),
        }
        if self.support is not None:
            entail = [c.features["entail"] for c in checks]
            row["faith_entailment_mean"] = float(np.mean(entail))
            row["faith_entailment_min"] = float(min(entail))
            row["faith_nli_contradiction"] = float(max(c.features["contradict"] for c in checks))
        row["faithfulness"] = float(np.clip(composite, 0.0, 1.0))
        return row

    def inputs(self, checks: list[SentenceCheck]) -> tuple[np.ndarray, np.ndarray]:
        """The model's input (one row of ``FEATURES`` per sentence check) and penalty factors.

        A name or number the article lacks is the clearest sign of an invented
        fact, and a copied run of the article with its negation, a number or
        the order of two names changed the clearest sign of a contradiction:
        their factors hold however the other features look.
        """
        names = self.model.inputs if self.model is not None else self.features
        x = np.array([[c.features[f] for f in names] for c in checks])
        return x, self.penalty_factors(checks)

    def penalty_factors(self, checks: list[SentenceCheck],
                        substitution_penalty: float | None = None) -> np.ndarray:
        """Per sentence: the penalty factors its score is multiplied by.

        ``global_penalty`` per name or number the article lacks, times the
        substitution penalty per change of a copied run (``substitution_penalty``,
        when given, in place of the metric's: for comparing factors on the same
        checks).
        """
        sub = self.substitution_penalty if substitution_penalty is None else substitution_penalty
        return np.array([self._missing_factor(c) * sub ** len(c.changes) for c in checks])

    def _missing_factor(self, check: SentenceCheck) -> float:
        return self.global_penalty ** (len(check.bad_entities) + len(check.bad_numbers))

    def check_sentences(self, summary: str, article: Article) -> list[SentenceCheck]:
        """Align every summary sentence and collect its evidence and features.

        The last ``MEMO_SIZE`` results are kept, so that ``explain`` after
        ``score`` of the same pair (``harness score``) does not align it again.
        """
        key = (summary, *article_key(article))
        memo = self._checks.get(key)
        if memo is not None:
            return memo
        index = self._index(article)
        sum_sents = split_sentences(summary)
        if not sum_sents:
            raise ValueError(f"summary of article {article.id!r} is empty")
        al = align(sum_sents, index.sents, self.encoder, self.layer)
        checks = [sentence_check(sent, window, prec, best, index, self.baseline, self._rare)
                  for sent, window, prec, best in zip(sum_sents, al.windows, al.token_precision,
                                                      al.token_best, strict=True)]
        if self.support is not None:
            self._entailment(checks, index)
        self._checks.put(key, checks)
        return checks

    def _windows(self, check: SentenceCheck, index: ArticleIndex, sent_vecs: np.ndarray | None,
                 vec: np.ndarray | None) -> list[tuple[int, ...]]:
        """The windows the cross-encoder reads for one sentence, the aligned one first."""
        n = len(index.sents)
        out = [check.window]
        lo = max(0, check.window[0] - CHUNK_CONTEXT)
        hi = min(n, check.window[-1] + 1 + CHUNK_CONTEXT)
        out.append(tuple(range(lo, hi)))
        if sent_vecs is not None and vec is not None and self.top_k_windows > 0:
            sims = sent_vecs @ vec
            for j in np.argsort(-sims, kind="stable")[: self.top_k_windows]:
                out.append((int(j),))
        if self.long_window > 0:
            out.append(tuple(best_premise(index.sents, check.sentence, self.long_window)))
        return list(dict.fromkeys(out))

    def _entailment(self, checks: list[SentenceCheck], index: ArticleIndex) -> None:
        """Cross-encoder evidence of each sentence: P(entailed) and P(contradicted).

        A sentence copied from the article (fragment density 1) is entailed by
        its own window without running the model, so extractive summaries cost no
        model time here either.
        """
        todo = [c for c in checks if c.features["fragment_density"] < 1.0 - 1e-9]
        for c in checks:
            if c not in todo:
                c.features["entail"], c.features["contradict"] = 1.0, 0.0
                c.entailed_by = c.evidence
        if not todo:
            return
        sent_vecs = vecs = None
        if self.top_k_windows > 0:
            sent_vecs = self.encoder.encode(index.sents)
            vecs = self.encoder.encode([c.sentence for c in todo])
        plans = [self._windows(c, index, sent_vecs, None if vecs is None else vecs[i])
                 for i, c in enumerate(todo)]
        pairs = [(" ".join(index.sents[j] for j in w), c.sentence)
                 for c, plan in zip(todo, plans, strict=True) for w in plan]
        probs = self.support.predict(pairs)
        at = 0
        for c, plan in zip(todo, plans, strict=True):
            part = probs[at:at + len(plan)]
            texts = [p for p, _ in pairs[at:at + len(plan)]]
            at += len(plan)
            best = int(np.argmax(part[:, 0]))
            worst = int(np.argmax(part[:, 1]))
            c.features["entail"] = float(part[best, 0])
            c.features["contradict"] = float(part[worst, 1])
            c.entailed_by = texts[best]
            if part[worst, 1] >= 0.5:
                c.contradicted_by = texts[worst]

    def _rare(self, word: str) -> bool:
        # A word the MiniLM vocabulary (30k word pieces) splits is rare in English
        # text: mostly names, the hallucinations that matter most.
        return len(self.encoder.tokenizer.tokenize(word)) > 1

    def _index(self, article: Article) -> ArticleIndex:
        key = article_key(article)
        memo = self._indexes.get(key)
        if memo is not None:
            return memo
        index = article_index(article)
        self._indexes.put(key, index)
        return index

    def score_batch(self, pairs: Sequence[tuple[str, Article]]) -> list[dict[str, float]]:
        """Embed all sentences the batch needs at once, then score each pair."""
        texts = []
        for summary, article in pairs:
            texts += texts_to_align(split_sentences(summary), article_sentences(article))
        self.encoder.encode_tokens(texts, self.layer)
        return [self.score(summary, article) for summary, article in pairs]
