"""scripts/train_faithfulness.py: the XSumFaith claims it reads and the transfer choice."""

import json
import sys

import numpy as np

from harness.metrics.faithfulness import FEATURES
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import train_faithfulness as tf  # noqa: E402


def test_claims_skip_frank_documents_and_other_datasets(tmp_path):
    frank = [{"article": "the cat , sat on the mat . it was n't happy ."}]
    rows = [
        # FRANK holds this document (tokenized and lower-cased there).
        {"id": "x1", "dataset": "xsumfaith",
         "document": "The cat, sat on the mat. It wasn't happy.",
         "claim": "a cat sat .", "label": "consistent"},
        {"id": "x2", "dataset": "xsumfaith", "document": "A dog ran across the park.",
         "claim": "a dog flew .", "label": "inconsistent"},
        {"id": "p1", "dataset": "polytope", "document": "Something else happened.",
         "claim": "nothing happened .", "label": "consistent"},
    ]
    path = tmp_path / "summac_val.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    claims = tf.xsumfaith_claims(path, frank)
    assert claims == [{"id": "x2", "article": "A dog ran across the park.",
                       "summary": "a dog flew .", "factuality": 0.0}]
    assert tf.xsumfaith_claims(tmp_path / "absent.jsonl", frank) == []


def _rewritten_rows(n, rng, novel_varies):
    """One rewritten sentence per summary: every feature constant but the ones named."""
    rows = []
    for _ in range(n):
        x = np.zeros((1, len(FEATURES)))
        x[0, FEATURES.index("support")] = rng.random()
        x[0, FEATURES.index("unmatched_pieces")] = rng.random()
        if novel_varies:
            x[0, FEATURES.index("novel_words")] = rng.integers(0, 3)
        x[0, FEATURES.index("fragment_density")] = 0.0  # rewritten
        rows.append(x)
    return rows


def _choose(novel_matters):
    rng = np.random.default_rng(0)
    feats = _rewritten_rows(120, rng, novel_varies=True)
    # FRANK's score follows support; where novel words matter, they lower it a little
    # (so FRANK gives them a weight of the right sign; the claims then decide).
    cut = 0.05 if novel_matters else 0.0
    y = np.array([float(np.clip(f[0, FEATURES.index("support")]
                                - cut * f[0, FEATURES.index("novel_words")], 0, 1))
                  for f in feats])
    groups = [f"art{i}" for i in range(len(feats))]
    datasets = ["cnndm" if i % 2 else "xsum" for i in range(len(feats))]
    factors = [np.ones(1) for _ in feats]
    claims = _rewritten_rows(80, rng, novel_varies=True)
    if novel_matters:  # the other annotators fault every sentence with a novel word
        cy = np.array([float(c[0, FEATURES.index("novel_words")] == 0) for c in claims])
    else:
        cy = np.array([float(c[0, FEATURES.index("support")] > 0.5) for c in claims])
    main = tuple(f for f in FEATURES if f not in ("entail", "contradict"))
    return tf.choose_rewritten(FEATURES, feats, factors, y, groups, datasets, main, claims,
                               [np.ones(1) for _ in claims], cy)


def test_transfer_chooses_a_feature_only_other_annotators_reward():
    sub, use = _choose(novel_matters=True)
    assert "novel_words" in sub
    assert set(sub) <= set(use)


def test_transfer_keeps_the_smaller_set_without_a_gain():
    sub, _ = _choose(novel_matters=False)
    assert sub == tf.REWRITTEN_SETS[0]
