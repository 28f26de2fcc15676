"""ROUGE against headline and lede: golden values and agreement with rouge-score."""

from __future__ import annotations

import pytest
from rouge_score import rouge_scorer

from harness.metrics.base import check_keys
from harness.metrics.rouge import Rouge
from harness.types import Article


def _article(headline: str, lede: str) -> Article:
    return Article(id="a", headline=headline, lede=lede, paragraphs=(lede, "More text here."))


def test_golden_values_by_hand():
    # Stemmed tokens: headline [cat, chase, mice]; summary [the, cat, chase, two, mice].
    # R1: 3 of 3 reference words, 3 of 5 summary words -> r=1, p=0.6, F=0.75.
    # R2: reference bigrams {cat chase, chase mice}, 1 shared of 4 -> r=0.5, p=0.25, F=1/3.
    # RL: LCS = 3 -> same as R1.
    scores = Rouge().score("The cats chased two mice", _article("Cats chase mice", "x y z"))
    assert scores["rouge1_headline_r"] == pytest.approx(1.0)
    assert scores["rouge1_headline_f"] == pytest.approx(0.75)
    assert scores["rouge2_headline_r"] == pytest.approx(0.5)
    assert scores["rouge2_headline_f"] == pytest.approx(1 / 3)
    assert scores["rougeL_headline_r"] == pytest.approx(1.0)
    assert scores["rougeL_headline_f"] == pytest.approx(0.75)
    assert scores["rouge1_lede_r"] == 0.0


def test_stemming_is_on():
    # Without stemming "chased" and "chase" differ and R1 recall would be 2/3.
    scores = Rouge().score("cats chased mice", _article("cat chase mice", "x"))
    assert scores["rouge1_headline_r"] == pytest.approx(1.0)
    unstemmed = Rouge(use_stemmer=False).score("cats chased mice", _article("cat chase mice", "x"))
    assert unstemmed["rouge1_headline_r"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("summary", [
    "The White House said now is not the time for talks with North Korea.",
    "Tillerson offered talks; the White House said no.",
    "",
])
def test_equals_rouge_score_on_seed(seed_article, summary):
    reference = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    ours = Rouge().score(summary, seed_article)
    check_keys(Rouge(), ours)
    for ref_name in ("headline", "lede"):
        expected = reference.score(getattr(seed_article, ref_name), summary)
        for rt in ("rouge1", "rouge2", "rougeL"):
            assert ours[f"{rt}_{ref_name}_r"] == pytest.approx(expected[rt].recall, abs=1e-12)
            assert ours[f"{rt}_{ref_name}_f"] == pytest.approx(expected[rt].fmeasure, abs=1e-12)
