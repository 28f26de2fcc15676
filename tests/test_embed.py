"""The MiniLM encoder: shared read-only weights, caches owned by whoever built the encoders."""

from __future__ import annotations

import numpy as np
import pytest

from harness.embed import Encoder, Encoders, default_model_dir, load_encoder


@pytest.fixture(scope="module")
def folder():
    try:
        return default_model_dir()
    except RuntimeError as exc:
        pytest.skip(str(exc))


# Golden vectors: the first 8 of the 384 dimensions, rounded to 4 places, of the
# embeddings sentence-transformers gives the same folder. sentence-transformers
# defines them by the folder's modules.json, Transformer -> Pooling -> Normalize:
# the last hidden state of every word piece (with [CLS] and [SEP]; at most 256,
# sentence_bert_config.json's max_seq_length), averaged over the attention mask
# (1_Pooling/config.json: pooling_mode_mean_tokens, padding left out), then
# divided by its L2 norm. Computed once with sentence-transformers 6.3.0 (not a
# dependency of harness: it pulls scikit-learn and scipy), installed aside:
#     SentenceTransformer(str(default_model_dir()), device="cpu").encode(GOLDEN_TEXTS)
# [:, :8].round(4). harness.embed matched it to the last bit. The two texts go in
# one batch, so the shorter one is padded: the mask must keep the padding out.
GOLDEN_TEXTS = [
    "The council approved a new budget on Tuesday.",
    "Heavy rain flooded the town centre overnight, and residents of the lower streets were "
    "taken to the school hall, where volunteers handed out blankets.",
]
GOLDEN_FIRST_8 = [
    [-0.0306, -0.0322, -0.0066, 0.0856, 0.0757, -0.0357, -0.0171, -0.0212],
    [-0.0120, 0.0787, 0.1244, 0.1015, 0.1129, -0.0325, -0.0041, -0.0093],
]


def test_embeddings_match_sentence_transformers_golden_vectors(folder):
    vectors = Encoder(folder).encode(GOLDEN_TEXTS)
    assert vectors.shape == (2, 384)
    # 4-place rounding is off by at most 5e-5; the rest is room for another CPU's arithmetic.
    assert np.allclose(vectors[:, :8], GOLDEN_FIRST_8, atol=1e-4, rtol=0), vectors[:, :8].round(4)


def test_encoders_share_weights_but_not_caches(folder):
    a, b = load_encoder(folder), load_encoder(folder)
    assert a is not b and a.model is b.model
    a.encode(["The council met on Monday."])
    b.encode(["The council met on Monday."])
    a.clear()
    assert len(a._vecs) == 0 and len(b._vecs) == 1


def test_embeddings_are_unit_float32_and_batch_independent(folder):
    enc = Encoder(folder)
    texts = ["The council met on Monday.", "Heavy rain flooded the town centre overnight."]
    together = enc.encode(texts)
    assert together.shape == (2, enc.dim) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    alone = Encoder(folder).encode(texts[1:])
    assert np.allclose(together[1], alone[0], atol=1e-5)
    assert enc.encode([]).shape == (0, enc.dim)
    # Related sentences are closer than unrelated ones.
    near = Encoder(folder).encode(["The council met on Tuesday."])[0]
    assert float(near @ together[0]) > float(near @ together[1])


def test_each_text_is_embedded_once_and_the_cache_is_bounded(folder, monkeypatch):
    enc = Encoder(folder, cache_size=2)
    computed: list[str] = []
    pooled = enc._pooled_batch

    def counting(batch):
        computed.extend(batch)
        return pooled(batch)

    monkeypatch.setattr(enc, "_pooled_batch", counting)
    enc.encode(["one", "two", "one"])
    enc.encode(["two"])
    assert sorted(computed) == ["one", "two"]
    enc.encode(["three"])
    assert len(enc._vecs) == 2 and "one" not in enc._vecs  # least recently used goes


def test_token_vectors_drop_cls_and_sep_and_check_the_layer(folder):
    enc = Encoder(folder)
    (vectors,) = enc.encode_tokens(["council meeting"], layer=2)
    pieces = enc.tokenizer("council meeting", add_special_tokens=False)["input_ids"]
    assert vectors.shape == (len(pieces), enc.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    with pytest.raises(ValueError, match="layer 9 out of range"):
        enc.encode_tokens(["x"], layer=9)


def test_metrics_built_with_the_runs_encoders_share_them_and_leave_clearing_to_it(folder):
    from harness.config import build
    from harness.metrics.coverage import Coverage
    from tests.fakes import TWO_ARTICLES

    encoders = Encoders()
    coverage = build("coverage", "metric", encoders=encoders)
    faithfulness = build("faithfulness", "metric", encoders=encoders)
    assert coverage.encoder is faithfulness.encoder is encoders.get()
    coverage.score("The council approved a bridge.", TWO_ARTICLES[0])
    cached = len(encoders.get()._toks)
    coverage.reset()
    faithfulness.reset()
    assert cached and len(encoders.get()._toks) == cached  # the run's caches: the run clears
    encoders.clear()
    assert len(encoders.get()._toks) == 0
    alone = Coverage()  # built on its own: its encoder is its own, cleared by reset
    assert alone.encoder is not encoders.get()
    alone.score("The council approved a bridge.", TWO_ARTICLES[0])
    alone.reset()
    assert len(alone.encoder._toks) == 0
