"""Finding the headline: which line above the article's text is its title.

Used on whole pages, where the article's span comes from
:func:`harness.clean.page.select_article`: each short line close above its
first prose paragraph is a candidate. A learned ranker
(:class:`HeadlineRanker`, ``harness/params/headline_lines.json``, fitted by
``scripts/fit_headline_lines.py``) scores the candidates' features
(:func:`candidate_features`) and takes the best; without that file the
hand-set :func:`headline_score` does.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from harness.clean.lines import SENTENCE_END, is_prose
from harness.clean.page import Selection, word_count

# A headline is a single short line; 40 words is longer than any headline in the
# BBC and Global News data and shorter than most prose paragraphs.
MAX_HEADLINE_WORDS = 40
# How far before the article the headline is looked for (lines); pages put the
# byline, date, photo and its credit between headline and text.
HEADLINE_WINDOW = 12
# Headline candidates: typical headline lengths (words; news headlines run 6-15
# words, kickers and labels 1-3), how many of the article's first words the
# candidate's words are compared with, and the weights of headline_score's
# features (set by hand on the extraction benchmark's dev pages: the share of
# words shared with the text dominates, length and shape break ties). The
# hand-set score ranks the candidates only where no ranker is shipped (and in
# the benchmark's rules-only rows); HEADLINE_WINDOW is its window.
HEADLINE_MIN_WORDS = 4
HEADLINE_MAX_WORDS = 25
HEADLINE_BODY_WORDS = 300
# Words compared by their first five letters, a crude stemmer for any language
# (truncation stemming; five letters keep most English stems apart).
STEM_PREFIX = 5
# A candidate's word overlap counts in full from this many content words on: a
# one-word section name ("Michigan") matching the text is weak evidence.
HEADLINE_MIN_CONTENT = 3
HEADLINE_WEIGHTS = {
    "length": 1.0,
    "no_full_stop": 1.0,
    "label": 1.0,
    "capital": 0.5,
    "numbers": 2.0,
    "overlap": 2.0,
    "distance": 0.05,
    "sentences": 1.0,
}

_WORD = re.compile(r"\w+")
# A sentence boundary inside a line: a lower-case word, a full stop, a capital
# ("Rep. Ilhan" and "U.S. Forces" are not).
INNER_SENTENCE = re.compile(r"[a-z]{3}[.!?][\"'”’]? +[A-Z]")
# Breadcrumbs ("Home > News > Business", "Mensagens » Autoestima") are not
# headlines. Set for one dev page; kept by cross-validation of headline accuracy
# over both dev sets (benchmarks/extraction.py: +1 page of 70, +2 of 792).
_BREADCRUMB = re.compile(r" [>»›] ")


def is_title(paragraph: str) -> bool:
    """Whether a paragraph reads as a title: 3 to ``MAX_HEADLINE_WORDS`` words, no closing stop."""
    words = word_count(paragraph)
    return 3 <= words <= MAX_HEADLINE_WORDS and not SENTENCE_END.search(paragraph.rstrip("?!"))


def headline_index(paragraphs: list[str], selection: Selection) -> int | None:
    """Find the title line of the article that :func:`select_article` found.

    Candidates (:func:`headline_candidates`) are the lines of at most
    ``MAX_HEADLINE_WORDS`` words a few lines before the article's first prose
    paragraph (a long headline can fall inside the article's span, and the
    span can start on a teaser just above it), and that paragraph itself when
    it looks like a title. The shipped ranker (:func:`shipped`) scores them;
    without it, :func:`headline_score` does: a headline is a title-like line
    (no sentence-ending full stop, capitalised, not a date or a label) that
    shares its content words with the article's first paragraphs, close above
    the text. None when there is no candidate.
    """
    ranker = shipped()
    window = ranker.window if ranker is not None else HEADLINE_WINDOW
    anchor, candidates = headline_candidates(paragraphs, selection, window)
    if not candidates:
        return None
    if ranker is not None:
        scores = ranker.scores(candidate_features(paragraphs, selection, anchor, candidates))
        return candidates[int(np.argmax(scores))]
    body = _body_words(paragraphs, selection, anchor)
    return max(
        candidates,
        key=lambda i: headline_score(paragraphs[i], anchor - i, body, selection.stoplist),
    )


def headline_candidates(
    paragraphs: list[str], selection: Selection, window: int = HEADLINE_WINDOW
) -> tuple[int, list[int]]:
    """The article's first prose line and the headline candidates' indices.

    The lines of 1 to ``MAX_HEADLINE_WORDS`` words among the ``window`` lines
    before that first prose line, and the line itself when it reads as a title
    and something follows it.
    """
    anchor = first_prose(paragraphs, selection)
    lines = range(max(0, anchor - window), anchor)
    candidates = [i for i in lines if 1 <= word_count(paragraphs[i]) <= MAX_HEADLINE_WORDS]
    if anchor + 1 < len(paragraphs) and is_title(paragraphs[anchor]):
        candidates.append(anchor)
    return anchor, candidates


def first_prose(paragraphs: list[str], selection: Selection) -> int:
    """Index of the article's first kept prose sentence (its start when it has none)."""
    for i in range(selection.start, selection.end):
        line = paragraphs[i]
        sentence = SENTENCE_END.search(line) or word_count(line) > MAX_HEADLINE_WORDS
        if selection.keep(i) and is_prose(line) and sentence:
            return i
    return selection.start


def _body_words(paragraphs: list[str], selection: Selection, anchor: int) -> frozenset[str]:
    """Casefolded words of the article's first ``HEADLINE_BODY_WORDS`` words from ``anchor``."""
    words: list[str] = []
    for i in range(anchor, selection.end):
        if selection.keep(i):
            words.extend(_prefix(w) for w in _WORD.findall(paragraphs[i]))
            if len(words) >= HEADLINE_BODY_WORDS:
                break
    return frozenset(words)


def headline_score(
    line: str, distance: int, body: frozenset[str], stoplist: frozenset[str]
) -> float:
    """How much ``line``, ``distance`` lines above the article's text, looks like its headline.

    Features (weights in ``HEADLINE_WEIGHTS``): a headline-like length, no
    sentence-ending full stop, no label colon and no breadcrumb separator, a capital first letter,
    few numbers (dates, times, counters), the share of its content words found
    in the article's first paragraphs (headlines name the story's subject; menu
    entries, kickers and bylines do not), and distance (headlines sit just
    above the text, under kickers, bylines and dates).
    """
    w = HEADLINE_WEIGHTS
    length, no_stop, label, capital, numbers, sentences, overlap, _ = _shape_features(
        line, distance, body, stoplist)
    score = w["length"] * length
    score += w["no_full_stop"] * no_stop
    score -= w["label"] * label
    score += w["capital"] * capital
    score -= w["numbers"] * numbers
    score -= w["sentences"] * sentences
    score += w["overlap"] * overlap
    return score - w["distance"] * distance


def _shape_features(
    line: str, distance: int, body: frozenset[str], stoplist: frozenset[str]
) -> tuple[float, ...]:
    """:func:`headline_score`'s features of one line: the first eight of ``FEATURES``."""
    tokens = _WORD.findall(line)
    words = word_count(line)
    content = [t.casefold() for t in tokens if t.casefold() not in stoplist and not t.isdigit()]
    digits = sum(any(c.isdigit() for c in t) for t in tokens)
    overlap = 0.0
    if content:
        found = sum(_prefix(t) in body for t in content)
        overlap = found / max(len(content), HEADLINE_MIN_CONTENT)
    return (
        float(HEADLINE_MIN_WORDS <= words <= HEADLINE_MAX_WORDS),
        float(not SENTENCE_END.search(line.rstrip("?!"))),
        float(line.endswith(":") or bool(_BREADCRUMB.search(line))),
        float(line[:1].isupper()),
        digits / max(1, len(tokens)),
        float(len(INNER_SENTENCE.findall(line))),
        overlap,
        float(distance),
    )


# --- the learned ranker ------------------------------------------------------------

PARAMS = Path(__file__).resolve().parents[1] / "params" / "headline_lines.json"
# The features a ranker may use, in this order (:func:`candidate_features`).
# The first eight are headline_score's, one column each.
FEATURES = (
    "length", "no_full_stop", "label", "capital", "numbers", "sentences", "overlap",
    "distance",
    "log_distance", "is_anchor", "position", "log_words", "in_span", "kept",
    "title_case", "lead_overlap", "repeated", "separator", "upper", "question",
)


@dataclass(frozen=True)
class HeadlineRanker:
    """A conditional logit over one page's candidates: score = standardised features · weights."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    window: int
    meta: dict = field(default_factory=dict)

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Each candidate's score; ``x`` holds every column of ``FEATURES``."""
        columns = [FEATURES.index(name) for name in self.features]
        z = (np.asarray(x, dtype=np.float64)[:, columns] - self.mean) / self.scale
        return z @ np.asarray(self.weights, dtype=np.float64)

    def to_dict(self) -> dict:
        """The JSON form (``harness/params/headline_lines.json``)."""
        return asdict(self)

    @classmethod
    def load(cls, path: str | Path) -> HeadlineRanker:
        """Read a ranker written by ``to_dict``; ValueError naming the file when malformed."""
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
            ranker = cls(tuple(raw["features"]), tuple(map(float, raw["mean"])),
                         tuple(map(float, raw["scale"])), tuple(map(float, raw["weights"])),
                         int(raw["window"]), dict(raw.get("meta", {})))
        except (OSError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"cannot read the headline ranker {path}: {exc}") from exc
        if not len(ranker.features) == len(ranker.mean) == len(ranker.scale) == len(
                ranker.weights):
            raise ValueError(f"headline ranker {path}: its feature lists differ in length")
        unknown = set(ranker.features) - set(FEATURES)
        if unknown:
            raise ValueError(f"headline ranker {path}: unknown features {sorted(unknown)}")
        if ranker.window < 0 or not all(v > 0 for v in ranker.scale):
            raise ValueError(f"headline ranker {path}: negative window or non-positive scale")
        return ranker


@lru_cache(maxsize=1)
def shipped() -> HeadlineRanker | None:
    """The ranker in ``harness/params/headline_lines.json``; None when the file is not there."""
    return HeadlineRanker.load(PARAMS) if PARAMS.exists() else None


# Separators of a title and its site name ("Storm closes harbour | Courier").
_SEPARATOR = re.compile(r" [|–—-] |::")


def candidate_features(
    paragraphs: list[str], selection: Selection, anchor: int, candidates: list[int]
) -> np.ndarray:
    """One row of ``FEATURES`` per candidate line (float64).

    headline_score's features; the distance's log; whether the line is the
    first prose line itself; its position in the page (0 to 1); its words'
    log; whether it lies in the article's span, and is kept there; the share
    of its longer content words that are capitalised; the share of its content
    words found in the first prose line; how many other lines of the page hold
    its words (titles recur in breadcrumbs and share text); a title-site
    separator; the share of upper-case letters; a closing question mark.
    """
    body = _body_words(paragraphs, selection, anchor)
    lead = frozenset(_prefix(w) for w in _WORD.findall(paragraphs[anchor])) if (
        anchor < len(paragraphs)) else frozenset()
    keys = [" " + " ".join(_WORD.findall(p.casefold())) + " " for p in paragraphs]
    stoplist = selection.stoplist
    rows = []
    for i in candidates:
        line = paragraphs[i]
        distance = anchor - i
        shape = _shape_features(line, distance, body, stoplist)
        tokens = _WORD.findall(line)
        content = [t.casefold() for t in tokens if t.casefold() not in stoplist and not t.isdigit()]
        longer = [t for t in tokens if len(t) >= 4 and not t.isdigit()]
        letters = [c for c in line if c.isalpha()]
        key = keys[i]
        repeated = sum(key in other for j, other in enumerate(keys) if j != i) if len(
            key) > 2 else 0
        lead_overlap = 0.0
        if content:
            lead_overlap = sum(_prefix(t) in lead for t in content) / max(len(content),
                                                                          HEADLINE_MIN_CONTENT)
        rows.append((
            *shape,
            math.log1p(distance),
            float(distance == 0),
            i / max(1, len(paragraphs) - 1),
            math.log1p(word_count(line)),
            float(selection.start <= i < selection.end),
            float(selection.keep(i)),
            sum(t[:1].isupper() for t in longer) / len(longer) if longer else 0.0,
            lead_overlap,
            math.log1p(repeated),
            float(bool(_SEPARATOR.search(line))),
            sum(c.isupper() for c in letters) / len(letters) if letters else 0.0,
            float(line.rstrip().endswith("?")),
        ))
    return np.asarray(rows, dtype=np.float64).reshape(len(candidates), len(FEATURES))


def shares_words(title: str, paragraphs: list[str]) -> bool:
    """Whether a word of ``title`` of four or more letters recurs in the first paragraphs.

    A headline names the story's subject; a page's first line ("Skip to
    content", a section name) does not.
    """
    words = {_prefix(w) for w in _WORD.findall(title) if len(w) >= 4}
    seen = 0
    for paragraph in paragraphs:
        found = _WORD.findall(paragraph)
        if words & {_prefix(w) for w in found}:
            return True
        seen += len(found)
        if seen >= HEADLINE_BODY_WORDS:
            break
    return False


def _prefix(word: str) -> str:
    """A word's first ``STEM_PREFIX`` letters, casefolded: a crude stem (Syria, Syrian)."""
    return word.casefold()[:STEM_PREFIX]
