"""The one scoring loop: per-pair outcomes (batch first, one by one on failure), keys checked."""

from __future__ import annotations

from harness.metrics.base import KeySpec, Metric
from harness.scoring import score_pairs, score_rows
from tests.fakes import Undeclared, WordsOrRaise, article


class BatchFails(WordsOrRaise):
    """Its batch call always fails; pair by pair it works (except on ``bad``)."""

    def score_batch(self, pairs):
        raise RuntimeError("batch failed")


class Explains(Metric):
    """Explains itself: the summary's first word."""

    KEYS = (KeySpec("one"),)

    def score(self, summary, article):
        return {"one": 1.0}

    def explain(self, summary, article):
        return {"first": summary.split()[0]}


PAIRS = [("two words", article("x", id="a")), ("three words here", article("y", id="bad")),
         ("one", article("z", id="c"))]


def test_a_failing_pair_costs_only_its_own_values():
    results = score_pairs([BatchFails(bad="bad"), Explains()], PAIRS)
    assert [r.scores for r in results] == [{"summary_words": 2.0, "one": 1.0},
                                           {"one": 1.0}, {"summary_words": 1.0, "one": 1.0}]
    assert results[1].errors == ["BatchFails: ValueError: cannot score bad"]
    assert results[0].errors == [] and results[0].evidence == {}


def test_values_are_checked_against_the_declaration():
    results = score_pairs([Undeclared()], [("s", article("x", id="a")),
                                           ("s", article("x", id="range"))])
    assert results[0].errors == ["Undeclared: ValueError: Undeclared: keys differ from KEYS "
                                 "(missing [], extra ['extra'])"]
    assert "declared=2.0 outside [0.0, 1.0]" in results[1].errors[0]
    assert all(r.scores == {} for r in results)


def test_explain_adds_evidence_per_metric():
    (result,) = score_pairs([Explains()], PAIRS[:1], explain=True)
    assert result.evidence == {"explains": {"first": "two"}}


def test_score_rows_names_article_and_model():
    items = [(a, s, "m1") for s, a in PAIRS]
    rows, errors = score_rows([WordsOrRaise(bad="bad")], items)
    assert [(r.article_id, r.model, r.scores) for r in rows] == [
        ("a", "m1", {"summary_words": 2.0}), ("bad", "m1", {}), ("c", "m1", {"summary_words": 1.0})]
    assert [(e.id, e.stage, e.model) for e in errors] == [("bad", "score", "m1")]
    assert errors[0].error == "WordsOrRaise: ValueError: cannot score bad"


def test_a_metric_with_per_pair_outcomes_is_asked_once():
    class PerPair(WordsOrRaise):
        """Its pairs' failures come back in one call; a second ask would be a re-run."""

        def __init__(self):
            super().__init__(bad="bad")
            self.asked = []

        def score_each(self, pairs):
            self.asked.append([a.id for _, a in pairs])
            return [ValueError("cannot score bad") if a.id == "bad" else self.score(s, a)
                    for s, a in pairs]

        def score_batch(self, pairs):
            raise AssertionError("per-pair outcomes, not a batch")

    metric = PerPair()
    results = score_pairs([metric], PAIRS)
    assert metric.asked == [["a", "bad", "c"]]
    assert [r.scores for r in results] == [{"summary_words": 2.0}, {}, {"summary_words": 1.0}]
    assert results[1].errors == ["PerPair: ValueError: cannot score bad"]
