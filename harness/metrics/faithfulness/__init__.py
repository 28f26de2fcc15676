"""Faithfulness of a summary to its article, and the composite ``faithfulness`` score.

Components (definitions in docs/metrics.md):

- entity and number precision against the whole article (Nan et al. 2021's
  entity-level precision, with rule-based entities);
- sentence-level support: each summary sentence aligned to its best article
  sentence or adjacent pair (SummaC-ZS max, Laban et al. 2022) by BERTScore-style
  token precision over MiniLM's contextual token vectors (Zhang et al. 2020),
  rescaled against the precision of unrelated sentence pairs (BERTScore's
  baseline rescaling) and aggregated by mean and min;
- contradiction signals against the aligned window: a negation the window does
  not have (or lacks), a number or entity found elsewhere in the article but not
  in the window, two entities in the opposite order from the window;
- changed copies: a sentence that restates one run of its window's words but
  flips its negation, changes a number or swaps two names, each change a
  penalty factor (``substitution_penalty``).

``faithfulness`` is learned: each summary sentence gets thirteen features (the
support above and the share of its word pieces without a close match in the
window, n-gram precision against the article and the window, words, names and
numbers the article lacks, negation parity, length, Grusky et al.'s fragment
coverage and density) and a logistic model (``harness.metrics.fit``,
parameters in ``harness/params/faithfulness.json``) gives the probability that
the sentence has no factual error; a rewritten sentence (fragment density
below 0.1: hardly a run of the article's words) is scored by a second
logistic model of the support and unmatched-piece features alone. The score is
the mean over sentences. The
weights were fitted on FRANK dev's human judgments (Pagnoni et al. 2021) by
``scripts/train_faithfulness.py --fit``. ``params: null`` gives the earlier
hand-set composite (support times a penalty per signal, mean and min averaged).

Long articles: every article sentence is a candidate (no length cut-off; the
cost grows with sentences x summary sentences); sentences over
``CHUNK_WORDS`` words are cut into pieces of that size so that MiniLM's
256-word-piece window sees all of each.

The package: :mod:`.features` (the sentence features, the contradiction
signals, the article's sentences), :mod:`.model` (the ``Faithfulness`` metric:
alignment, cross-encoder evidence, memos, the learned and hand-set scores) and
:mod:`.explain` (the wording of each sentence's reasons). The names below are
re-exported so that ``harness.metrics.faithfulness.Faithfulness`` (the config's
``_target_``) and ``FEATURES`` keep their import path.
"""

from harness.metrics.faithfulness.explain import sentence_reasons
from harness.metrics.faithfulness.features import (
    CHUNK_WORDS,
    FEATURES,
    SUPPORT_FEATURES,
    UNMATCHED_COSINE,
    ArticleIndex,
    SentenceCheck,
    article_sentences,
)
from harness.metrics.faithfulness.model import (
    BASELINE_PRECISION,
    CHUNK_CONTEXT,
    MEMO_SIZE,
    TOP_K_WINDOWS,
    Faithfulness,
)

__all__ = [
    "BASELINE_PRECISION",
    "CHUNK_CONTEXT",
    "CHUNK_WORDS",
    "FEATURES",
    "MEMO_SIZE",
    "SUPPORT_FEATURES",
    "TOP_K_WINDOWS",
    "UNMATCHED_COSINE",
    "ArticleIndex",
    "Faithfulness",
    "SentenceCheck",
    "article_sentences",
    "sentence_reasons",
]
