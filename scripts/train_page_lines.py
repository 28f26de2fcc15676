r"""Fit the page line model (``harness/params/page_lines.json``) deterministically.

Data: the dev pages of the two extraction benchmarks under the corpora folder
(``$HARNESS_CORPORA`` or ``../shared/corpora``): ``extraction/`` (70 pages,
``articleBody``) and ``wcxb/`` (792 article pages, ``main_content``). Each
page's visible text (:func:`harness.clean.render.html_to_text`) goes through
the line rules (:func:`harness.clean.lines.prepare`); each remaining line is
labelled article text when at least half of its word trigrams (lower-cased
``\w+``) occur in the page's ground truth (a line of one or two words: when it
occurs there as a whole).

Weights: the benchmarks average over pages, so each page's lines share one
unit of weight in proportion to their words (plus ``MIN_LINE_WEIGHT``); each
set's pages together weigh ``SET_WEIGHTS``: the 70 Zyte pages twice as much
as the 792 WCXB pages (which hold list-style content that the Zyte ground
truth never keeps).

Model: two stages of LightGBM trees (:mod:`harness.clean.page_model`), stage 2
fitted on stage 1's in-sample probabilities. ``num_threads=1``,
``deterministic`` and fixed seeds make the file reproducible.

Out-of-fold figures and the choice of the set weight and threshold (among
3 × 3 settings) are printed by ``benchmarks/extraction.py``; see
docs/cleaning.md.

Usage: ``python scripts/train_page_lines.py [--corpora DIR] [--cache DIR]
[--out FILE]`` (needs the ``train`` extra: ``pip install -e '.[train]'``).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from harness.clean.lines import prepare  # noqa: E402
from harness.clean.page import analyse  # noqa: E402
from harness.clean.page_model import (  # noqa: E402
    PARAMS,
    LineModel,
    Trees,
    context_features,
    line_features,
)

# Each set's share of the total weight (pages weigh alike within a set); chosen
# with THRESHOLD among 3 x 3 settings (benchmarks/extraction.py --model-grid).
SET_WEIGHTS = {"wcxb": 1.0, "extraction": 2.0}
THRESHOLD = 0.5
MIN_LINE_WEIGHT = 0.1
# A line is article text when this share of its word trigrams is in the truth.
LABEL_SHARE = 0.5
GBM = {
    "objective": "binary", "num_leaves": 15, "learning_rate": 0.05, "min_data_in_leaf": 50,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "seed": 1, "deterministic": True, "force_col_wise": True, "num_threads": 1, "verbose": -1,
}
ROUNDS = 200

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class PageData:
    """One page's lines, stage-1 features, labels and words."""

    kind: str
    id: str
    lines: list[str]
    x: np.ndarray
    y: np.ndarray
    words: np.ndarray


def _trigrams(words: list[str]) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))]


def labels(lines: list[str], truth: str) -> np.ndarray:
    """1 for lines whose word trigrams are mostly in ``truth`` (see the module doc)."""
    truth_words = _WORD.findall(truth.lower())
    grams = set(_trigrams(truth_words))
    joined = f" {' '.join(truth_words)} "
    out = np.zeros(len(lines))
    for i, line in enumerate(lines):
        words = _WORD.findall(line.lower())
        if not words:
            continue
        if len(words) < 3:
            out[i] = f" {' '.join(words)} " in joined
        else:
            tri = _trigrams(words)
            out[i] = sum(t in grams for t in tri) / len(tri) >= LABEL_SHARE
    return out


def page_data(kind: str, page_id: str, text: str, truth: str) -> PageData | None:
    """Features and labels of one page; None when the line rules leave no line."""
    lines, _ = prepare(text)
    if not lines:
        return None
    page = analyse(lines)
    words = np.array([f.words for f in page.features], dtype=float)
    return PageData(kind, page_id, lines, line_features(lines, page), labels(lines, truth), words)


def weights(pages: list[PageData], set_weights: dict[str, float] = SET_WEIGHTS) -> np.ndarray:
    """Per line: the page's unit shared by words, the sets weighted by ``set_weights``."""
    count = {k: sum(p.kind == k for p in pages) for k in set_weights}
    parts = []
    for p in pages:
        w = p.words + MIN_LINE_WEIGHT
        parts.append(w / w.sum() * set_weights[p.kind] / max(1, count[p.kind]))
    out = np.concatenate(parts)
    return out / out.mean()


def _walk(node: dict, nodes: dict, leaves: dict) -> int:
    """Number a dumped LightGBM tree's splits and leaves; leaves come back as ``~index``."""
    if "leaf_index" in node:
        leaves[node["leaf_index"]] = node["leaf_value"]
        return ~node["leaf_index"]
    if node["decision_type"] != "<=":
        raise ValueError(f"unsupported split {node['decision_type']!r}")
    nodes[node["split_index"]] = (node["split_feature"], node["threshold"],
                                  _walk(node["left_child"], nodes, leaves),
                                  _walk(node["right_child"], nodes, leaves))
    return node["split_index"]


def trees_from_lightgbm(booster) -> Trees:  # noqa: ANN001 - lightgbm is optional
    """The booster's trees as :class:`Trees` arrays (numerical ``<=`` splits only)."""
    feature, threshold, left, right, leaf_value = [], [], [], [], []
    for info in booster.dump_model()["tree_info"]:
        nodes: dict[int, tuple[int, float, int, int]] = {}
        leaves: dict[int, float] = {}
        root = info["tree_structure"]
        if "leaf_index" not in root and "split_index" not in root:  # a tree of one leaf
            leaves[0] = root["leaf_value"]
        else:
            _walk(root, nodes, leaves)
        order = [nodes[k] for k in range(len(nodes))]
        feature.append(np.array([n[0] for n in order], dtype=np.int64))
        threshold.append(np.array([n[1] for n in order], dtype=np.float64))
        left.append(np.array([n[2] for n in order], dtype=np.int64))
        right.append(np.array([n[3] for n in order], dtype=np.int64))
        leaf_value.append(np.array([leaves[k] for k in range(len(leaves))], dtype=np.float64))
    return Trees(tuple(feature), tuple(threshold), tuple(left), tuple(right), tuple(leaf_value))


def _boost(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Trees:
    import lightgbm

    booster = lightgbm.train(GBM, lightgbm.Dataset(x, y, weight=w), ROUNDS)
    trees = trees_from_lightgbm(booster)
    if not np.allclose(trees.predict(x[:2000]), booster.predict(x[:2000]), atol=1e-9):
        raise RuntimeError("the numpy trees disagree with LightGBM's predictions")
    return trees


def fit(pages: list[PageData], threshold: float = THRESHOLD,
        set_weights: dict[str, float] = SET_WEIGHTS) -> LineModel:
    """Both stages on ``pages``."""
    w = weights(pages, set_weights)
    y = np.concatenate([p.y for p in pages])
    line = _boost(np.vstack([p.x for p in pages]), y, w)
    ctx = np.vstack([context_features(line.predict(p.x), p.words) for p in pages])
    return LineModel(line, _boost(ctx, y, w), threshold)


def load_page_data(corpora: Path, cache: Path | None) -> list[PageData]:
    """Every dev page of both sets that has lines, in a fixed order."""
    import extraction  # benchmarks/extraction.py: the pages and their cached text

    out = []
    for kind, page in extraction.dev_pages(corpora, cache):
        data = page_data(kind, page.id, page.text, page.truth)
        if data is not None:
            out.append(data)
    return out


def main(argv: Iterable[str] | None = None) -> int:
    """Fit on every page and write the model."""
    import extraction

    parser = extraction.fitting_parser(__doc__.split("\n")[0], PARAMS, "the model")
    args = parser.parse_args(list(argv) if argv is not None else None)
    pages = load_page_data(extraction.corpora_dir(args.corpora),
                           Path(args.cache) if args.cache else None)
    model = fit(pages)
    out = Path(args.out)
    out.write_text(json.dumps(model.to_dict(), separators=(",", ":")) + "\n", encoding="utf-8")
    lines = sum(len(p.lines) for p in pages)
    print(f"fitted on {len(pages)} pages, {lines} lines; wrote {out} "
          f"({out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
