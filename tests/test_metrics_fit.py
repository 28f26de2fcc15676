"""The sentence model: deterministic fitting, folds that keep an article together."""

import numpy as np
import pytest

from harness.metrics import fit

NAMES = ("a", "b")


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    feats = [rng.normal(size=(int(rng.integers(1, 4)), 2)) for _ in range(n)]
    # The target is the mean of per-sentence probabilities of a known model.
    y = np.array([float(np.mean(1 / (1 + np.exp(-(2 * f[:, 0] - f[:, 1]))))) for f in feats])
    return feats, y


def test_fit_recovers_direction_and_is_deterministic():
    feats, y = _data()
    one, two = fit.fit(feats, y, NAMES), fit.fit(feats, y, NAMES)
    assert one.weights == two.weights and one.bias == two.bias
    assert one.weights[0] > 0 > one.weights[1]
    assert fit.pearson(fit.summary_scores(one, feats), y) > 0.95


def test_folds_keep_groups_together():
    groups = [f"art{i % 7}" for i in range(50)]
    folds = fit.folds(groups, 5)
    for g in set(groups):
        assert len({f for f, h in zip(folds, groups, strict=True) if h == g}) == 1


def test_out_of_fold_never_sees_its_own_fold():
    feats, y = _data(40)
    groups = [str(i) for i in range(40)]
    oof = fit.out_of_fold(feats, y, groups, NAMES, k=4)
    assert oof.shape == (40,) and np.all((oof >= 0) & (oof <= 1))
    # Refitting without item 0's fold gives item 0's out-of-fold score exactly.
    fold = fit.folds(groups, 4)
    keep = [i for i in range(40) if fold[i] != fold[0]]
    model = fit.fit([feats[i] for i in keep], y[keep], NAMES)
    assert oof[0] == pytest.approx(fit.summary_scores(model, [feats[0]])[0])


def test_copied_sentences_score_one():
    model = fit.SentenceModel(("support", "fragment_density"), (0.0, 0.0), (1.0, 1.0),
                              (0.0, 0.0), -5.0)
    assert model.predict(np.array([[0.2, 1.0], [0.2, 0.5]])).tolist() == pytest.approx(
        [1.0, 1 / (1 + np.exp(5.0))])


def test_save_and_load_round_trip(tmp_path):
    feats, y = _data()
    model = fit.fit(feats, y, NAMES)
    model.save(tmp_path / "m.json")
    assert fit.SentenceModel.load(tmp_path / "m.json") == model


def test_spearman_handles_ties():
    assert fit.spearman([1, 2, 2, 3], [1, 2, 2, 3]) == pytest.approx(1.0)
    assert np.isnan(fit.pearson([1, 1, 1], [1, 2, 3]))


def _gated():
    sub = fit.SentenceModel(("support",), (0.0,), (1.0,), (2.0,), 0.0)
    return fit.SentenceModel(("support", "fragment_density"), (0.0, 0.0), (1.0, 1.0),
                             (0.0, 0.0), -5.0, rewritten=sub, rewritten_below=0.2)


def test_rewritten_sentences_take_their_own_model():
    model = _gated()
    x = np.array([[0.5, 1.0], [0.5, 0.5], [0.5, 0.1]])  # copied, copied runs, rewritten
    got = model.predict(x)
    assert got.tolist() == pytest.approx([1.0, 1 / (1 + np.exp(5.0)), 1 / (1 + np.exp(-1.0))])
    # A rewritten sentence's contributions are its own model's, the rest 0.
    assert model.contributions(x)[2].tolist() == pytest.approx([1.0, 0.0])


def test_gated_fit_round_trips_and_needs_the_gate_feature(tmp_path):
    feats = [np.column_stack([f[:, 0], np.abs(f[:, 1]) / 3]) for f in _data()[0]]
    y = _data()[1]
    names = ("support", "fragment_density")
    model = fit.fit(feats, y, names, rewritten=("support",), rewritten_below=0.2)
    assert model.rewritten is not None and model.rewritten.features == ("support",)
    assert model.rewritten.weights[0] > 0
    model.save(tmp_path / "m.json")
    assert fit.SentenceModel.load(tmp_path / "m.json") == model
    bad = fit.SentenceModel(("support",), (0.0,), (1.0,), (1.0,), 0.0,
                            rewritten=fit.SentenceModel(("support",), (0.0,), (1.0,), (1.0,), 0.0),
                            rewritten_below=0.2)
    bad.save(tmp_path / "bad.json")
    with pytest.raises(ValueError, match=r"bad\.json.*needs fragment_density"):
        fit.SentenceModel.load(tmp_path / "bad.json")


def test_a_feature_only_the_rewritten_model_reads_is_an_input():
    sub = fit.SentenceModel(("entail",), (0.0,), (1.0,), (3.0,), 0.0)
    model = fit.SentenceModel(("support", "fragment_density"), (0.0, 0.0), (1.0, 1.0),
                              (1.0, 0.0), 0.0, rewritten=sub, rewritten_below=0.2)
    assert model.inputs == ("support", "fragment_density", "entail")
    x = np.array([[0.0, 0.5, 9.0], [0.0, 0.1, 1.0]])  # entail ignored / read
    assert model.predict(x).tolist() == pytest.approx([0.5, 1 / (1 + np.exp(-3.0))])
    assert np.allclose(model.contributions(x), [[0.0, 0.0, 0.0], [0.0, 0.0, 3.0]])
