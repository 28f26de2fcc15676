"""Faithfulness: perturbations lower it, declared keys hold, one-sentence articles work."""

import pytest

from harness.config import available, build
from harness.metrics.base import check_keys
from harness.metrics.faithfulness import Faithfulness
from harness.types import Article

ARTICLE = Article(
    id="a1",
    headline="Acme profits rise 20% as Jones takes charge",
    lede="Acme Corp said on Tuesday that profits rose 20% in the second quarter.",
    paragraphs=(
        "Acme Corp said on Tuesday that profits rose 20% in the second quarter.",
        "Chief executive Mary Jones, who replaced Tom Smith in March, credited strong sales "
        "in Asia. The company employs 4,500 people in Ohio.",
        "Analysts had expected growth of 12%. Smith did not comment on the results.",
    ),
)
FAITHFUL = "Acme Corp said profits rose 20% in the second quarter. Mary Jones replaced Tom Smith."


@pytest.fixture(scope="module")
def metric():
    return Faithfulness()


@pytest.mark.parametrize(
    "corrupted",
    [
        # swapped entities
        "Acme Corp said profits rose 20% in the second quarter. Tom Smith replaced Mary Jones.",
        # changed number
        "Acme Corp said profits rose 45% in the second quarter. Mary Jones replaced Tom Smith.",
        # negation
        "Acme Corp said profits did not rise 20% in the second quarter. "
        "Mary Jones replaced Tom Smith.",
        # a name from nowhere
        "Acme Corp said profits rose 20% in the second quarter. Mary Jones replaced Bill Gates.",
    ],
    ids=["entity_swap", "number", "negation", "foreign_name"],
)
def test_perturbation_lowers_faithfulness(metric, corrupted):
    good = metric.score(FAITHFUL, ARTICLE)
    bad = metric.score(corrupted, ARTICLE)
    check_keys(metric, good)
    check_keys(metric, bad)
    assert bad["faithfulness"] < good["faithfulness"]


def test_copied_sentence_is_fully_supported(metric):
    out = metric.score(ARTICLE.paragraphs[0], ARTICLE)
    # A verbatim sentence has token precision 1 -> support 1, no signal, no novel word.
    assert out["faith_support_min"] == pytest.approx(1.0, abs=1e-5)
    assert out["faithfulness"] == pytest.approx(1.0, abs=1e-5)
    assert out["faith_contradiction"] == 0.0


def test_number_and_entity_precision_golden(metric):
    out = metric.score("Staff at Acme rose to 900 in Texas.", ARTICLE)
    # entities {acme}, {texas} ("Staff" starts the sentence and is not capitalised
    # elsewhere, so it is no entity): 1 of 2 in the article; numbers {900}: 0 of 1.
    assert out["faith_entity_precision"] == 0.5
    assert out["faith_number_precision"] == 0.0


def test_one_sentence_article(metric):
    art = Article(id="f", headline="", lede="", paragraphs=("the club signed two players .",))
    good = metric.score("the club signed two players.", art)["faithfulness"]
    bad = metric.score("the club sold two players.", art)["faithfulness"]
    assert good > bad


def test_empty_summary_is_an_error(metric):
    with pytest.raises(ValueError, match="a1"):
        metric.score("  ", ARTICLE)


@pytest.mark.parametrize("name", [n for n in available("metric") if n not in ("nli",)])
def test_every_metric_config_matches_its_keys(name):
    metric = build(name, "metric")
    other = Article(id="a2", headline="Rain floods town", lede="Heavy rain flooded Leeds.",
                    paragraphs=("Heavy rain flooded Leeds.", "Residents were evacuated."))
    for values in metric.score_batch([(FAITHFUL, ARTICLE), ("Rain flooded Leeds.", other)]):
        check_keys(metric, values)
        assert all(isinstance(v, float) for v in values.values())


@pytest.mark.corpus
def test_falke_ranking_beats_rouge2_precision(corpora, metric):
    import json

    from rouge_score import rouge_scorer

    rows = json.loads((corpora / "falke" / "val_sentence_pairs.json").read_text())[:80]
    scorer = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)
    ours = base = 0
    for row in rows:
        art = Article(id="f", headline="", lede="", paragraphs=(row["article_sent"],))
        good = metric.score(row["correct_sent"], art)["faithfulness"]
        bad = metric.score(row["incorrect_sent"], art)["faithfulness"]
        ours += good > bad
        r2 = [scorer.score(row["article_sent"], row[k])["rouge2"].precision
              for k in ("correct_sent", "incorrect_sent")]
        base += r2[0] > r2[1]
    assert ours > base
