"""Lead-k and TextRank."""

from __future__ import annotations

import numpy as np
import pytest

from harness.models.extractive import LeadK, TextRank, article_sentences, pagerank
from tests.fakes import article


def test_lead3_takes_first_three_sentences(seed_article):
    (generation,) = LeadK(k=3).summarize([seed_article])
    summary = generation.text
    sentences = article_sentences(seed_article)
    assert summary == " ".join(sentences[:3])
    assert summary.startswith("The White House said Wednesday")
    assert generation.tokens == len(summary.split())


def test_pagerank_of_symmetric_star_ranks_centre_first():
    # Node 0 links to 1, 2, 3 (and back): the centre has the highest rank.
    w = np.zeros((4, 4))
    w[0, 1:] = w[1:, 0] = 1.0
    rank = pagerank(w)
    assert rank.argmax() == 0
    assert rank.sum() == pytest.approx(1.0)
    # Closed form for a star with damping d: centre = (1-d)/n + d * sum(leaves).
    assert rank[0] == pytest.approx(0.25 * 0.15 + 0.85 * rank[1:].sum())


def test_textrank_picks_central_sentences_in_order():
    art = article("Bananas are yellow fruit.",
                  "The council voted on the bridge budget.",
                  "The bridge budget vote passed the council.",
                  "Weather was mild.",
                  "Council members said the bridge budget matters.")
    summary = TextRank(k=2).summarize([art])[0].text
    assert "Bananas" not in summary and "Weather" not in summary
    assert summary.index("voted") < summary.index("passed")


def test_short_article_returns_all_sentences():
    (generation,) = TextRank(k=3).summarize([article("One sentence only.")])
    assert generation.text == "One sentence only."
    assert generation.tokens == 3 and generation.seconds >= 0 and generation.warnings == ()


def test_bad_k_is_rejected():
    with pytest.raises(ValueError, match="k must be"):
        LeadK(k=0)


def test_sentences_keep_their_closing_quotes_and_resplit_the_same():
    from harness.text import split_sentences

    text = ('He said Acme “improves its behaviour.” “Given the test,” he added. '
            'Then (it ended.) Mr. Smith left for the U.S. on Friday. Next one!')
    sents = split_sentences(text)
    assert sents == ['He said Acme “improves its behaviour.”', '“Given the test,” he added.',
                     'Then (it ended.)', 'Mr. Smith left for the U.S. on Friday.', 'Next one!']
    # A summary made of sentences splits back into exactly those sentences,
    # which is what lets faithfulness align copied sentences without the model.
    assert split_sentences(" ".join(sents[1:4])) == sents[1:4]
