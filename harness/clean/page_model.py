"""The learned line model: which lines of a whole page's text are the article.

The rules of :mod:`harness.clean.page` find the article as one dense run of
prose; pages whose article is a list, or whose run of prose holds a teaser
list, defeat them. The line model reads each line with what the rules saw
(its class before and after context, whether it is in the densest span, in
the chosen segment, in a list run, kept) and with features of its own and
of its neighbours, in two stages of gradient-boosted trees:

1. *Line.* Per line, :func:`line_features` (:data:`LINE_FEATURES`): length,
   stop-word share, sentences, capitals, digits, the rules' classes and
   spans, neighbours' classes, position in the page.
2. *Context.* Per line, the stage-1 probabilities of the line and its
   neighbours (:func:`context_features`, :data:`CONTEXT_FEATURES`): the mean
   over eleven lines, the highest before and after, and the page's densest
   run of likely lines (Kadane over ``words × (p - 0.5)``).

A line is article text when its stage-2 probability is at least the
threshold and it lies in the densest run of such lines (Kadane again, over
the stage-2 probabilities). The model is fitted by ``scripts/train_page_lines.py``
on the dev pages of two extraction benchmarks and ships as
``harness/params/page_lines.json``; the trees are evaluated here with numpy.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from harness.clean.page import PageLines, Selection, analyse, densest_span

PARAMS = Path(__file__).resolve().parents[1] / "params" / "page_lines.json"

LINE_FEATURES = (
    "log_words", "log_chars", "stop_share", "sentences", "has_sentence", "sentence_end",
    "colon_end", "first_good", "first_near", "first_short", "first_bad", "context_good",
    "rules_keep", "in_densest", "in_segment", "in_selection", "lines_before_selection",
    "lines_after_selection", "position", "good_words_before", "good_words_after",
    "capitals", "digits", "separator", "copyright", "glued_teaser", "in_list_run",
    "repeated", "no_stoplist", "good_prev1", "good_next1", "good_prev2", "good_next2",
    "log_words_prev1", "log_words_next1", "window_good", "window_log_good_words",
    "keep_prev1", "keep_next1",
)
CONTEXT_FEATURES = (
    "p", "p_prev1", "p_next1", "p_prev2", "p_next2", "p_window", "p_max_before",
    "p_max_after", "p_mass_before", "p_mass_after", "in_likely_run", "lines_before_run",
    "lines_after_run",
)
# Stage 2's densest run of likely lines is taken over ``p - LIKELY`` (fixed, so
# that the decision threshold can be chosen without refitting).
LIKELY = 0.5
# Neighbours either side that the window features average over.
WINDOW = 5
# Distances (in lines) from a span are capped here and scaled to [0, 1].
MAX_DISTANCE = 20

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?。！？…][\"'”’»)\]]*$")
_SEPARATOR = re.compile(r"[|»›•·]")


def _distance(i: int, start: int, end: int) -> tuple[float, float]:
    """Lines from ``i`` up to ``start`` and down from ``end - 1``, capped and scaled."""
    before = min(max(0, start - i), MAX_DISTANCE) / MAX_DISTANCE
    after = min(max(0, i - end + 1), MAX_DISTANCE) / MAX_DISTANCE
    return before, after


def line_features(lines: list[str], page: PageLines | None = None) -> np.ndarray:
    """Stage-1 features of every line (columns :data:`LINE_FEATURES`)."""
    page = page or analyse(lines)
    sel, n = page.selection, len(lines)
    words = np.array([f.words for f in page.features], dtype=float)
    good = np.array([c == "good" for c in page.context], dtype=float)
    keep = np.array([sel.keep(i) for i in range(n)], dtype=float)
    in_list = np.zeros(n)
    for a, b in page.list_runs:
        in_list[a:b] = 1.0
    good_words = good * words
    total_good = good_words.sum() or 1.0
    before_good = np.cumsum(good_words) - good_words
    counts = Counter(line.casefold() for line in lines)
    padded = np.concatenate([[0.0, 0.0], good, [0.0, 0.0]])
    log_words = np.log1p(words)
    rows = np.zeros((n, len(LINE_FEATURES)))
    for i, (line, f) in enumerate(zip(lines, page.features, strict=True)):
        tokens = _WORD.findall(line)
        count = max(1, len(tokens))
        lo, hi = max(0, i - WINDOW), min(n, i + WINDOW + 1)
        rows[i] = (
            math.log1p(f.words), math.log1p(f.chars), f.stop_share, min(f.sentences, 5) / 5,
            float(f.sentences > 0), float(bool(_SENTENCE_END.search(line))),
            float(line.rstrip().endswith(":")),
            page.first[i] == "good", page.first[i] == "near", page.first[i] == "short",
            page.first[i] == "bad", good[i], keep[i],
            page.densest[0] <= i < page.densest[1], page.segment[0] <= i < page.segment[1],
            sel.start <= i < sel.end, *_distance(i, sel.start, sel.end),
            i / max(1, n - 1), before_good[i] / total_good,
            1.0 - (before_good[i] + good_words[i]) / total_good,
            sum(t[0].isupper() for t in tokens) / count,
            sum(t.isdigit() for t in tokens) / count,
            float(bool(_SEPARATOR.search(line))), float(f.copyright), float(f.teaser),
            in_list[i], float(counts[line.casefold()] > 1), float(not sel.stoplist),
            padded[i + 1], padded[i + 3], padded[i], padded[i + 4],
            log_words[i - 1] if i > 0 else 0.0, log_words[i + 1] if i + 1 < n else 0.0,
            good[lo:hi].mean(), math.log1p(good_words[lo:hi].sum()),
            keep[i - 1] if i > 0 else 0.0, keep[i + 1] if i + 1 < n else 0.0,
        )
    return rows


def likely_run(p: np.ndarray, words: np.ndarray, threshold: float) -> tuple[int, int]:
    """``[start, end)`` of the densest run of likely lines: Kadane over ``words × (p - t)``."""
    return densest_span(list(words * (p - threshold)))


def context_features(p: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Stage-2 features of every line from the stage-1 probabilities (:data:`CONTEXT_FEATURES`)."""
    n = len(p)
    padded = np.concatenate([[0.0, 0.0], p, [0.0, 0.0]])
    mass = np.concatenate([[0.0], np.cumsum(p)])
    total = max(1.0, mass[-1])
    start, end = likely_run(p, words, LIKELY)
    rows = np.zeros((n, len(CONTEXT_FEATURES)))
    for i in range(n):
        lo, hi = max(0, i - WINDOW), min(n, i + WINDOW + 1)
        rows[i] = (
            p[i], padded[i + 1], padded[i + 3], padded[i], padded[i + 4],
            (mass[hi] - mass[lo]) / (hi - lo),
            p[:i].max() if i else 0.0, p[i + 1 :].max() if i + 1 < n else 0.0,
            mass[i] / total, 1.0 - mass[i + 1] / total,
            float(start <= i < end), *_distance(i, start, end),
        )
    return rows


@dataclass(frozen=True)
class Trees:
    """A binary gradient-boosted tree ensemble as flat arrays, evaluated with numpy.

    Node ``k`` of tree ``t`` splits on ``feature[t][k] <= threshold[t][k]``
    (left) or goes right; children below zero are leaves ``~child``.
    """

    feature: tuple[np.ndarray, ...]
    threshold: tuple[np.ndarray, ...]
    left: tuple[np.ndarray, ...]
    right: tuple[np.ndarray, ...]
    leaf_value: tuple[np.ndarray, ...]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The probability of the positive class for each row of ``x``."""
        score = np.zeros(len(x))
        rows = np.arange(len(x))
        for feat, thr, left, right, leaves in zip(
            self.feature, self.threshold, self.left, self.right, self.leaf_value, strict=True
        ):
            if len(feat) == 0:  # a tree of one leaf
                score += leaves[0]
                continue
            node = np.zeros(len(x), dtype=np.int64)
            active = np.ones(len(x), dtype=bool)
            while active.any():
                k = node[active]
                go_left = x[rows[active], feat[k]] <= thr[k]
                node[active] = np.where(go_left, left[k], right[k])
                active = node >= 0
            score += leaves[~node]
        return 1.0 / (1.0 + np.exp(-score))

    @classmethod
    def from_dict(cls, data: dict) -> Trees:
        """Read the arrays written by :meth:`to_dict`."""
        def arrays(key: str, dtype: type) -> tuple[np.ndarray, ...]:
            return tuple(np.asarray(t, dtype=dtype) for t in data[key])

        return cls(arrays("feature", np.int64), arrays("threshold", np.float64),
                   arrays("left", np.int64), arrays("right", np.int64),
                   arrays("leaf_value", np.float64))

    def to_dict(self) -> dict:
        """Plain lists, for JSON."""
        return {key: [a.tolist() for a in getattr(self, key)]
                for key in ("feature", "threshold", "left", "right", "leaf_value")}


@dataclass(frozen=True)
class LineModel:
    """The two stages and the threshold."""

    line: Trees
    context: Trees
    threshold: float

    def probabilities(self, lines: list[str], page: PageLines | None = None) -> np.ndarray:
        """Stage-2 probability that each line is article text."""
        page = page or analyse(lines)
        words = np.array([f.words for f in page.features], dtype=float)
        p = self.line.predict(line_features(lines, page))
        return self.context.predict(context_features(p, words))

    def select(self, lines: list[str], page: PageLines | None = None) -> Selection:
        """The article's lines as a :class:`Selection`: likely lines in their densest run."""
        page = page or analyse(lines)
        words = np.array([f.words for f in page.features], dtype=float)
        p = self.probabilities(lines, page)
        start, end = likely_run(p, words, self.threshold)
        kept = [start <= i < end and p[i] >= self.threshold for i in range(len(lines))]
        if not any(kept):
            return Selection(["bad"] * len(lines), 0, 0, 0, page.selection.stoplist)
        first = kept.index(True)
        last = len(kept) - kept[::-1].index(True)
        good_words = int(sum(w for w, k in zip(words, kept, strict=True) if k))
        classes = ["good" if k else "bad" for k in kept]
        return Selection(classes, first, last, good_words, page.selection.stoplist)

    @classmethod
    def from_dict(cls, data: dict) -> LineModel:
        """Read a model written by :meth:`to_dict`; the feature lists must match this code's."""
        if tuple(data["line_features"]) != LINE_FEATURES or (
            tuple(data["context_features"]) != CONTEXT_FEATURES
        ):
            raise ValueError("page line model: its feature lists do not match this version of "
                             "harness.clean.page_model; refit it with scripts/train_page_lines.py")
        return cls(Trees.from_dict(data["line"]), Trees.from_dict(data["context"]),
                   float(data["threshold"]))

    def to_dict(self) -> dict:
        """Plain data for JSON, with the feature lists it was fitted on."""
        return {"line_features": list(LINE_FEATURES), "context_features": list(CONTEXT_FEATURES),
                "threshold": self.threshold, "line": self.line.to_dict(),
                "context": self.context.to_dict()}


@lru_cache(maxsize=1)
def shipped() -> LineModel | None:
    """The model in ``harness/params/page_lines.json`` (read once per process).

    :mod:`harness.clean.text` keeps the rules' selection where this gives None (the
    extraction benchmark's rules-only row switches the model off that way).
    """
    return LineModel.from_dict(json.loads(PARAMS.read_text(encoding="utf-8")))
