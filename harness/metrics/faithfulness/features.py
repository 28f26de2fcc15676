"""The features of one summary sentence against its article (``FEATURES``).

Each summary sentence, aligned to its best article sentence or adjacent pair,
gets thirteen features: the rescaled token-precision support and the share of
its word pieces without a close match in the window, n-gram precision against
the article and the window, words, names and numbers the article lacks,
negation parity, length, Grusky et al.'s fragment coverage and density (and,
with the cross-encoder, its entailment and contradiction probabilities, filled
in by :mod:`harness.metrics.faithfulness.model`). Also here: the contradiction
signals against the window (a negation the window does not have, a number or
entity found elsewhere in the article but not in the window, two entities in
the opposite order) and the article's sentences, cut to ``CHUNK_WORDS`` words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from harness.metrics.evidence import (
    entities,
    entity_supported,
    negation_count,
    numbers,
    rescale,
)
from harness.metrics.fragments import greedy_fragments
from harness.text import NEGATIONS, STOPWORDS, split_sentences, stem, tokens
from harness.types import Article

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

# Cut-off of "unmatched_pieces": 0.5 / 0.6 / 0.7 were tried by cross-validation on
# FRANK dev (5 folds by article); 0.7 gave the best out-of-fold XSum correlation
# with CNN/DM unchanged (docs/metrics.md).
UNMATCHED_COSINE = 0.7
# Article sentences longer than this (words) are cut into pieces: 150 words stay
# within MiniLM's 256 word pieces for English news (about 1.3 pieces per word).
CHUNK_WORDS = 150

# A *changed copy*: a summary sentence that restates one run of its window's words
# (at least ``COPY_SHARE`` of its words other than negations and numbers, in
# order, in a run not much longer than the sentence) but flips its negation, changes one of its
# numbers, or swaps two of its names. Unlike the looser signals above, which
# fire on 418 of FRANK dev's 1,487 summaries (mostly sentences fused from two
# places), this fires on eight of them, so FRANK's judgments
# cannot weigh it; its penalty factor (``substitution_penalty``) is chosen by
# ``python benchmarks/validate_metrics.py --only substitution`` (docs/metrics.md).
COPY_SHARE = 0.9
COPY_MIN_WORDS = 5
# Span search: each extra window token (not one of the sentence's) costs this
# much against a matched one, so a far-off match of a common word does not
# stretch the run; runs of up to twice the sentence's length are tried.
SPAN_GAP_COST = 0.3
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass
class ArticleIndex:
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
    #: How the sentence changes the run of the article it copies (a flipped
    #: negation, a changed number, swapped names), worded for the reasons.
    changes: list[str] = field(default_factory=list)
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



def sentence_check(sent: str, window: tuple[int, ...], prec: float, best: np.ndarray,
                   index: ArticleIndex, baseline: float,
                   rare: Callable[[str], bool]) -> SentenceCheck:
    """One summary sentence's evidence and features against its aligned window.

    ``prec`` and ``best`` are its token precision and per-piece best cosine in
    the window; ``baseline`` is the precision rescaled to support 0; ``rare``
    tells a word the encoder's vocabulary splits (mostly names).
    """
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
    support = rescale(prec, baseline)
    features = {
        "support": support,
        "content_precision": _share([s in index.stems for _, s in content]),
        "bigram_precision": _share([g in index.bigrams for g in _ngrams(stems, 2)]),
        "trigram_precision": _share([g in index.trigrams for g in _ngrams(stems, 3)]),
        "window_content": _share([s in win_stems for _, s in content]),
        "novel_words": float(len(novel)),
        "novel_names": float(sum(not t.isdigit() and rare(t) for t in novel)),
        "novel_numbers": float(len(bad_nums)),
        "negation_mismatch": float(negation_count(sent) % 2 != negation_count(win_text) % 2),
        "log_length": float(np.log1p(len(toks))),
        "fragment_coverage": sum(frags) / n,
        "fragment_density": sum(f * f for f in frags) / n / n,
        "unmatched_pieces": float((best < UNMATCHED_COSINE).mean()),
        "_entities": float(len(ents)),
        "_numbers": float(len(nums)),
    }
    # A verbatim sentence (one run of the article's tokens) changes nothing.
    copied = features["fragment_density"] >= 1.0 - 1e-9
    return SentenceCheck(sent, window, win_text, support, features,
                         [" ".join(e) for e in bad_ents], bad_nums, local, novel,
                         [] if copied else copy_changes(sent, win_text, ents))


def article_index(article: Article) -> ArticleIndex:
    """The sentences, tokens, stems, n-grams and numbers of one article."""
    sents = article_sentences(article)
    if not sents:
        raise ValueError(f"article {article.id!r} has no sentences to check against")
    text = " ".join(sents)
    token_list = tokens(text)
    stems = [stem(t) for t in token_list]
    return ArticleIndex(sents, set(token_list), set(stems), _ngrams(stems, 2),
                        _ngrams(stems, 3), numbers(text), token_list)


def article_key(article: Article) -> tuple[str, str]:
    """The memo key of an article: its id and all of its text."""
    return article.id, article.headline + "\n" + article.lede + "\n" + article.body


def _share(hits: list[bool]) -> float:
    return float(np.mean(hits)) if hits else 1.0


def _ngrams(seq: list[str], n: int) -> set[tuple[str, ...]]:
    return set(zip(*[seq[i:] for i in range(n)], strict=False))


def article_sentences(article: Article) -> list[str]:
    """The article's sentences: headline and lede first, each cut to ``CHUNK_WORDS`` words."""
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


def _negations(text: str) -> int:
    """Negation words in ``text``, punctuation around them ignored ("'Not" counts)."""
    return sum(_is_negation(w) for w in _WORD.findall(text.lower()))


def copied_run(sent_words: list[str], window: str,
               names: frozenset[str] = frozenset()) -> tuple[str, float]:
    """The run of ``window`` that restates ``sent_words`` best, and how much it restates.

    The run maximises matched words minus ``SPAN_GAP_COST`` per other word,
    widened by a negation word just before or after it. The share is the lower
    of two: the sentence's words found in the run, and the longest common
    subsequence of the two without the words of ``names`` (so that swapped
    names still leave the rest in order), over the sentence's words.
    """
    spans = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(window.lower())]
    if not spans or not sent_words:
        return "", 0.0
    need: dict[str, int] = {}
    for w in sent_words:
        need[w] = need.get(w, 0) + 1
    best, bi, bj, found = -1.0, 0, 0, 0
    for i, (w, _, _) in enumerate(spans):
        if w not in need:
            continue
        have: dict[str, int] = {}
        hits = 0
        for j in range(i, min(len(spans), i + 2 * len(sent_words))):
            t = spans[j][0]
            if t in need and have.get(t, 0) < need[t]:
                have[t] = have.get(t, 0) + 1
                hits += 1
                value = hits - SPAN_GAP_COST * (j - i + 1 - hits)
                if value > best:
                    best, bi, bj, found = value, i, j, hits
    if bi > 0 and _is_negation(spans[bi - 1][0]):
        bi -= 1
    if bj + 1 < len(spans) and _is_negation(spans[bj + 1][0]):
        bj += 1
    run_words = [w for w, _, _ in spans[bi:bj + 1] if not _is_negation(w) and not w.isdigit()]
    plain = [w for w in sent_words if w not in names]
    ordered = (_lcs(plain, [w for w in run_words if w not in names]) + len(sent_words)
               - len(plain))
    return window[spans[bi][1]:spans[bj][2]], min(found, ordered) / len(sent_words)


def _is_negation(word: str) -> bool:
    return word in NEGATIONS or word.endswith("n't")


def _lcs(a: list[str], b: list[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for k, y in enumerate(b):
            cur.append(prev[k] + 1 if x == y else max(prev[k + 1], cur[k]))
        prev = cur
    return prev[-1]


def copy_changes(sent: str, window: str, ents: set) -> list[str]:
    """How ``sent`` changes the run of ``window`` it copies; [] when it copies none.

    A sentence copies a run when at least ``COPY_SHARE`` of its words other than
    negations and numbers (and at least ``COPY_MIN_WORDS`` of them) appear in it
    in order (names aside). Its changes: negation parity differs from the
    run's; it has a number the run lacks while the run has one it lacks; two of
    its names stand in the opposite order.
    """
    # Numbers are compared on their own below, so their digits are not words here.
    words = [w for w in _WORD.findall(sent.lower()) if not _is_negation(w) and not w.isdigit()]
    if len(words) < COPY_MIN_WORDS:
        return []
    # Only a sentence with something to change is searched: a negation on either
    # side, numbers on both, or two names.
    sent_nums = numbers(sent)
    sent_negs = _negations(sent)
    if not (sent_negs or _negations(window) or (sent_nums and numbers(window))
            or len(ents) >= 2):
        return []
    run, share = copied_run(words, window, frozenset(t for e in ents for t in e))
    if share < COPY_SHARE:
        return []
    out = []
    if sent_negs % 2 != _negations(run) % 2:
        out.append(f"negation flipped against the article: \"{run}\"")
    run_nums = numbers(run)
    if sent_nums - run_nums and run_nums - sent_nums:
        out.append(f"number {', '.join(sorted(sent_nums - run_nums))} where the article has "
                   f"{', '.join(sorted(run_nums - sent_nums))}: \"{run}\"")
    if _order_swaps(sent, run, ents):
        out.append(f"names in the opposite order from the article: \"{run}\"")
    return out
