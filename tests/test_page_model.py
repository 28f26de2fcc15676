"""The page line model: numpy trees, the shipped file, and what it keeps on a page."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from harness.clean import clean_text, page_model
from harness.clean.lines import prepare
from harness.clean.page_model import (
    CONTEXT_FEATURES,
    LINE_FEATURES,
    LineModel,
    Trees,
    context_features,
    line_features,
)

REPO = Path(__file__).resolve().parents[1]


def _stump(feature: int, threshold: float, low: float, high: float) -> dict:
    """One split: ``x[feature] <= threshold`` scores ``low``, else ``high``."""
    return {"feature": [[feature]], "threshold": [[threshold]], "left": [[~0]],
            "right": [[~1]], "leaf_value": [[low, high]]}


def test_trees_follow_their_splits_and_add_up():
    # Two trees: a stump on feature 0 and a two-level tree on feature 1, then 0.
    deep = {"feature": [0, 1], "threshold": [0.5, 2.0], "left": [~0, ~1], "right": [1, ~2],
            "leaf_value": [0.25, -1.0, 2.0]}
    stump = _stump(0, 0.5, -3.0, 1.0)
    data = {k: stump[k] + [deep[k]] for k in stump}
    trees = Trees.from_dict(data)
    x = np.array([[0.1, 9.0], [0.9, 1.0], [0.9, 3.0], [0.5, 0.0]])
    # rows: left/left; right then x1 <= 2 (leaf 1); right then x1 > 2 (leaf 2); equal goes left
    expected = np.array([-3.0 + 0.25, 1.0 - 1.0, 1.0 + 2.0, -3.0 + 0.25])
    np.testing.assert_allclose(trees.predict(x), 1 / (1 + np.exp(-expected)))
    again = Trees.from_dict(trees.to_dict())
    np.testing.assert_array_equal(again.predict(x), trees.predict(x))


def test_a_tree_of_one_leaf_adds_its_value():
    one_leaf = {"feature": [[]], "threshold": [[]], "left": [[]], "right": [[]],
                "leaf_value": [[0.7]]}
    got = Trees.from_dict(one_leaf).predict(np.zeros((3, 2)))
    np.testing.assert_allclose(got, 1 / (1 + np.exp(-0.7)))


def test_the_shipped_model_loads_and_rejects_other_feature_lists():
    model = page_model.shipped()
    assert isinstance(model, LineModel) and 0 < model.threshold < 1
    data = model.to_dict()
    assert data["line_features"] == list(LINE_FEATURES)
    data["line_features"] = data["line_features"][:-1]
    with pytest.raises(ValueError, match="train_page_lines"):
        LineModel.from_dict(data)


PAGE = "\n\n".join([
    "Home", "World", "Business", "Sport", "Sign in", "Subscribe",
    "Council votes to rebuild the harbour wall after winter storms",
    "The town council voted on Tuesday to rebuild the harbour wall, which was breached "
    "twice during the storms of January and February and has since been closed to the public.",
    "Engineers said the new wall would be two metres higher than the old one and would be "
    "finished before next winter, at a cost that the council put at four million pounds.",
    "Fishermen who use the harbour said the work was long overdue, although some of them "
    "worried that the building works would keep their boats out of the water for the summer.",
    "The council said that access for fishing boats would be kept open for most of the work "
    "and that a temporary landing stage would be built on the eastern side of the harbour.",
    "Related stories", "Storm damage: the full picture", "Harbour closed after storm",
    "Most read", "Celebrity chef opens new restaurant", "Ten things to do this weekend",
    "About us", "Contact", "Privacy policy", "Cookie settings",
])


def test_a_page_keeps_its_story_and_loses_its_menus():
    article = clean_text(PAGE, "harbour")
    assert article.headline == "Council votes to rebuild the harbour wall after winter storms"
    assert len(article.paragraphs) == 4
    assert article.paragraphs[0].startswith("The town council voted")
    assert not any(p in {"Home", "Most read", "Privacy policy"} for p in article.paragraphs)


def test_features_have_one_column_per_name():
    lines, _ = prepare(PAGE)
    x = line_features(lines)
    assert x.shape == (len(lines), len(LINE_FEATURES))
    words = np.array([len(line.split()) for line in lines], dtype=float)
    ctx = context_features(np.linspace(0, 1, len(lines)), words)
    assert ctx.shape == (len(lines), len(CONTEXT_FEATURES))
    assert np.isfinite(x).all() and np.isfinite(ctx).all()


@pytest.mark.skipif(importlib.util.find_spec("lightgbm") is None,
                    reason="LightGBM (the 'train' extra) is not installed")
def test_lightgbm_trees_convert_to_the_same_predictions():
    import lightgbm

    sys.path.insert(0, str(REPO / "scripts"))
    import train_page_lines

    rng = np.random.default_rng(0)
    x = rng.random((400, 3))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0.7).astype(float)
    params = dict(train_page_lines.GBM, min_data_in_leaf=5)
    booster = lightgbm.train(params, lightgbm.Dataset(x, y), 20)
    trees = train_page_lines.trees_from_lightgbm(booster)
    np.testing.assert_allclose(trees.predict(x), booster.predict(x), atol=1e-12)


def test_a_model_that_keeps_nothing_leaves_the_rules_choice(monkeypatch):
    never = {"feature": [[]], "threshold": [[]], "left": [[]], "right": [[]],
             "leaf_value": [[-20.0]]}
    silent = LineModel(Trees.from_dict(never), Trees.from_dict(never), 0.5)
    lines, _ = prepare(PAGE)
    assert silent.select(lines).good_words == 0
    monkeypatch.setattr(page_model, "shipped", lambda: silent)
    with_rules = clean_text(PAGE, "harbour")
    monkeypatch.setattr(page_model, "shipped", lambda: None)
    assert with_rules.paragraphs == clean_text(PAGE, "harbour").paragraphs
