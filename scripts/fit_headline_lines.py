r"""Fit the headline ranker of page text (``harness/params/headline_lines.json``).

Data: the dev pages of the two extraction benchmarks under the corpora folder
(``$HARNESS_CORPORA`` or ``../shared/corpora``): ``extraction/`` (70 Zyte
pages) and ``wcxb/`` (792 WCXB pages). Each page's visible text
(:func:`harness.clean.render.html_to_text`) is cleaned by
:func:`harness.clean.clean_text` with the shipped line model up to the
headline; where it is a whole page, the headline candidates of
:func:`harness.clean.title.headline_candidates` (window ``WINDOWS[-1]`` lines)
and their features (:func:`harness.clean.title.candidate_features`) are kept.

Labels: a candidate is right when ``headline_ok`` of
``benchmarks/extraction.py`` holds for it: WCXB, the same lower-cased words as
its human-reviewed ``title``; Zyte, its words contiguous in the page's
``<title>`` (or the reverse).

Model: a conditional logit (a softmax over each page's candidates) on
standardised features, the target spread evenly over a page's right
candidates (pages with none, or with one candidate, do not count), an L2
penalty on the weights; fitted by Newton's method from zeros in float64
(deterministic: reruns write the same bytes). Pages weigh alike within a set.

Choice: features (``FEATURE_SETS``), the candidate window (``WINDOWS``), the
L2 strength (``L2``) and the sets' weights (``SET_WEIGHTING``) are chosen by
5-fold out-of-fold headline accuracy, folds as the benchmark's ``fold_of``
(pages assigned by a hash of set and id), by the lower of the two sets'
accuracy (ties: the higher mean, then the grid's order). Accuracy counts what
the cleaner's headline would be with each pick (a pick that opens a story is
no headline; a page cleaned as a plain article keeps its first line). The
grid and the hand-set ``headline_score``'s accuracy are printed; the ranker
is written only when it beats the hand-set score out of fold on both sets (or
ties on one and beats it on the other). Out of fold here, the pages' lines
come from the shipped line model (fitted on all pages); the benchmark's
(c-cv) rows refit both models per fold.

Usage: ``python scripts/fit_headline_lines.py [--corpora DIR] [--cache DIR]
[--out FILE]`` (``--cache``: see ``benchmarks/extraction.py``; about a minute).
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from harness.clean import CleaningError, clean_text  # noqa: E402
from harness.clean import text as text_mod  # noqa: E402
from harness.clean import title as title_mod  # noqa: E402
from harness.clean.normalize import normalize_text  # noqa: E402
from harness.clean.title import (  # noqa: E402
    FEATURES,
    HEADLINE_WINDOW,
    PARAMS,
    HeadlineRanker,
    candidate_features,
    headline_candidates,
    headline_score,
)

FOLDS = 5
HAND = FEATURES[:8]  # headline_score's own features
FEATURE_SETS = {"hand": HAND, "all": FEATURES}
WINDOWS = (12, 20, 30)
L2 = (0.1, 1.0, 10.0)
# "pages": every page weighs 1; "sets": each set's pages weigh 1 in all.
SET_WEIGHTING = ("pages", "sets")
NEWTON_STEPS = 50


@dataclass(frozen=True)
class PageCandidates:
    """One page's headline candidates, their features, labels and outcomes."""

    kind: str
    id: str
    x: np.ndarray  # candidates x FEATURES
    right: np.ndarray  # headline_ok of each candidate (the label)
    outcome: np.ndarray  # whether the cleaner's headline is right with that pick
    fallback: bool  # whether it is right with no pick (or when the page is not ranked)
    hand: int | None  # headline_score's pick at HEADLINE_WINDOW


def collect(kind: str, page, window: int = WINDOWS[-1]) -> PageCandidates:  # noqa: ANN001
    """Clean one benchmark page up to the headline and keep its candidates.

    Uses whatever line model ``page_model.shipped`` gives (the benchmark
    patches in a fold's model).
    """
    import extraction  # benchmarks/extraction.py: headline_ok

    calls = []

    def record(paragraphs: list[str], selection: object) -> None:
        calls.append((paragraphs, selection))

    with mock.patch.object(text_mod, "headline_index", record), \
            mock.patch.object(title_mod, "shipped", lambda: None):
        try:
            article = clean_text(page.text, page.id)
        except CleaningError:
            article = None
    fallback = article is not None and extraction.headline_ok(kind, article.headline, page.title)
    empty = np.zeros((0, len(FEATURES)))
    if not calls or article is None:
        return PageCandidates(kind, page.id, empty, np.zeros(0, bool), np.zeros(0, bool),
                              fallback, None)
    paragraphs, selection = calls[0]
    anchor, candidates = headline_candidates(paragraphs, selection, window)
    if not candidates:
        return PageCandidates(kind, page.id, empty, np.zeros(0, bool), np.zeros(0, bool),
                              fallback, None)
    x = candidate_features(paragraphs, selection, anchor, candidates)
    lines = [normalize_text(paragraphs[i]).replace("\n", " ").strip() for i in candidates]
    right = np.array([extraction.headline_ok(kind, line, page.title) for line in lines])
    outcome = np.array([fallback if text_mod.opens_story(paragraphs[i]) else ok
                        for i, ok in zip(candidates, right, strict=True)])
    body = title_mod._body_words(paragraphs, selection, anchor)
    near = [k for k, i in enumerate(candidates) if anchor - i <= HEADLINE_WINDOW]
    hand = max(near, key=lambda k: headline_score(
        paragraphs[candidates[k]], anchor - candidates[k], body, selection.stoplist)) if (
        near) else None
    return PageCandidates(kind, page.id, x, right, outcome, fallback, hand)


def _window(page: PageCandidates, window: int) -> np.ndarray:
    """Which of the page's candidates lie within ``window`` lines of the text."""
    return page.x[:, FEATURES.index("distance")] <= window


def pick(ranker: HeadlineRanker, page: PageCandidates) -> int | None:
    """The ranker's candidate (an index into the page's candidates)."""
    inside = np.flatnonzero(_window(page, ranker.window))
    if not inside.size:
        return None
    return int(inside[int(np.argmax(ranker.scores(page.x[inside])))])


def correct(page: PageCandidates, chosen: int | None) -> bool:
    """Whether the cleaner's headline is right with that pick."""
    return page.fallback if chosen is None else bool(page.outcome[chosen])


def fit(pages: list[PageCandidates], features: tuple[str, ...] = FEATURES,
        window: int = HEADLINE_WINDOW, l2: float = 1.0, weighting: str = "pages",
        meta: dict | None = None) -> HeadlineRanker:
    """The conditional logit over each page's candidates within ``window`` lines."""
    columns = [FEATURES.index(f) for f in features]
    used = []
    for page in pages:
        inside = _window(page, window)
        right = page.right[inside]
        if inside.sum() >= 2 and right.any():
            used.append((page.kind, page.x[inside][:, columns], right / right.sum()))
    counts = {kind: sum(k == kind for k, _, _ in used) for kind in ("extraction", "wcxb")}
    total = len(used)
    omega = np.array([1.0 if weighting == "pages" else total / (len(counts) * counts[k])
                      for k, _, _ in used])
    x = np.vstack([u[1] for u in used])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    target = np.concatenate([u[2] for u in used])
    sizes = np.array([len(u[2]) for u in used])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    row_weight = np.repeat(omega, sizes)
    def softmax(w: np.ndarray) -> tuple[np.ndarray, float]:
        """Per-page probabilities and the objective (weighted cross-entropy + L2)."""
        s = z @ w
        s = s - np.repeat(np.maximum.reduceat(s, starts), sizes)
        log_norm = np.log(np.add.reduceat(np.exp(s), starts))
        log_p = s - np.repeat(log_norm, sizes)
        loss = -np.sum(row_weight * target * log_p) + 0.5 * l2 * float(w @ w)
        return np.exp(log_p), loss

    w = np.zeros(len(columns))
    p, loss = softmax(w)
    for _ in range(NEWTON_STEPS):
        grad = z.T @ (row_weight * (p - target)) + l2 * w
        m = np.add.reduceat(z * p[:, None], starts)  # per page: Z^T p
        hess = (z * (row_weight * p)[:, None]).T @ z - (m * omega[:, None]).T @ m
        hess += l2 * np.eye(len(columns))
        step = np.linalg.solve(hess, grad)
        rate = 1.0
        while True:  # halve the Newton step until the objective does not rise
            p_new, loss_new = softmax(w - rate * step)
            if loss_new <= loss or rate < 1e-6:
                break
            rate /= 2
        w, p, loss = w - rate * step, p_new, loss_new
        if np.max(np.abs(rate * step)) < 1e-10:
            break
    return HeadlineRanker(tuple(features), tuple(mean.tolist()), tuple(scale.tolist()),
                          tuple(w.tolist()), int(window), dict(meta or {}))


def accuracy(pages: list[PageCandidates], chooser) -> dict[str, float]:  # noqa: ANN001
    """Per set, the share of pages whose headline is right with ``chooser``'s picks."""
    out = {}
    for kind in ("extraction", "wcxb"):
        got = [correct(p, chooser(p)) for p in pages if p.kind == kind]
        out[kind] = sum(got) / len(got)
    return out


def out_of_fold(pages: list[PageCandidates], folds: dict[tuple[str, str], int],
                **settings: object) -> dict[str, float]:
    """Accuracy per set with each fold's pages ranked by a ranker fitted on the others."""
    picks: dict[tuple[str, str], int | None] = {}
    for fold in range(FOLDS):
        ranker = fit([p for p in pages if folds[p.kind, p.id] != fold], **settings)
        for p in pages:
            if folds[p.kind, p.id] == fold:
                picks[p.kind, p.id] = pick(ranker, p)
    return accuracy(pages, lambda p: picks[p.kind, p.id])


def settings_of(ranker: HeadlineRanker) -> dict:
    """The fitting settings a ranker was chosen with (its ``meta``), to refit it per fold."""
    meta = ranker.meta
    return {"features": ranker.features, "window": ranker.window, "l2": meta["l2"],
            "weighting": meta["weighting"]}


def load_candidates(corpora: Path, cache: Path | None) -> list[PageCandidates]:
    """Every dev page of both sets, in a fixed order."""
    import extraction

    return [collect(kind, page) for kind, page in extraction.dev_pages(corpora, cache)]


def main(argv: Iterable[str] | None = None) -> int:
    """Print the grid out of fold; write the chosen ranker when it beats the hand-set score."""
    import extraction

    parser = extraction.fitting_parser(__doc__.split("\n")[0], PARAMS, "the ranker")
    args = parser.parse_args(list(argv) if argv is not None else None)
    pages = load_candidates(extraction.corpora_dir(args.corpora),
                            Path(args.cache) if args.cache else None)
    folds = {(p.kind, p.id): extraction.fold_of(p.id, p.kind, FOLDS) for p in pages}
    hand = accuracy(pages, lambda p: p.hand)
    ranked = {k: sum(p.kind == k and p.x.shape[0] > 0 for p in pages) for k in hand}
    print(f"pages ranked (a whole page with candidates): {ranked}")
    for window in WINDOWS:
        among = {k: sum(p.kind == k and bool(p.right[_window(p, window)].any()) for p in pages)
                 for k in hand}
        print(f"pages with a right candidate within {window} lines: {among}")
    print(f"hand-set headline_score: extraction {hand['extraction']:.3f}  "
          f"wcxb {hand['wcxb']:.3f}")
    print("out of fold (5 folds): features, window, L2, set weighting")
    best, best_key = None, None
    for (name, features), window, l2, weighting in itertools.product(
            FEATURE_SETS.items(), WINDOWS, L2, SET_WEIGHTING):
        got = out_of_fold(pages, folds, features=features, window=window, l2=l2,
                          weighting=weighting)
        key = (min(got.values()), sum(got.values()))
        print(f"    {name:<4} {window:>3} {l2:>6} {weighting:<6} extraction "
              f"{got['extraction']:.3f}  wcxb {got['wcxb']:.3f}  lower {key[0]:.3f}")
        if best_key is None or key > best_key:
            best_key = key
            best = {"name": name, "features": features, "window": window, "l2": l2,
                    "weighting": weighting, "oof": got}
    assert best is not None
    oof = best["oof"]
    wins = [oof[k] - hand[k] for k in hand]
    ships = all(d >= 0 for d in wins) and any(d > 0 for d in wins)
    print(f"chosen: {best['name']} features, window {best['window']}, L2 {best['l2']}, "
          f"{best['weighting']}: out of fold extraction {oof['extraction']:.3f} "
          f"(hand {hand['extraction']:.3f}), wcxb {oof['wcxb']:.3f} (hand {hand['wcxb']:.3f})")
    if not ships:
        print("not written: it does not beat the hand-set score out of fold on both sets")
        return 1
    meta = {"l2": best["l2"], "weighting": best["weighting"],
            "out_of_fold": {k: round(v, 4) for k, v in oof.items()},
            "hand_set": {k: round(v, 4) for k, v in hand.items()},
            "fitted_by": "scripts/fit_headline_lines.py"}
    ranker = fit(pages, best["features"], best["window"], best["l2"], best["weighting"], meta)
    in_sample = accuracy(pages, lambda p: pick(ranker, p))
    out = Path(args.out)
    out.write_text(json.dumps(ranker.to_dict(), indent=1) + "\n", encoding="utf-8")
    print(f"in sample: extraction {in_sample['extraction']:.3f}  wcxb {in_sample['wcxb']:.3f}; "
          f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
