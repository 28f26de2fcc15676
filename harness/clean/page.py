"""Find the article in the text of a whole web page.

A page's text holds the article among navigation menus, footers, cookie and
subscription blocks, related-article lists and comment sections. No site
lists: each line is judged by features of its own, in the spirit of jusText
(Pomikálek 2011, "Removing Boilerplate and Duplicate Content from Web
Corpora", ch. 3):

1. *Line class.* ``good`` lines are long and read like prose (many stop words,
   sentence punctuation); ``short`` lines are too short to judge; ``bad`` lines
   are long but read like lists of names or links (few stop words), or are
   boilerplate by a :mod:`harness.clean.rules` rule.
2. *Context.* Short lines take the class of the good lines around them (a
   one-line quote between paragraphs is content, a menu item among menu items
   is not).
3. *Position.* The article is the densest run of good lines: the contiguous
   span of lines that maximises ``good words - other words`` (a maximum-sum
   subarray, Kadane's algorithm; the same idea as Finn et al. 2001, "Fact or
   fiction: content classification for digital libraries", body-text
   extraction). Lines outside it are dropped, except good lines of a second
   run of prose that is as dense as the article (articles split by a
   related-articles box).

Everything is linear in the number of lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.clean.language import WORD, page_stoplist, word_count

# jusText's defaults (justext.core: LENGTH_LOW_DEFAULT = 70, LENGTH_HIGH_DEFAULT
# = 200, STOPWORDS_LOW_DEFAULT = 0.30, STOPWORDS_HIGH_DEFAULT = 0.32), in
# characters and stop-word share of the words.
LENGTH_LOW = 70
LENGTH_HIGH = 200
STOPWORDS_LOW = 0.30
STOPWORDS_HIGH = 0.32
# A long sentence with at least this stop-word share is near-good (see line_class).
STOPWORDS_SENTENCE = 0.15
# Articles put at most a subheading and a photo credit, or a two-line quote,
# between paragraphs; longer runs of short lines are menus and link lists.
MAX_SHORT_RUN = 3
# A run of this many lines that are not article text (menus, a teaser block,
# a comment header and its metadata) separates the article from what follows.
MIN_GAP = 4
# A segment next to the article's best one joins it when its share of good
# lines is at least this fraction of the best one's (articles: ~0.9-1.0; teaser
# lists alternate title/author/teaser, ~0.3-0.5). 0.75 was chosen over 0.8 (set
# for one dev page) by cross-validation over the 70 extraction and 792 WCXB
# dev pages (benchmarks/extraction.py, every fold).
SEGMENT_SHARE_RATIO = 0.75
_SENTENCE_END = re.compile(r"[.!?。！？…]['\"”’»)\]]*(?:\s|$)")
# A teaser of a related-articles list rendered as one line: a Title Case title
# glued to its teaser sentence ("... At Troy SteakhouseA party of six left ...",
# "... On The Rise?Violence is part of ..."): a word of three or more lower-case
# letters (or ?!) and a quote) followed, with no space, by a capitalised word.
# Two-letter prefixes (McDonald, iPhone) and camel-case names are not glued titles.
_GLUED = re.compile(r"(?:(?<=[a-z]{2})[a-z]|[?!)’”])(?=[A-Z][a-z]* )")
_TITLE_WORD = re.compile(r"[^\W\d_][\w'’-]{3,}")
# A glued title has at least this many words of four or more letters, this
# share of them capitalised (Title Case), and is followed by a teaser of at
# least this many words; only the first GLUED_SEARCH characters are searched.
GLUED_TITLE_WORDS = 3
GLUED_TITLE_CAPITALS = 0.7
GLUED_TEASER_WORDS = 6
GLUED_SEARCH = 200
# The punctuation that shapes a list item ("Path A: ...", "1) ...", "England
# (Group A): 10th ..."): a list is a run of lines with the same shape.
_SHAPE = re.compile(r"[():;,/|–—*•-]")
# A list has at least this many items; its items repeat a shape every line or
# every other line (an item and its link); it joins the article when it starts
# at most LIST_GAP lines after an article line (a subheading between).
MIN_LIST_ITEMS = 3
LIST_GAP = 2
_COPYRIGHT = re.compile(r"©|\bcopyright\b|\ball rights reserved\b", re.I)


@dataclass(frozen=True)
class LineFeatures:
    """What the classifier looks at in one line."""

    chars: int
    words: int
    stop_share: float
    sentences: int
    copyright: bool
    teaser: bool = False


def features(line: str, stoplist: frozenset[str]) -> LineFeatures:
    """Measure the features of one line."""
    tokens = WORD.findall(line)
    stops = sum(t.casefold() in stoplist for t in tokens)
    return LineFeatures(
        chars=len(line),
        words=word_count(line),
        stop_share=stops / len(tokens) if tokens else 0.0,
        sentences=len(_SENTENCE_END.findall(line)),
        copyright=bool(_COPYRIGHT.search(line)),
        teaser=glued_teaser(line),
    )


def glued_teaser(line: str) -> bool:
    """Whether ``line`` is a Title Case title glued to a teaser (a related-articles item)."""
    if len(line) < LENGTH_LOW:
        return False
    for match in _GLUED.finditer(line[:GLUED_SEARCH]):
        words = _TITLE_WORD.findall(line[: match.end()])
        if (
            len(words) >= GLUED_TITLE_WORDS
            and sum(w[0].isupper() for w in words) >= GLUED_TITLE_CAPITALS * len(words)
            and len(line[match.end() :].split()) >= GLUED_TEASER_WORDS
        ):
            return True
    return False


def line_class(f: LineFeatures, has_stoplist: bool) -> str:
    """``good``, ``near`` (near-good), ``short`` or ``bad``: jusText's context-free classes."""
    if (f.copyright and f.chars < LENGTH_HIGH) or f.teaser:
        return "bad"
    if f.chars < LENGTH_LOW:
        # A short sentence that reads like prose (an article's closing quote)
        # is judged by its neighbours like a near-good line.
        prose = f.sentences >= 1 and f.words >= 3 and f.stop_share >= STOPWORDS_LOW
        return "near" if prose and has_stoplist else "short"
    if not has_stoplist:
        # No language model: sentences are what sets prose apart from lists.
        if f.sentences >= 1 and f.chars >= LENGTH_HIGH // 2:
            return "good"
        return "near" if f.sentences >= 1 else "bad"
    if f.stop_share >= STOPWORDS_HIGH and (f.chars >= LENGTH_HIGH or f.sentences >= 1):
        return "good"
    if f.stop_share >= STOPWORDS_LOW:
        return "near"
    # News ledes pack names and numbers (stop-word share 0.15-0.30) but are
    # sentences; lists of names and links have hardly any stop words.
    if f.sentences >= 1 and f.stop_share >= STOPWORDS_SENTENCE:
        return "near"
    return "bad"


def with_context(classes: list[str]) -> list[str]:
    """JusText's context step: short and near-good lines take their neighbours' class.

    A near-good line next to a good one is good; a short line is good when the
    nearest good-or-bad lines on both sides are good (the edges of the text
    count as bad) and it is not part of a run of more than ``MAX_SHORT_RUN``
    short lines; other short and near-good lines are bad. jusText judges link
    lists by their link density; plain text has no links, and the length of the
    run is what sets a menu apart from a subheading between two paragraphs.
    """
    prev_class = _nearest_classes(classes, range(len(classes)))
    next_class = _nearest_classes(classes, range(len(classes) - 1, -1, -1))
    runs = _short_runs(classes)
    out = list(classes)
    for i, c in enumerate(classes):
        around = (prev_class[i], next_class[i])
        if c == "near":
            out[i] = "good" if "good" in around else "bad"
        elif c == "short":
            ok = around == ("good", "good") and runs[i] <= MAX_SHORT_RUN
            out[i] = "good" if ok else "bad"
    return out


def _short_runs(classes: list[str]) -> list[int]:
    """Per line, the length of the run of consecutive short lines it is in (0 if not short)."""
    runs = [0] * len(classes)
    i = 0
    while i < len(classes):
        if classes[i] != "short":
            i += 1
            continue
        j = i
        while j < len(classes) and classes[j] == "short":
            j += 1
        runs[i:j] = [j - i] * (j - i)
        i = j
    return runs


def _nearest_classes(classes: list[str], order: range) -> list[str]:
    """Per line, the class of the nearest good-or-bad line met before it in ``order``."""
    nearest, last = [""] * len(classes), "bad"
    for i in order:
        nearest[i] = last
        if classes[i] in ("good", "bad"):
            last = classes[i]
    return nearest


def densest_span(weights: list[float]) -> tuple[int, int]:
    """``(start, end)`` of the contiguous span with the largest sum (Kadane); end exclusive."""
    best, best_span = float("-inf"), (0, 0)
    running, start = 0.0, 0
    for i, w in enumerate(weights):
        if running <= 0:
            running, start = w, i
        else:
            running += w
        if running > best:
            best, best_span = running, (start, i + 1)
    return best_span


def _segments(context: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` split at runs of ``MIN_GAP`` or more lines that are not good."""
    segments, seg_start, gap = [], start, 0
    for i in range(start, end):
        if context[i] == "good":
            if gap >= MIN_GAP and i - gap > seg_start:
                segments.append((seg_start, i - gap))
                seg_start = i
            gap = 0
        else:
            gap += 1
    segments.append((seg_start, end - gap))
    return segments


def best_segment(
    context: list[str], feats: list[LineFeatures], start: int, end: int
) -> tuple[int, int]:
    """Narrow the densest span to the article: its best segment and like neighbours.

    The span can run on over a list of teasers (a title, an author line, a
    teaser paragraph, …) or a comment feed after the article, because their
    teasers read like prose. Split at gaps of ``MIN_GAP`` lines, an article's
    segment is a run of mostly consecutive good lines, a teaser list's is not:
    each segment scores ``good words × share of good lines``; neighbours of the
    best segment whose share of good lines is close to its share join it.
    """
    segments = _segments(context, start, end)

    def share(seg: tuple[int, int]) -> float:
        return sum(c == "good" for c in context[seg[0] : seg[1]]) / max(1, seg[1] - seg[0])

    def score(seg: tuple[int, int]) -> float:
        good = sum(
            f.words
            for f, c in zip(feats[seg[0] : seg[1]], context[seg[0] : seg[1]], strict=True)
            if c == "good"
        )
        return good * share(seg)

    best = max(range(len(segments)), key=lambda k: score(segments[k]))
    lo = hi = best
    while lo > 0 and share(segments[lo - 1]) >= SEGMENT_SHARE_RATIO * share(segments[best]):
        lo -= 1
    while hi + 1 < len(segments) and (
        share(segments[hi + 1]) >= SEGMENT_SHARE_RATIO * share(segments[best])
    ):
        hi += 1
    return segments[lo][0], segments[hi][1]


def shape(line: str) -> str:
    """A list item's shape: its first two marks of punctuation, digits as ``0``."""
    head = line[:LENGTH_LOW]
    marks = _SHAPE.findall(head)[:2]
    return ("0" if head[:1].isdigit() else "") + "".join(marks)


def list_runs(lines: list[str]) -> list[tuple[int, int]]:
    """``[a, b)`` runs of ``MIN_LIST_ITEMS`` or more short lines shaped like list items.

    Each line of a run has the shape of the line one or two before it (an item
    alone, or an item and its link); lines of no punctuation (menu entries) are
    not list items.
    """
    shapes = [shape(line) if len(line) < LENGTH_HIGH else "" for line in lines]
    runs, a = [], 0
    for i in range(len(lines) + 1):
        same = (
            i < len(lines)
            and shapes[i]
            and any(i - k >= a and shapes[i - k] == shapes[i] for k in (1, 2))
        )
        if not same:
            if i - a >= MIN_LIST_ITEMS and any(shapes[a:i]):
                runs.append((a, i))
            a = i
    return runs


@dataclass(frozen=True)
class Selection:
    """Where the article is in a page's lines.

    ``classes`` holds each line's class after context (``good`` or ``bad``);
    the article is ``lines[start:end]`` less its ``bad`` short lines.
    """

    classes: list[str]
    start: int
    end: int
    good_words: int
    stoplist: frozenset[str] = frozenset()

    def keep(self, i: int) -> bool:
        """Whether line ``i`` is article text."""
        return self.start <= i < self.end and self.classes[i] == "good"


@dataclass(frozen=True)
class PageLines:
    """Every step of the rule-based selection of one page, for the line model.

    ``features``, ``first`` and ``context`` per line; ``densest`` the
    maximum-sum span, ``segment`` its best segment with like neighbours,
    ``list_runs`` the list-shaped runs, ``selection`` the rules' choice.
    """

    features: list[LineFeatures]
    first: list[str]
    context: list[str]
    densest: tuple[int, int]
    segment: tuple[int, int]
    list_runs: list[tuple[int, int]]
    selection: Selection


def select_article(lines: list[str]) -> Selection:
    """Find the article among a page's lines (paragraphs) by the rules alone."""
    return analyse(lines).selection


def analyse(lines: list[str]) -> PageLines:
    """Find the article among a page's lines, keeping every step (:class:`PageLines`).

    Inside the densest span, lines the context step calls bad are dropped only
    when they are short: a long line with few stop words inside the article (a
    list of names, a table row) is more often content than boilerplate.
    """
    stoplist = page_stoplist(lines)
    feats = [features(line, stoplist) for line in lines]
    first = [line_class(f, bool(stoplist)) for f in feats]
    context = with_context(first)
    if stoplist and "good" not in context:
        # No line reads like prose (results, a list of facts): fall back on
        # length and sentence punctuation, as for a page of unknown language.
        first = [line_class(f, False) for f in feats]
        context = with_context(first)
    weights = [
        float(f.words) if c == "good" else -float(f.words)
        for f, c in zip(feats, context, strict=True)
    ]
    densest = densest_span(weights)
    start, end = segment = best_segment(context, feats, *densest)
    classes = [
        "good" if c == "good" or (first[i] != "short" and start <= i < end) else "bad"
        for i, c in enumerate(context)
    ]
    runs = list_runs(lines)
    for a, b in runs:
        before = [i for i in range(max(start, a - LIST_GAP), min(a, end)) if classes[i] == "good"]
        if not before or a >= end + LIST_GAP or b <= start:
            continue
        classes[before[-1] + 1 : b] = ["good"] * (b - before[-1] - 1)
        end = max(end, b)
    good_words = sum(
        f.words for f, c in zip(feats[start:end], context[start:end], strict=True) if c == "good"
    )
    selection = Selection(classes, start, end, good_words, stoplist)
    return PageLines(feats, first, context, densest, segment, runs, selection)
