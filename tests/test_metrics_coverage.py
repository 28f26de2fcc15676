"""Coverage of headline and lede: golden shares, embedding range, errors."""

import pytest

from harness.metrics.base import check_keys
from harness.metrics.coverage import Coverage, Idf, article_recall, news_idf
from harness.types import Article
from tests.fakes import article

ART = Article(
    id="c1",
    headline="Acme hires 300 in Ohio",
    lede="Acme Corp will hire 300 workers at its Ohio plant, its chief said.",
    paragraphs=("Acme Corp will hire 300 workers at its Ohio plant, its chief said.", "More."),
)


@pytest.fixture(scope="module")
def metric():
    """The token components and their plain mean (no cross-encoder, no fitted weights)."""
    return Coverage(support_model=None, params=None)


@pytest.fixture(scope="module")
def default():
    return Coverage()


def test_golden_shares(metric):
    out = metric.score("Acme will hire workers in Ohio.", ART)
    check_keys(metric, out)
    # headline content stems: acm(e) hire 300 ohio -> summary has acme, hire, ohio: 3/4
    assert out["cov_headline_content"] == pytest.approx(3 / 4)
    # headline entities {acme}, {ohio}: both carried; numbers {300}: none carried
    assert out["cov_headline_entities"] == 1.0
    assert out["cov_headline_numbers"] == 0.0
    # lede content: acm corp hire 300 worker ohio plant chief -> acme hire worker ohio = 4/8
    assert out["cov_lede_content"] == pytest.approx(4 / 8)
    # Without weights, the mean of the eight reference components (not the article's).
    parts = [v for k, v in out.items() if k.startswith(("cov_headline_", "cov_lede_"))]
    assert len(parts) == 8
    assert out["coverage"] == pytest.approx(sum(parts) / 8)


FACTORY = ("Acme will build a factory in Ohio. The factory will employ Ohio workers. "
           "The factory opens in May.")


def test_article_recall_weighs_the_words_the_article_repeats():
    # Stems: acm build factori ohio / factori employ ohio worker / factori open may:
    # 11 occurrences, "factori" 3 and "ohio" 2 of them.
    metric = Coverage(support_model=None, params=None, recall_weighting="count")
    art = article(FACTORY, id="f", headline="Acme builds in Ohio", lede=FACTORY)
    repeated = metric.score("The factory in Ohio.", art)["cov_article_recall"]
    rare = metric.score("Acme will build and employ.", art)["cov_article_recall"]
    assert repeated == pytest.approx(5 / 11)
    assert rare == pytest.approx(3 / 11)  # more content words, but ones said once
    assert metric.score(FACTORY, art)["cov_article_recall"] == pytest.approx(1.0)


def test_article_recall_by_idf_weighs_words_rare_in_news_more():
    body = "Workers will open the plant. Workers will open it soon. Zanzibar hosts the plant."
    # Stems: worker open plant / worker open soon / zanzibar host plant (9 occurrences).
    common, named = "Workers open.", "Zanzibar hosts."
    assert article_recall(common, body) == pytest.approx(4 / 9)
    assert article_recall(named, body) == pytest.approx(2 / 9)
    idf = Idf({"worker": 1.0, "open": 1.0, "plant": 2.0, "soon": 2.0}, unseen=5.0)
    # Weights: worker 2 x 1, open 2 x 1, plant 2 x 2, soon 2, zanzibar 5, host 5: 20;
    # by count the common words win, by idf the story's own name.
    assert article_recall(common, body, idf) == pytest.approx(4 / 20)
    assert article_recall(named, body, idf) == pytest.approx(10 / 20)
    assert article_recall(body, body, idf) == pytest.approx(1.0)


def test_default_recall_weighs_by_the_news_idf_table(metric):
    idf = news_idf()
    assert idf.of("offici") < idf.of("zanzibar") == idf.unseen  # a common word, an unseen one
    art = article(FACTORY, id="f", headline="Acme builds in Ohio", lede=FACTORY)
    got = metric.score("The factory in Ohio.", art)["cov_article_recall"]
    assert got == pytest.approx(article_recall("The factory in Ohio.", FACTORY, idf))
    assert got != pytest.approx(5 / 11)


def test_unknown_recall_weighting_is_refused():
    with pytest.raises(ValueError, match="recall_weighting must be one of count, idf"):
        Coverage(support_model=None, params=None, recall_weighting="tfidf")


def test_article_recall_is_absent_without_article_sentences(metric):
    art = article("Acme wins. Ohio cheers.", id="s", headline="Acme wins",
                  lede="Acme wins. Ohio cheers.")
    out = metric.score("Acme wins in Ohio.", art)
    assert "cov_article_recall" not in out
    check_keys(metric, out)


def test_embedding_orders_related_first(metric):
    near = metric.score("Acme Corp plans to hire 300 Ohio workers.", ART)["cov_headline_embed"]
    far = metric.score("The football season ended in a draw.", ART)["cov_headline_embed"]
    assert near > far


def test_untitled_article_scores_the_lede_alone(metric):
    lede = "Acme Corp will hire 300 workers in Ohio next year."
    art = article(lede, id="x", lede=lede)
    got = metric.score("Acme will hire 300 Ohio workers.", art)
    assert not any(k.startswith("cov_headline") for k in got)
    assert "cov_article_recall" in got  # not part of the plain mean
    parts = [got[f"cov_lede_{part}"] for part in ("content", "entities", "numbers", "embed")]
    assert got["coverage"] == pytest.approx(sum(parts) / 4)
    assert got["cov_lede_numbers"] == 1.0


def test_missing_lede_is_an_error(metric):
    art = article("A body.", id="x", headline="A headline")
    with pytest.raises(ValueError, match="'x' has no lede"):
        metric.score("Something.", art)


def test_reference_carried_verbatim_scores_full_embed(metric):
    # Every lede token's best match in the summary is itself: recall 1, rescaled 1.
    summary = ART.lede + " It also builds a warehouse."
    assert metric.score(summary, ART)["cov_lede_embed"] == pytest.approx(1.0, abs=1e-5)


def test_unrelated_summary_scores_near_zero_embed(metric):
    out = metric.score("The football season ended in a draw at the stadium.", ART)
    assert out["cov_lede_embed"] < 0.35 and out["cov_headline_embed"] < 0.35


def test_batch_equals_one_by_one(metric):
    pairs = [("Acme will hire workers in Ohio.", ART), ("The season ended in a draw.", ART)]
    batch = metric.score_batch(pairs)
    metric.reset()
    assert batch == [metric.score(s, a) for s, a in pairs]


def test_default_weights_combine_the_components_present(default):
    out = default.score("Acme will hire 300 workers at its Ohio plant.", ART)
    check_keys(default, out)
    assert "cov_article_entail" in out
    # The fitted weights give the lede's (and so the headline's) entailment none:
    # a component without weight is not read at all.
    assert default.weight("cov_lede_entail") == 0
    assert "cov_lede_entail" not in out and "cov_headline_entail" not in out
    w = {k: default.weight(k) for k in out if k != "coverage"}
    assert w["cov_headline_content"] == default.weights["cov_lede_content"]
    want = sum(v * out[k] for k, v in w.items()) / sum(w.values())
    assert out["coverage"] == pytest.approx(want)
    assert 0.0 <= out["coverage"] <= 1.0


def test_entailment_components_read_meaning(default):
    unweighted = Coverage(params=None)  # every entailment component, read
    said = unweighted.score("Acme Corp's chief said the company will hire 300 workers at its "
                         "plant in Ohio.", ART)
    other = unweighted.score("The football season ended in a draw on Sunday.", ART)
    assert said["cov_lede_entail"] > other["cov_lede_entail"] + 0.3
    assert said["cov_headline_entail"] > other["cov_headline_entail"]
    assert said["coverage"] > other["coverage"]
    said_default = default.score("Acme Corp's chief said the company will hire 300 workers "
                                 "at its plant in Ohio.", ART)
    other_default = default.score("The football season ended in a draw on Sunday.", ART)
    assert said_default["coverage"] > other_default["coverage"]


def test_a_long_lede_is_read_as_its_first_sentences():
    one_block = " ".join(f"Sentence number {i} tells part {i} of the story." for i in range(1, 9))
    art = article(one_block, id="long", lede=one_block)
    metric = Coverage(support_model=None, params=None, lede_sentences=2)
    assert metric.lede_of(art).count("Sentence number") == 2
    got = metric.score("Sentence number 1 tells part 1 of the story.", art)
    assert got["cov_lede_numbers"] == pytest.approx(0.5)  # 1 of {1, 2}; not 1 of 8
    with pytest.raises(ValueError, match="lede_sentences"):
        Coverage(support_model=None, params=None, lede_sentences=0)


def test_weights_that_need_the_cross_encoder_refuse_to_run_without_it(tmp_path):
    path = tmp_path / "w.json"
    path.write_text('{"weights": {"cov_lede_entail": 1.0}}')
    with pytest.raises(ValueError, match="support_model"):
        Coverage(support_model=None, params=str(path))
    path.write_text('{"weights": {"cov_lede_content": -1.0}}')
    with pytest.raises(ValueError, match="non-negative"):
        Coverage(support_model=None, params=str(path))


CENTRAL_BODY = (
    "The council approved the new bridge over the river on Monday. "
    "Residents had asked for a bridge over the river for ten years. "
    "The mayor said the new bridge would open next spring. "
    "A local bakery also changed its opening hours."
)


def test_lexical_centrality_ranks_the_sentence_sharing_most_words_first():
    art = article(CENTRAL_BODY, id="central")
    metric = Coverage(support_model=None, params=None, centrality="lexical")
    sents, order = metric.central_order(art)
    assert len(sents) == 4
    assert sents[order[-1]].startswith("A local bakery")  # shares no word: least central
    assert "bakery" not in " ".join(metric.central_sentences(art, 3))
    assert metric.central_sentences(art, 2) == [s for s in sents if s in
                                                {sents[order[0]], sents[order[1]]}]
    with pytest.raises(ValueError, match="centrality"):
        Coverage(support_model=None, params=None, centrality="pagerank")
    with pytest.raises(ValueError, match="central_sentences"):
        Coverage(support_model=None, params=None, central_sentences=-1)


def test_no_central_sentences_means_no_article_component(default):
    metric = Coverage(params=None, central_sentences=0)
    art = article(CENTRAL_BODY, id="c", lede=CENTRAL_BODY.split(". ")[0] + ".")
    out = metric.score("The council approved a bridge.", art)
    assert "cov_article_entail" not in out
    assert "cov_lede_entail" in out


def test_the_config_carries_the_fitted_setting():
    """configs/metric/coverage.yaml builds the setting the weights were fitted with."""
    import json

    from omegaconf import OmegaConf

    from harness.config import config_dir
    from harness.metrics.coverage import DEFAULT_PARAMS

    conf = OmegaConf.load(config_dir() / "metric" / "coverage.yaml")
    fitted = json.loads(DEFAULT_PARAMS.read_text(encoding="utf-8"))
    for key in ("lede_sentences", "centrality", "central_sentences"):
        assert conf[key] == fitted[key], key
