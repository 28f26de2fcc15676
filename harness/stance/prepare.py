"""Text preparation of the headline check: a headline or body as cached word-level views.

``prepare_body`` and ``prepare_headline`` split and index a text once (tokens,
stems, numbers, bigrams, cue-word counts per sentence; the caller adds MiniLM
vectors); ``window`` and ``subset`` cut a long body down to the sentences the
check reads; ``evidence_order`` ranks the body sentences against the
headline. The features (``harness.stance.features``) and the claim rules
(``harness.stance.rules``) read these views, in training and inference alike.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import numpy as np

from harness.metrics.evidence import entities
from harness.stance.lexicon import (
    CONFIRMING,
    CONTRACTIONS,
    DENIAL,
    DOWNTONERS,
    FALSITY,
    HEDGE_PHRASES,
    HEDGES,
    NEGATION_WORDS,
    REFUTING,
)
from harness.text import content_stems, split_sentences, stem, tokens

# Cue columns of ``Text.cues``.
CUES = ("refute", "hedge", "negation", "denial", "downtoner", "falsity", "confirm")
# A body longer than this many sentences is windowed (see ``window``).
MAX_SENTENCES = 120
LEAD_SENTENCES = 40


@dataclass
class Text:
    """One headline or body sentence list with its cached word-level views."""

    sents: list[str]
    vecs: np.ndarray | None = None
    toks: list[list[str]] = field(default_factory=list)
    stems: list[set[str]] = field(default_factory=list)
    all_stems: set[str] = field(default_factory=set)
    all_tokens: set[str] = field(default_factory=set)
    nums: list[set[str]] = field(default_factory=list)
    all_nums: set[str] = field(default_factory=set)
    cues: np.ndarray | None = None  # (n_sents, len(CUES)) cue counts
    ents: set[tuple[str, ...]] = field(default_factory=set)  # headlines only
    bigrams: set[tuple[str, str]] = field(default_factory=set)


# Numbers as the claim checks read them: digit strings with an optional unit or
# scale glued on ("$500m", "25bn", "1995's", "3.5%") give their digits; number
# words give their value. (harness.metrics.evidence.numbers treats letter-digit
# mixes such as "500m" as codes, which suits names but not money.)
_NUM = re.compile(r"(?<![A-Za-z\d])(\d[\d,]*(?:\.\d+)?)(?=[a-z%'’]*\b)")
_NUM_WORDS = {
    w: str(i) for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())
}
_NUM_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60",
                   "seventy": "70", "eighty": "80", "ninety": "90", "hundred": "100",
                   "dozen": "12", "half": "0.5"})


_COMPOUND = re.compile(r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-"
                       r"(one|two|three|four|five|six|seven|eight|nine)\b", re.IGNORECASE)


def numbers_in(text: str) -> set[str]:
    """The numbers of ``text`` as strings of digits ("$25bn" -> "25", "twenty-one" -> "21")."""
    out = {str(int(_NUM_WORDS[m.group(1).lower()]) + int(_NUM_WORDS[m.group(2).lower()]))
           for m in _COMPOUND.finditer(text)}
    text = _COMPOUND.sub(" ", text)
    out |= {_NUM_WORDS[w] for w in tokens(text) if w in _NUM_WORDS}
    for m in _NUM.finditer(text):
        digits = m.group(1).replace(",", "").rstrip(".")
        out.add(digits[:-2] if digits.endswith(".0") else digits)
    return out


def token_value(tok: str) -> str | None:
    """The number a rouge token stands for ("500m" -> "500", "three" -> "3")."""
    m = re.match(r"\d+", tok)
    return m.group() if m else _NUM_WORDS.get(tok)


def _prepare(sents: list[str]) -> Text:
    t = Text(sents=sents)
    for s in sents:
        toks = tokens(s)
        stems = {stem(w) for w in toks}
        t.toks.append(toks)
        t.stems.append(stems)
        t.all_stems |= stems
        t.all_tokens |= set(toks)
        nums = numbers_in(s)
        t.nums.append(nums)
        t.all_nums |= nums
        t.bigrams |= set(zip(toks, toks[1:], strict=False))
    t.cues = np.array([_cue_counts(s, toks, st) for s, toks, st in zip(sents, t.toks, t.stems,
                                                                       strict=True)],
                      dtype=float).reshape(len(sents), len(CUES))
    return t


def _cue_counts(sent: str, toks: list[str], stems: set[str]) -> list[float]:
    low = sent.lower()
    hedge = len(set(toks) & HEDGES) + sum(p in low for p in HEDGE_PHRASES)
    return [len(stems & REFUTING), hedge, _negations(toks), len(stems & DENIAL),
            len(stems & DOWNTONERS), len(stems & FALSITY), len(stems & CONFIRMING)]


def is_negation(toks: list[str], i: int) -> bool:
    """Whether ``toks[i]`` negates: a negation word, or a contraction stem before "t"."""
    w = toks[i]
    return w in NEGATION_WORDS or (w in CONTRACTIONS and toks[i + 1: i + 2] == ["t"])


def _negations(toks: list[str]) -> int:
    return sum(is_negation(toks, i) for i in range(len(toks)))


def prepare_body(text: str) -> Text:
    """Split and index a body; raises ValueError when no sentence has a word.

    HTML character references ("&#163;") are decoded first, so that their
    digits are not read as numbers.
    """
    sents = [s for s in split_sentences(html.unescape(text)) if tokens(s)]
    if not sents:
        raise ValueError("article has no sentences (no words)")
    return _prepare(sents)


def prepare_headline(headline: str) -> Text:
    """Index a headline as one sentence; raises ValueError when it has no words."""
    headline = html.unescape(headline)
    if not tokens(headline):
        raise ValueError("headline is empty (no words)")
    t = _prepare([" ".join(headline.split())])
    t.ents = entities(t.sents[0])
    return t


def window(head: Text, body: Text) -> list[int]:
    """The body sentences the check reads: all of them, or a window of a long body.

    Bodies of at most ``MAX_SENTENCES`` sentences are read whole. For longer
    ones (about 1 % of FNC-1 bodies) the check reads the first
    ``LEAD_SENTENCES`` (news puts the claim in the lead) plus the later
    sentences sharing the most headline content stems, up to
    ``MAX_SENTENCES`` in all, in body order. This bounds the embedding cost
    per pair while keeping every sentence that repeats the headline's words.
    """
    n = len(body.sents)
    if n <= MAX_SENTENCES:
        return list(range(n))
    want = set(content_stems(head.sents[0]))
    rest = sorted(range(LEAD_SENTENCES, n), key=lambda i: (-len(want & body.stems[i]), i))
    return sorted(range(LEAD_SENTENCES)) + sorted(rest[: MAX_SENTENCES - LEAD_SENTENCES])


def subset(body: Text, idx: list[int]) -> Text:
    """The body restricted to sentences ``idx`` (all cached views kept)."""
    if len(idx) == len(body.sents):
        return body
    t = Text(sents=[body.sents[i] for i in idx],
             vecs=None if body.vecs is None else body.vecs[idx],
             toks=[body.toks[i] for i in idx], stems=[body.stems[i] for i in idx],
             nums=[body.nums[i] for i in idx], cues=body.cues[idx])
    for i in idx:
        t.bigrams |= set(zip(body.toks[i], body.toks[i][1:], strict=False))
        t.all_stems |= body.stems[i]
        t.all_tokens |= set(body.toks[i])
        t.all_nums |= body.nums[i]
    return t


def evidence_order(head: Text, body: Text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Body sentence ranking: mean of MiniLM cosine and headline content-stem share.

    Returns (order, cosines, lexical shares), best sentence first.
    """
    cos = body.vecs @ head.vecs[0]
    want = set(content_stems(head.sents[0]))
    lex = np.array([share(want, s) for s in body.stems])
    return np.argsort(-(0.5 * cos + 0.5 * lex), kind="stable"), cos, lex


def share(wanted: set, have: set) -> float:
    """The share of ``wanted`` found in ``have`` (1.0 when nothing is wanted)."""
    return len(wanted & have) / len(wanted) if wanted else 1.0
