"""Evidence extractors and Grusky fragments: golden values worked out by hand."""

import numpy as np
import pytest

from harness.metrics.evidence import entities, negation_count, numbers
from harness.metrics.fragments import Fragments, greedy_fragments
from tests.fakes import article


def test_entities_runs_and_sentence_start():
    text = "Revised figures came out. The Bank of England said Tony Blair met Blair."
    # "Revised" is sentence-initial and never capitalised inside: not an entity.
    # "The" is a stop word; "Bank of England" keeps "of" inside the run, drops it in the tuple.
    assert entities(text) == {("bank", "england"), ("tony", "blair"), ("blair",)}


def test_numbers_normalised():
    assert numbers("Sales rose 1,200 units, up 3.5% in three months.") == {"1200", "3.5", "3"}


def test_negation_count():
    assert negation_count("He did not go and it isn't over") == 2
    assert negation_count("He went") == 0


def test_greedy_fragments_golden():
    # Summary "a b c x d e" against "a b c y d e": fragments [a b c], [d e]; x unmatched.
    s, a = "a b c x d e".split(), "y a b c y d e".split()
    assert greedy_fragments(s, a) == [3, 2]


def test_fragment_metric_values():
    art = article("the cat sat on the mat today", id="t", headline="h", lede="l")
    out = Fragments().score("the cat sat on a mat", art)
    # fragments: "the cat sat on" (4), "mat" (1); "a" unmatched; |S| = 6, |A| = 7
    assert out == {"fragment_coverage": 5 / 6, "fragment_density": 17 / 6, "compression": 7 / 6}


def test_verbatim_sentences_align_without_the_model_as_the_model_would():
    from harness.embed import load_encoder
    from harness.metrics.evidence import align, texts_to_align

    enc = load_encoder()
    article = ["Acme hires 300 workers in Ohio.", "The plant opens in May.",
               "Its chief said demand was strong.", "The plant opens in May."]
    copied = ["The plant opens in May.", "Its chief said demand was strong."]
    assert texts_to_align(copied, article) == []
    enc.clear()
    fast = align(copied, article, enc)
    assert not enc._toks  # nothing was embedded
    assert fast.windows == [(1,), (2,)] and fast.token_precision == [1.0, 1.0]
    # The model, given the same sentences reworded by one character, agrees
    # that the copied ones are their own best windows with precision ~1.
    mixed = ["The plant opens in May!", *copied]
    slow = align(mixed, article, enc)
    assert slow.windows[1:] == fast.windows and slow.token_precision[1:] == [1.0, 1.0]
    assert slow.windows[0] in [(1,), (3,)] and 0.8 < slow.token_precision[0] < 1.0
    direct = np.concatenate(enc.encode_tokens(copied[:1]))
    window = np.concatenate(enc.encode_tokens(article[1:2]))
    assert (direct @ window.T).max(1).mean() == pytest.approx(1.0, abs=1e-5)
