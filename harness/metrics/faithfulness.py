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

``faithfulness`` is learned: each summary sentence gets thirteen features (the
support above and the share of its word pieces without a close match in the
window, n-gram precision against the article and the window, words, names and
numbers the article lacks, negation parity, length, Grusky et al.'s fragment
coverage and density) and a logistic model (``harness.metrics.fit``,
parameters in ``harness/params/faithfulness.json``) gives the probability that
the sentence has no factual error; the score is the mean over sentences. The
weights were fitted on FRANK dev's human judgments (Pagnoni et al. 2021) by
``scripts/train_faithfulness.py --fit``. ``params: null`` gives the earlier
hand-set composite (support times a penalty per signal, mean and min averaged).

Long articles: every article sentence is a candidate (no length cut-off; the
cost grows with sentences x summary sentences); sentences over
``CHUNK_WORDS`` words are cut into pieces of that size so that MiniLM's
256-word-piece window sees all of each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from harness.embed import TOKEN_LAYER, Encoders
from harness.lru import LRU
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
from harness.metrics.fit import DEFAULT_PARAMS, SentenceModel
from harness.metrics.fragments import greedy_fragments
from harness.text import STOPWORDS, split_sentences, stem, tokens
from harness.types import Article

# Mean token precision (layer 2, best sentence or adjacent pair) of sentences
# aligned to articles they do not come from; printed by
# `python scripts/train_faithfulness.py --calibrate` (FNC-1 bodies, unlabelled).
BASELINE_PRECISION = 0.49


# Features of one summary sentence, in the order the shipped model expects.
FEATURES = (
    "support",            # rescaled token precision in the best window
    "content_precision",  # share of its content-word stems found in the article
    "bigram_precision",   # share of its stem bigrams found in the article
    "trigram_precision",  # share of its stem trigrams found in the article
    "window_content",     # share of its content-word stems found in the best window
    "novel_words",        # content words whose stem the article lacks
    "novel_names",        # of those, words MiniLM's vocabulary splits (rare: mostly names)
    "novel_numbers",      # numbers the article lacks
    "negation_mismatch",  # 1 when negation parity differs from the best window
    "log_length",         # log(1 + tokens)
    "fragment_coverage",  # Grusky et al.'s coverage of the sentence alone
    "fragment_density",   # Grusky et al.'s density, divided by the sentence's tokens
    "unmatched_pieces",   # share of its word pieces with no cosine >= 0.7 in the best window
    "entail",             # cross-encoder P(entailed) in the window that supports it best
    "contradict",         # cross-encoder P(contradicted), highest over the windows read
)
# The cross-encoder's features; ``support_model: null`` computes the others alone
# (the parameters must then be for those).
SUPPORT_FEATURES = ("entail", "contradict")
# Windows the cross-encoder reads per summary sentence, besides the token-aligned one:
# the article sentences closest by MiniLM sentence embedding (cosine), and one chunk
# (the aligned window with a sentence either side). Round values set by hand (about
# four cross-encoder pairs per sentence), not tuned.
TOP_K_WINDOWS = 2
CHUNK_CONTEXT = 1

# Cut-off of "unmatched_pieces": 0.5 / 0.6 / 0.7 were tried by cross-validation on
# FRANK dev (5 folds by article); 0.7 gave the best out-of-fold XSum correlation
# with CNN/DM unchanged (docs/metrics.md).
UNMATCHED_COSINE = 0.7
# Article sentences longer than this (words) are cut into pieces: 150 words stay
# within MiniLM's 256 word pieces for English news (about 1.3 pieces per word).
CHUNK_WORDS = 150
# Articles (and summary checks) remembered between calls; the pipeline's chunks
# are 16-32 articles, and ``reset`` clears both between chunks.
MEMO_SIZE = 64


@dataclass
class _Index:
    """What every sentence of one article is checked against."""

    sents: list[str]
    tokens: set[str]
    stems: set[str]
    bigrams: set[tuple[str, ...]]
    trigrams: set[tuple[str, ...]]
    numbers: set[str]
    token_list: list[str]


@dataclass
class SentenceCheck:
    """One summary sentence: its evidence, features and score."""

    sentence: str
    window: tuple[int, ...]
    evidence: str
    support: float
    features: dict[str, float]
    bad_entities: list[str]
    bad_numbers: list[str]
    local_signals: int
    novel: list[str]
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    entailed_by: str = ""
    contradicted_by: str = ""

    def to_json(self) -> dict:
        """The side-file record: sentence, score, best span, cross-encoder windows, reasons."""
        out = {"sentence": self.sentence, "score": round(self.score, 4),
               "evidence": self.evidence, "support": round(self.support, 4)}
        if "entail" in self.features:
            out["entailment"] = round(self.features["entail"], 4)
            out["entailed_by"] = self.entailed_by
            out["contradiction"] = round(self.features["contradict"], 4)
            if self.contradicted_by:
                out["contradicted_by"] = self.contradicted_by
        out["reasons"] = self.reasons
        return out


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
                (the default: its features did not raise the out-of-fold FRANK
                figures, so the shipped sentence model does not use them) skips it.
            top_k_windows: article sentences, closest by sentence embedding, that
                the cross-encoder reads besides the aligned window and its chunk.

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
            if not set(self.model.features) <= set(FEATURES):
                raise ValueError(f"faithfulness parameters {path} are for features "
                                 f"{self.model.features}, this code computes {FEATURES}")
        self.support = None
        if support_model is not None:
            from harness.support import SupportModel, shipped

            self.support = shipped() if support_model == "default" else SupportModel(
                support_model)
        self.top_k_windows = top_k_windows
        self.features = FEATURES if self.support is not None else tuple(
            f for f in FEATURES if f not in SUPPORT_FEATURES)
        if self.model is not None and not set(self.model.features) <= set(self.features):
            raise ValueError(f"faithfulness parameters are for features {self.model.features}; "
                             f"with support_model={support_model!r} this metric computes "
                             f"{self.features}")
        self.global_penalty = global_penalty
        self.local_penalty = local_penalty
        self.novel_penalty = novel_penalty
        self.min_weight = min_weight
        self._indexes: LRU[tuple[str, str], _Index] = LRU(MEMO_SIZE)
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
                c.reasons = _reasons(c, row, self.model.features)
            composite = float(np.mean(probs))
        else:
            for c, factor in zip(checks, factors, strict=True):
                c.score = (c.support * factor * self.local_penalty ** c.local_signals
                           * self.novel_penalty ** len(c.novel))
                c.reasons = _reasons(c, None)
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
        fact: its factor holds however the other features look.
        """
        names = self.model.features if self.model is not None else self.features
        x = np.array([[c.features[f] for f in names] for c in checks])
        factors = np.array([self.global_penalty ** (len(c.bad_entities) + len(c.bad_numbers))
                            for c in checks])
        return x, factors

    def check_sentences(self, summary: str, article: Article) -> list[SentenceCheck]:
        """Align every summary sentence and collect its evidence and features.

        The last ``MEMO_SIZE`` results are kept, so that ``explain`` after
        ``score`` of the same pair (``harness score``) does not align it again.
        """
        key = (summary, *_article_key(article))
        memo = self._checks.get(key)
        if memo is not None:
            return memo
        index = self._index(article)
        sum_sents = split_sentences(summary)
        if not sum_sents:
            raise ValueError(f"summary of article {article.id!r} is empty")
        al = align(sum_sents, index.sents, self.encoder, self.layer)
        checks = [self._check(sent, window, prec, best, index)
                  for sent, window, prec, best in zip(sum_sents, al.windows, al.token_precision,
                                                      al.token_best, strict=True)]
        if self.support is not None:
            self._entailment(checks, index)
        self._checks.put(key, checks)
        return checks

    def _windows(self, check: SentenceCheck, index: _Index, sent_vecs: np.ndarray | None,
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
        return list(dict.fromkeys(out))

    def _entailment(self, checks: list[SentenceCheck], index: _Index) -> None:
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

    def _check(self, sent: str, window: tuple[int, ...], prec: float, best: np.ndarray,
               index: _Index) -> SentenceCheck:
        win_text = " ".join(index.sents[j] for j in window)
        toks = tokens(sent)
        stems = [stem(t) for t in toks]
        content = [(t, s) for t, s in zip(toks, stems, strict=True)
                   if t not in STOPWORDS and len(t) > 1]
        novel = [t for t, s in content if s not in index.stems]
        ents, nums = entities(sent), numbers(sent)
        bad_ents = [e for e in ents if not entity_supported(e, index.tokens)]
        bad_nums = sorted(n for n in nums if n not in index.numbers)
        win_stems = {stem(t) for t in tokens(win_text)}
        local = _local_signals(sent, win_text, ents - set(bad_ents), nums - set(bad_nums))
        frags = greedy_fragments(toks, index.token_list) if toks else []
        n = max(1, len(toks))
        support = rescale(prec, self.baseline)
        features = {
            "support": support,
            "content_precision": _share([s in index.stems for _, s in content]),
            "bigram_precision": _share([g in index.bigrams for g in _ngrams(stems, 2)]),
            "trigram_precision": _share([g in index.trigrams for g in _ngrams(stems, 3)]),
            "window_content": _share([s in win_stems for _, s in content]),
            "novel_words": float(len(novel)),
            "novel_names": float(sum(not t.isdigit() and self._rare(t) for t in novel)),
            "novel_numbers": float(len(bad_nums)),
            "negation_mismatch": float(negation_count(sent) % 2 != negation_count(win_text) % 2),
            "log_length": float(np.log1p(len(toks))),
            "fragment_coverage": sum(frags) / n,
            "fragment_density": sum(f * f for f in frags) / n / n,
            "unmatched_pieces": float((best < UNMATCHED_COSINE).mean()),
            "_entities": float(len(ents)),
            "_numbers": float(len(nums)),
        }
        return SentenceCheck(sent, window, win_text, support, features,
                             [" ".join(e) for e in bad_ents], bad_nums, local, novel)

    def _rare(self, word: str) -> bool:
        # A word the MiniLM vocabulary (30k word pieces) splits is rare in English
        # text: mostly names, the hallucinations that matter most.
        return len(self.encoder.tokenizer.tokenize(word)) > 1

    def _index(self, article: Article) -> _Index:
        key = _article_key(article)
        memo = self._indexes.get(key)
        if memo is not None:
            return memo
        sents = _article_sentences(article)
        if not sents:
            raise ValueError(f"article {article.id!r} has no sentences to check against")
        text = " ".join(sents)
        token_list = tokens(text)
        stems = [stem(t) for t in token_list]
        index = _Index(sents, set(token_list), set(stems), _ngrams(stems, 2),
                       _ngrams(stems, 3), numbers(text), token_list)
        self._indexes.put(key, index)
        return index

    def score_batch(self, pairs: Sequence[tuple[str, Article]]) -> list[dict[str, float]]:
        """Embed all sentences the batch needs at once, then score each pair."""
        texts = []
        for summary, article in pairs:
            texts += texts_to_align(split_sentences(summary), _article_sentences(article))
        self.encoder.encode_tokens(texts, self.layer)
        return [self.score(summary, article) for summary, article in pairs]


def _article_key(article: Article) -> tuple[str, str]:
    return article.id, article.headline + "\n" + article.lede + "\n" + article.body


def _share(hits: list[bool]) -> float:
    return float(np.mean(hits)) if hits else 1.0


def _ngrams(seq: list[str], n: int) -> set[tuple[str, ...]]:
    return set(zip(*[seq[i:] for i in range(n)], strict=False))


# Plain words for the features a reason may name.
_REASON = {
    "support": "weak support: little of it matches the closest article passage",
    "content_precision": "words not in the article",
    "bigram_precision": "word pairs not in the article",
    "trigram_precision": "phrases not in the article",
    "window_content": "words not in the closest article passage",
    "novel_words": "words not in the article",
    "novel_names": "names not in the article",
    "novel_numbers": "numbers not in the article",
    "negation_mismatch": "negation differs from the closest article passage",
}


def _reasons(check: SentenceCheck, contrib: np.ndarray | None,
             names: tuple[str, ...] = FEATURES) -> list[str]:
    """Why the sentence lost points, most costly first."""
    out: list[str] = []
    if check.bad_numbers:
        out.append("numbers not in the article: " + ", ".join(check.bad_numbers))
    if check.bad_entities:
        out.append("names not in the article: " + ", ".join(check.bad_entities))
    if check.novel:
        out.append("words not in the article: " + ", ".join(check.novel[:8]))
    if check.features["negation_mismatch"]:
        out.append(_REASON["negation_mismatch"])
    if check.contradicted_by:
        out.append("contradicted by the article: " + check.contradicted_by)
    elif check.features.get("entail", 1.0) < 0.5:
        out.append("no article passage entails it")
    if contrib is not None:
        for i in np.argsort(contrib):
            name = names[i]
            if contrib[i] < -0.25 and name in _REASON and not any(
                    r.startswith(_REASON[name].split(":")[0]) for r in out):
                out.append(_REASON[name])
    elif check.support < 0.5:
        out.append(_REASON["support"])
    return out


def _article_sentences(article: Article) -> list[str]:
    # The headline is part of what the article asserts; the lede is paragraphs[0]
    # for cleaned articles, and is added only when it is not already there.
    sents = split_sentences(article.body)
    extra = [t for t in (article.headline, article.lede) if t and t not in article.body]
    for text in extra:
        sents = split_sentences(text) + sents
    out = []
    for sent in sents:
        words = sent.split()
        out += [" ".join(words[i : i + CHUNK_WORDS]) for i in range(0, len(words), CHUNK_WORDS)]
    return out


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
