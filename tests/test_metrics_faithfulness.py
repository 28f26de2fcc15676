"""Faithfulness: perturbations lower it, declared keys hold, one-sentence articles work."""

import pytest

from harness.config import available, build
from harness.metrics.base import check_keys
from harness.metrics.faithfulness import Faithfulness
from harness.types import Article
from tests.fakes import article

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
    art = article("the club signed two players .", id="f")
    good = metric.score("the club signed two players.", art)["faithfulness"]
    bad = metric.score("the club sold two players.", art)["faithfulness"]
    assert good > bad


def test_empty_summary_is_an_error(metric):
    with pytest.raises(ValueError, match="a1"):
        metric.score("  ", ARTICLE)


@pytest.mark.parametrize("name", [n for n in available("metric") if n not in ("nli",)])
def test_every_metric_config_matches_its_keys(name):
    metric = build(name, "metric")
    other = article("Heavy rain flooded Leeds.", "Residents were evacuated.", id="a2",
                    headline="Rain floods town", lede="Heavy rain flooded Leeds.")
    for values in metric.score_batch([(FAITHFUL, ARTICLE), ("Rain flooded Leeds.", other)]):
        check_keys(metric, values)
        assert all(isinstance(v, float) for v in values.values())


@pytest.mark.corpus
def test_falke_ranking_beats_rouge2_precision(corpus_path, metric):
    import json

    from rouge_score import rouge_scorer

    rows = json.loads(corpus_path("falke", "val_sentence_pairs.json").read_text())[:80]
    scorer = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)
    ours = base = 0
    for row in rows:
        art = article(row["article_sent"], id="f")
        good = metric.score(row["correct_sent"], art)["faithfulness"]
        bad = metric.score(row["incorrect_sent"], art)["faithfulness"]
        ours += good > bad
        r2 = [scorer.score(row["article_sent"], row[k])["rouge2"].precision
              for k in ("correct_sent", "incorrect_sent")]
        base += r2[0] > r2[1]
    assert ours > base


def test_letter_digit_codes_are_not_bogus_entities(metric):
    from harness.metrics.evidence import entities, numbers

    text = "Vodafone's 3G network and MP3 players, said MI5. U2 played at the G8 summit."
    found = entities(text)
    for code in ("3g", "mp3", "mi5", "u2", "g8"):
        assert any(code in e for e in found), code
    assert not any(t in e for e in found for t in ("g", "mp", "mi", "u"))
    assert numbers(text) == set()
    art = article("Vodafone launched its 3G network in 12 countries. MP3 sales rose.", id="c")
    out = metric.score("Vodafone launched its 3G network in 12 countries.", art)
    assert out["faith_entity_precision"] == 1.0 and out["faith_number_precision"] == 1.0
    assert out["faithfulness"] == 1.0


def test_rather_than_is_not_a_negation_contradiction(metric):
    art = article("The first supercasino will be built in Manchester, not Blackpool, "
                  "ministers said.", id="b")
    out = metric.score("Ministers chose Manchester rather than Blackpool for the first "
                       "supercasino.", art)
    assert out["faith_contradiction"] == 0.0


@pytest.mark.parametrize(("summary", "corrupted"), [
    ("Profits at Acme went up by 20% in the second quarter, the firm said.",
     "Profits at Acme went up by 35% in the second quarter, the firm said."),
    ("Jones, who took over from Smith in March, put the growth down to strong Asian sales.",
     "Jones, who took over from Baker in March, put the growth down to strong Asian sales."),
    ("Growth of 12% had been forecast by analysts.",
     "Growth of 12% had not been forecast by analysts."),
])
def test_correct_paraphrases_are_not_flagged(metric, summary, corrupted):
    # Reworded but correct: no contradiction signal, no missing name or number,
    # and above the same sentence with one fact changed.
    out = metric.score(summary, ARTICLE)
    assert out["faith_contradiction"] == 0.0
    assert out["faith_entity_precision"] == 1.0 and out["faith_number_precision"] == 1.0
    assert out["faithfulness"] > metric.score(corrupted, ARTICLE)["faithfulness"]


def test_lower_cased_tokenized_summary(metric):
    good = ("acme corp said profits rose 20 % in the second quarter . "
            "mary jones replaced tom smith .")
    bad = ("acme corp said profits fell 45 % in the third quarter . "
           "bill gates replaced tom smith .")
    out = metric.explain(good, ARTICLE)
    assert len(out) == 2
    assert metric.score(good, ARTICLE)["faithfulness"] > metric.score(bad, ARTICLE)["faithfulness"]


def test_explain_gives_span_and_reasons(metric):
    checks = metric.explain("Acme said profits rose 45% in the second quarter.", ARTICLE)
    [check] = checks
    assert ARTICLE.paragraphs[0] in check["evidence"]
    assert any("45" in r for r in check["reasons"])
    assert metric.explain(ARTICLE.paragraphs[0], ARTICLE)[0]["reasons"] == []


def test_long_sentences_are_cut_not_lost(metric):
    words = [f"w{i}" for i in range(400)]
    art = article(" ".join(words) + ".", id="l")
    tail = " ".join(words[320:330])
    checks = metric.explain(tail, art)
    assert tail in checks[0]["evidence"]


def test_hand_set_composite_still_available():
    before = Faithfulness(params=None)
    assert before.model is None
    out = before.score(FAITHFUL, ARTICLE)
    assert 0.0 <= out["faithfulness"] <= 1.0


def test_bad_parameter_file_names_it(tmp_path):
    bad = tmp_path / "p.json"
    bad.write_text("{}")
    with pytest.raises(ValueError, match="p.json"):
        Faithfulness(params=str(bad))


# A sentence that copies a run of the article but changes it: penalised by a factor
# per change, with the run it changes in the reasons.
COPY = "Chief executive Mary Jones, who replaced Tom Smith in March, credited strong sales."


@pytest.mark.parametrize(("changed", "reason"), [
    ("Analysts had not expected growth of 12%.", "negation flipped"),
    ("Chief executive Mary Jones, who replaced Tom Smith in March, credited strong sales in "
     "Asia. The company employs 2,500 people in Ohio.", "number 2500 where the article has 4500"),
    ("Chief executive Tom Smith, who replaced Mary Jones in March, credited strong sales.",
     "names in the opposite order"),
])
def test_changed_copy_is_penalised_and_explained(metric, changed, reason):
    off = Faithfulness(substitution_penalty=1.0)
    [*_, last] = metric.explain(changed, ARTICLE)
    assert any(r.startswith(reason) for r in last["reasons"]), last["reasons"]
    # the reason quotes the article run the sentence changes
    assert any(r.endswith('"') for r in last["reasons"] if r.startswith(reason))
    # the factor is what lowers it: the same sentence without the penalty scores higher
    assert metric.score(changed, ARTICLE)["faithfulness"] < off.score(
        changed, ARTICLE)["faithfulness"]


@pytest.mark.parametrize("summary", [
    COPY,
    # reworded, not a copy of one run: no change is claimed
    "Jones, who took over from Smith in March, put the growth down to strong Asian sales.",
    # a negation the article has, moved: the run it copies has it too
    "Smith did not comment on the results.",
    # fused from two places, one negated: the copied run is the other one
    "Acme Corp said on Tuesday that profits rose 20% in the second quarter, and Smith did "
    "not comment.",
])
def test_faithful_copies_claim_no_change(metric, summary):
    for check in metric.analyse(summary, ARTICLE)[1]:
        assert check.changes == [], (check.sentence, check.changes)


def test_copy_changes_ignore_punctuation_around_negations():
    from harness.metrics.faithfulness.features import copy_changes

    window = 'The frog looks like a certain "Not Easy Being Green" muppet, Kermit the Frog.'
    assert copy_changes('the frog looks like a " not easy being green " muppet , kermit .',
                        window, set()) == []
    assert copy_changes("The frog looks like a certain Easy Being Green muppet, Kermit.",
                        window, set())[0].startswith("negation flipped")


def test_substitution_penalty_out_of_range_is_an_error():
    with pytest.raises(ValueError, match="substitution_penalty"):
        Faithfulness(substitution_penalty=1.5)
