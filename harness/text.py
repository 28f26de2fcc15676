"""Text helpers shared by the cleaner, the models and the metrics.

Tokens follow rouge-score's tokenizer (lower case, ``[a-z0-9]+``) so that the
content-word metrics and ROUGE see the same words; stems are the Porter stems
that rouge-score uses with ``use_stemmer=True``: its ``DefaultTokenizer`` builds
``nltk.stem.porter.PorterStemmer()``, whose default mode is ``NLTK_EXTENSIONS``
(not Porter's ``ORIGINAL_ALGORITHM``: "news" stays "news", "skies" becomes
"sky"). ``tests/test_text.py`` pins the two to agree.
"""

from __future__ import annotations

import functools
import re

from nltk.stem import porter

# English function words (the SMART stop list, trimmed to short forms); content
# words are every other token of two or more characters.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say s t d ll m re ve y wasn weren isn aren hasn haven hadn
    doesn didn don won wouldn shouldn couldn mr mrs ms""".split()
)

NEGATIONS = frozenset(
    "not no never none nobody nothing neither nor cannot without n't wasn't weren't isn't "
    "aren't hasn't haven't hadn't doesn't didn't don't won't wouldn't shouldn't couldn't".split()
)

_TOKEN = re.compile(r"[a-z0-9]+")
# A sentence ends at . ! ? (optionally followed by up to two closing quotes or
# brackets, which stay with it) before whitespace and an upper-case letter,
# digit or opening quote.
_CLOSE = "[\"'”’)\\]]"
_SENT_END = re.compile(
    rf"(?:(?<=[.!?])|(?<=[.!?]{_CLOSE})|(?<=[.!?]{_CLOSE}{_CLOSE}))\s+(?=[\"'“‘(\[]?[A-Z0-9])"
)
# Scraped text often loses the space between sentences ("(AP).Less than a day"):
# a full stop after a lower-case letter, digit or closing mark, directly followed
# by a capitalised word, ends a sentence too. ("U.S.Army" is kept: an upper-case
# letter precedes its stop.)
_GLUED = re.compile(r"(?<=[a-z0-9)\]\"'”’][.!?])(?=[\"“]?[A-Z][a-z])")
# Lower-cased, tokenized text ("kilmarnock 's manager . he said") has no capitals
# to find sentence starts by: there a stop followed by a space ends a sentence.
_LOWER_END = re.compile(r"(?<=[.!?])\s+")
# Abbreviations after which a period does not end a sentence.
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Gen|Gov|Sen|Rep|Lt|Col|Capt|Sgt|Inc|Ltd|Co|Corp|vs|"
    r"etc|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z]|\b[A-Z]\.[A-Z])\.$"
)
# The same, as they appear in lower-cased text ("dr. smith", "u.s. officials").
_ABBREV_LOWER = re.compile(
    r"(?:^|\s)(?:mr|mrs|ms|dr|prof|sr|jr|st|gen|gov|sen|rep|lt|col|capt|sgt|inc|ltd|co|corp|vs|"
    r"etc|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|[a-z]|[a-z]\.[a-z])\.$"
)


# The stemmer rouge_score.tokenizers.DefaultTokenizer(use_stemmer=True) builds:
# PorterStemmer() in its default NLTK_EXTENSIONS mode. Stemming is pure, so its
# stems are remembered (it is most of ROUGE's time).
porter_stem = functools.lru_cache(maxsize=200_000)(porter.PorterStemmer().stem)


def stem(token: str) -> str:
    """Porter stem of a lower-case token, as rouge-score computes it (len > 3 only)."""
    return porter_stem(token) if len(token) > 3 else token


def tokens(text: str) -> list[str]:
    """Lower-case alphanumeric tokens, as rouge-score tokenizes."""
    return _TOKEN.findall(text.lower())


def content_stems(text: str) -> list[str]:
    """Stems of the content words (no stop words, no one-letter tokens)."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS and len(t) > 1]


def split_sentences(text: str) -> list[str]:
    """Split text into sentences with a rule-based splitter that knows abbreviations.

    Text without capital letters (lower-cased, tokenized summaries) is split at
    every stop followed by a space, except after the abbreviations below.
    """
    out: list[str] = []
    for block in re.split(r"\n\s*\n|\n", text):
        block = block.strip()
        if not block:
            continue
        lower = block == block.lower()
        pieces = _LOWER_END.split(block) if lower else _SENT_END.split(_GLUED.sub(" ", block))
        abbrev = _ABBREV_LOWER if lower else _ABBREV
        buf = ""
        for piece in pieces:
            buf = f"{buf} {piece}".strip() if buf else piece.strip()
            if abbrev.search(buf):
                continue
            out.append(buf)
            buf = ""
        if buf:
            out.append(buf)
    return out
