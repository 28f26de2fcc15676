"""ROUGE of the summary against the article's headline and lede, and against gold summaries.

Reproduces ``rouge_score.rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"],
use_stemmer=True)`` (itself a Python port of ROUGE-1.5.5 with ``-m``), with the
headline and the lede each used as the single reference (an untitled article,
whose headline is absent, gets the lede's keys only). The tokenizer is
rouge-score's own (``DefaultTokenizer``'s steps) with the stemmer of
:mod:`harness.text`, the same ``PorterStemmer()`` with each stem remembered,
so ROUGE and the content-word metrics see the same stems. Text with letters
of a script other than Latin, which rouge-score drops (it keeps
``[a-z0-9]``), is tokenized by :func:`harness.text.tokens` instead: words of
that script, each CJK character a token, English words as before; any other
text gives rouge-score's own numbers.

``copies_lede`` is 1 when the summary contains the lede word for word (case
and spacing aside), else 0: lead-k summaries do, and their lede-based scores
(``rouge*_lede_*``, and coverage's ``cov_lede_*``) then measure the copy, not
how well a summary says what the lede says (the tables note it).

:class:`ReferenceRouge` scores against the article's reference (gold)
summaries, when its source has them: ``rouge_scorer.RougeScorer(["rouge1",
"rouge2", "rougeL", "rougeLsum"], use_stemmer=True)``, the standard table of
summarization papers. With several references it is ``RougeScorer.score_multi``:
per ROUGE type, the precision, recall and F1 of the reference with the highest
F1. ``rougeLsum`` takes each line as a sentence (CNN/DailyMail's highlights
are one per line); texts are scored as they are, not re-split.
"""

from __future__ import annotations

import re

from rouge_score import rouge_scorer, tokenize, tokenizers

from harness.metrics.base import KeySpec, Metric
from harness.text import has_non_latin, porter_stem, stem, tokens
from harness.types import Article

_TYPES = ("rouge1", "rouge2", "rougeL")
_REFERENCES = ("headline", "lede")


def _declare() -> tuple[KeySpec, ...]:
    names = {"r": "recall", "f": "F1"}
    return tuple(
        KeySpec(f"{rt}_{ref}_{part}", doc=f"{rt.upper()} {names[part]} against the {ref}",
                optional=ref == "headline")
        for rt in _TYPES
        for ref in _REFERENCES
        for part in ("r", "f")
    ) + (KeySpec("copies_lede", higher_is_better=None,
                 doc="1 when the summary contains the lede verbatim (case and spacing aside)"),)


# Chinese and Japanese put no space between sentences; a summary made of the
# lede's sentences joins them with one, which is spacing, not a change of words.
_CJK = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")


def _spaced(text: str) -> str:
    """Lower case, runs of white space as one space, none beside CJK characters."""
    return _CJK_GAP.sub("", " ".join(text.lower().split()))


def copies_lede(summary: str, lede: str) -> float:
    """1.0 when ``summary`` holds ``lede`` word for word (case and spacing aside), else 0.0."""
    words = _spaced(lede)
    return float(bool(words) and words in _spaced(summary))


class _MemoStemmer:
    """The stemmer ``DefaultTokenizer`` builds, with its stems remembered."""

    stem = staticmethod(porter_stem)


class _Tokenizer(tokenizers.Tokenizer):
    """``rouge_score.tokenizers.DefaultTokenizer`` with memoised stems."""

    def __init__(self, use_stemmer: bool) -> None:
        self._stemmer = _MemoStemmer() if use_stemmer else None

    def tokenize(self, text: str) -> list[str]:
        if not has_non_latin(text):
            return tokenize.tokenize(text, self._stemmer)
        # rouge-score keeps [a-z0-9] only: an Arabic summary copying its lede
        # word for word would score 0. Other scripts keep their words.
        found = tokens(text)
        return [stem(t) for t in found] if self._stemmer is not None else found


class Rouge(Metric):
    """ROUGE-1/2/L recall and F1 of the summary against the headline and the lede.

    The headline's keys are optional: an untitled article (no headline) has
    the lede's alone; an article with no lede is an error.
    """

    KEYS = _declare()

    def __init__(self, use_stemmer: bool = True) -> None:
        self._scorer = rouge_scorer.RougeScorer(list(_TYPES), tokenizer=_Tokenizer(use_stemmer))

    def score(self, summary: str, article: Article) -> dict[str, float]:
        """ROUGE values keyed ``rouge{1,2,L}_{headline,lede}_{r,f}``."""
        out: dict[str, float] = {}
        for ref_name in _REFERENCES:
            reference = getattr(article, ref_name)
            if not reference.strip():
                if ref_name == "headline":
                    continue  # untitled: no headline keys (declared optional), not a 0
                raise ValueError(f"article {article.id!r} has no {ref_name} to compute ROUGE "
                                 "against")
            # RougeScorer.score(target, prediction): the reference is the target.
            result = self._scorer.score(reference, summary)
            for rt in _TYPES:
                out[f"{rt}_{ref_name}_r"] = result[rt].recall
                out[f"{rt}_{ref_name}_f"] = result[rt].fmeasure
        out["copies_lede"] = copies_lede(summary, article.lede)
        return out


_REF_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


class ReferenceRouge(Metric):
    """ROUGE-1/2/L/Lsum precision, recall and F1 against the reference summaries.

    Articles without a reference get no keys (not an error); with several, the
    best-matching one per ROUGE type counts (``score_multi``).
    """

    KEYS = tuple(
        KeySpec(f"{rt}_ref_{part}", doc=f"{rt} {name} against the reference summaries (max)",
                optional=True)
        for rt in _REF_TYPES
        for part, name in (("p", "precision"), ("r", "recall"), ("f", "F1"))
    )

    def __init__(self, use_stemmer: bool = True) -> None:
        self._scorer = rouge_scorer.RougeScorer(list(_REF_TYPES),
                                                tokenizer=_Tokenizer(use_stemmer))

    def score(self, summary: str, article: Article) -> dict[str, float]:
        """``rouge{1,2,L,Lsum}_ref_{p,r,f}``, or nothing when the article has no reference."""
        if not article.references:
            return {}
        result = self._scorer.score_multi(list(article.references), summary)
        out: dict[str, float] = {}
        for rt in _REF_TYPES:
            out[f"{rt}_ref_p"] = float(result[rt].precision)
            out[f"{rt}_ref_r"] = float(result[rt].recall)
            out[f"{rt}_ref_f"] = float(result[rt].fmeasure)
        return out
