"""Evidence extractors and Grusky fragments: golden values worked out by hand."""

from harness.metrics.evidence import entities, negation_count, numbers
from harness.metrics.fragments import Fragments, greedy_fragments
from harness.types import Article


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
    art = Article(id="t", headline="h", lede="l", paragraphs=("the cat sat on the mat today",))
    out = Fragments().score("the cat sat on a mat", art)
    # fragments: "the cat sat on" (4), "mat" (1); "a" unmatched; |S| = 6, |A| = 7
    assert out == {"fragment_coverage": 5 / 6, "fragment_density": 17 / 6, "compression": 7 / 6}
