"""The headline ranker of page text: its parameter file, its features, its choice."""

import json

import numpy as np
import pytest

from harness.clean import clean_text
from harness.clean import title as title_mod
from harness.clean.lines import prepare
from harness.clean.page import analyse
from harness.clean.title import (
    FEATURES,
    PARAMS,
    HeadlineRanker,
    candidate_features,
    headline_candidates,
)

BODY = [
    "The river burst its banks on Sunday night and flooded more than two hundred homes in the lower town, the fire service said.",  # noqa: E501
    "Residents were taken to the school hall, where volunteers handed out blankets and hot food until the early hours of the morning.",  # noqa: E501
    "The council said it would open a fund for families whose homes were damaged and would inspect the flood walls this week.",  # noqa: E501
]
LINES = ["Skip to content", "Home", "World", "Local news", "Weather: rain all week",
         "River floods lower town homes", "By Jane Doe", "Updated 10:32 AM, May 2, 2023",
         *BODY, "About us", "Contact"]


def test_shipped_ranker_reads_and_names_only_known_features():
    ranker = HeadlineRanker.load(PARAMS)
    assert set(ranker.features) <= set(FEATURES) and ranker.window >= 12
    assert len(ranker.weights) == len(ranker.features)


@pytest.mark.parametrize("raw", ["{", '{"features": ["overlap"]}', json.dumps(
    {"features": ["overlap", "length"], "mean": [0], "scale": [1], "weights": [1], "window": 12}),
    json.dumps({"features": ["no_such"], "mean": [0], "scale": [1], "weights": [1],
                "window": 12})])
def test_malformed_ranker_file_is_a_value_error_naming_it(tmp_path, raw):
    path = tmp_path / "headline_lines.json"
    path.write_text(raw, encoding="utf-8")
    with pytest.raises(ValueError, match="headline_lines.json"):
        HeadlineRanker.load(path)


def test_candidate_features_one_row_per_candidate():
    paragraphs, _ = prepare("\n\n".join(LINES))
    selection = analyse(paragraphs).selection
    anchor, candidates = headline_candidates(paragraphs, selection, 30)
    assert paragraphs[anchor] == BODY[0]
    x = candidate_features(paragraphs, selection, anchor, candidates)
    assert x.shape == (len(candidates), len(FEATURES)) and x.dtype == np.float64
    row = dict(zip(FEATURES, x[candidates.index(paragraphs.index(
        "River floods lower town homes"))], strict=True))
    assert row["length"] == 1 and row["overlap"] == 1 and row["label"] == 0


@pytest.mark.parametrize("ranker", ["shipped", "hand"])
def test_headline_of_a_page_with_and_without_the_ranker(monkeypatch, ranker):
    if ranker == "hand":
        monkeypatch.setattr(title_mod, "shipped", lambda: None)
    article = clean_text("\n\n".join(LINES), "page")
    assert article.headline == "River floods lower town homes"
    assert article.paragraphs == tuple(BODY)
    again = clean_text(f"{article.headline}\n\n" + "\n\n".join(article.paragraphs), "page")
    assert (again.headline, again.paragraphs) == (article.headline, article.paragraphs)
