"""benchmarks/lm_signals.py: the shared-prefix reading and the sentence features it prints.

The benchmark's figures rest on two pieces that can go wrong silently: reading
an article once and reusing its key/value cache for every summary (an
off-by-one in positions or a cache mutated by the first summary would shift
every later log-probability), and assigning each token to its summary sentence.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.lm_signals import CausalLM, sentence_lm_features
from tests.test_models_hf import tiny_causal  # noqa: F401


def test_shared_prefix_reading_equals_reading_each_summary_whole(tiny_causal):  # noqa: F811
    lm = CausalLM(tiny_causal, threads=1)
    prefix = lm.ids("the minister said on monday that the budget would rise")
    targets = [lm.ids("police arrested two men"), lm.ids("the company reported record profits"),
               lm.ids("police arrested two men")]
    shared = lm.logprobs_shared(prefix, targets)
    for target, got in zip(targets, shared, strict=True):
        want = lm.logprobs(prefix, target)
        assert got.shape == (len(target),)
        np.testing.assert_allclose(got, want, atol=1e-5)
        assert (got <= 0).all()
    # The first summary's reading did not change the cache the third one reads.
    np.testing.assert_allclose(shared[0], shared[2], atol=1e-6)
    # And the article matters: without it the same summary reads differently.
    assert not np.allclose(lm.logprobs(prefix[-1:], targets[0]), shared[0])


def test_each_token_counts_for_its_own_sentence():
    text = " Rates rose. Banks fell sharply."
    words = [" Rates", " rose", ".", " Banks", " fell", " sharply", "."]
    starts, pos = [], 0
    for w in words:
        starts.append(pos)
        pos += len(w)
    lp = np.array([-1.0, -2.0, -0.5, -4.0, -3.0, -8.0, -0.1])
    got = sentence_lm_features("Rates rose. Banks fell sharply.", (text, starts, lp), 2)
    assert got.shape == (2, 2)
    assert got[0] == pytest.approx([np.mean([-1.0, -2.0, -0.5]), -2.0])
    assert got[1] == pytest.approx([np.mean([-4.0, -3.0, -8.0, -0.1]), -8.0])
