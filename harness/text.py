"""Text helpers shared by the cleaner, the models and the metrics.

Tokens follow rouge-score's tokenizer (lower case, ``[a-z0-9]+``) so that the
content-word metrics and ROUGE see the same words; text with letters of a
script other than Latin, where rouge-score finds no word, keeps that script's
words (each CJK character a word) beside the ASCII ones. Sentences also end
at the full stops of CJK and Arabic script. Stems are the Porter stems
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
# Letters of scripts other than Latin (Greek, Cyrillic, Armenian, Hebrew, Arabic,
# the Indic scripts, Thai, Georgian, Hangul, kana, CJK ideographs, ...): text
# holding none of them is tokenized exactly as rouge-score does.
_NON_LATIN = re.compile(r"[\u0370-\u03ff\u0400-\u052f\u0531-\u058f\u0590-\u08ff\u0900-\u0dff"
                        r"\u0e00-\u0fff\u1000-\u109f\u10a0-\u10ff\u1100-\u11ff\u1200-\u137f"
                        r"\u1780-\u17ff\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u3400-\u4dbf"
                        r"\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufb1d-\ufdff\ufe70-\ufeff]")
# A sentence ends at . ! ? (optionally followed by up to two closing quotes or
# brackets, which stay with it) before whitespace and an upper-case letter,
# digit or opening quote.
_CLOSE = "[\"'”’)\\]]"
# Full stops beside . ! ?: Arabic question mark, Urdu full stop, Devanagari danda.
_STOP = ".!?؟۔।"
# What may start a sentence beside A-Z and digits: capitals of Greek, Cyrillic and
# Armenian, and the letters of scripts without case (Hebrew, Arabic, the Indic
# scripts, Thai, kana, Hangul, CJK). None of them occurs in English text.
_START = ("A-Z0-9\u0386-\u038f\u0391-\u03ab\u0400-\u042f\u0531-\u0556\u05d0-\u05ea"
          "\u0620-\u064a\u0671-\u06d3\u0900-\u0dff\u0e00-\u0e7f\u3040-\u30ff\u4e00-\u9fff"
          "\uac00-\ud7af")
_SENT_END = re.compile(
    rf"(?:(?<=[{_STOP}])|(?<=[{_STOP}]{_CLOSE})|(?<=[{_STOP}]{_CLOSE}{_CLOSE}))\s+"
    rf"(?=[\"'“‘(\[]?[{_START}])"
)
# CJK full stops end a sentence with no space after them (after their closing
# quote or bracket, when one follows).
_CJK_CLOSE = "」』”’）)"
_CJK_END = re.compile(rf"(?:(?<=[。！？])|(?<=[。！？][{_CJK_CLOSE}]))(?![{_CJK_CLOSE}。！？])\s*")
# Scraped text often loses the space between sentences ("(AP).Less than a day"):
# a full stop after a lower-case letter, digit or closing mark, directly followed
# by a capitalised word, ends a sentence too. ("U.S.Army" is kept: an upper-case
# letter precedes its stop.)
_GLUED = re.compile(r"(?<=[a-z0-9)\]\"'”’][.!?])(?=[\"“]?[A-Z][a-z])")
# Lower-cased, tokenized text ("kilmarnock 's manager . he said") has no capitals
# to find sentence starts by: there a stop followed by a space ends a sentence.
_LOWER_END = re.compile(rf"(?<=[{_STOP}])\s+")
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
    """Porter stem of a lower-case token, as rouge-score computes it (len > 3 only).

    Tokens of other scripts are kept as they are: Porter's rules are English.
    """
    return porter_stem(token) if len(token) > 3 and token.isascii() else token


def has_non_latin(text: str) -> bool:
    """Whether ``text`` holds a letter of a script other than Latin."""
    return not text.isascii() and _NON_LATIN.search(text) is not None


def tokens(text: str) -> list[str]:
    """Lower-case alphanumeric tokens, as rouge-score tokenizes, in every script.

    rouge-score keeps ``[a-z0-9]+`` only, so an Arabic or Chinese summary has no
    token at all. Text with letters of another script is tokenized by
    :func:`unicode_tokens`; any other text exactly as rouge-score does.
    """
    low = text.lower()
    return unicode_tokens(low) if has_non_latin(low) else _TOKEN.findall(low)


def english_share(text: str) -> float:
    """Share of the words of ``text`` written in ASCII (1.0 for text without a word).

    The faithfulness model and the headline check are fitted on English; text
    mostly in another script is flagged (or refused) rather than scored silently.
    """
    words = tokens(text)
    return sum(w.isascii() for w in words) / len(words) if words else 1.0


#: How the warning of an article mostly in another script begins (``warnings.jsonl``);
#: the tables count the scored articles whose warnings begin so (:mod:`harness.results`).
NOT_ENGLISH_PREFIX = "the article is mostly in a script other than Latin"
#: That warning: which metrics read such an article as English would not.
NOT_ENGLISH = (f"{NOT_ENGLISH_PREFIX}: faithfulness (fitted on English) and the headline "
               "check are English-only; ROUGE, coverage and fragments read its words")


def mostly_not_english(body: str) -> bool:
    """Whether an article body is mostly in a script other than Latin (its first 5,000 chars)."""
    return english_share(body[:5000]) < 0.5


@functools.lru_cache(maxsize=4096)
def _char_kind(char: str) -> str:
    """How :func:`unicode_tokens` reads a character.

    ``a``: an ASCII letter or digit; ``c``: a character that is a word by itself
    (CJK); ``w``: a letter or digit of another script; ``m``: a combining mark
    of one; ``s``: a separator. Latin letters outside ASCII stay separators, as
    in rouge-score ("café" gives "caf").
    """
    import unicodedata

    if char.isascii():
        return "a" if char.isalnum() else "s"
    category = unicodedata.category(char)[0]
    if not _NON_LATIN.match(char) or category not in "LNM":
        return "s"
    if category == "M":
        return "m"
    # Chinese and Japanese put no spaces between words: each character is a token,
    # as in the character-level ROUGE of Chinese summarization (LCSTS, Hu et al. 2015).
    name = unicodedata.name(char, "")
    if name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY", "HIRAGANA", "KATAKANA")):
        return "c"
    return "w"


def unicode_tokens(low: str) -> list[str]:
    """Tokens of lower-case text in any script.

    ASCII letters and digits as rouge-score reads them; runs of letters (with
    their combining marks) of other scripts; each CJK character alone.
    """
    out: list[str] = []
    run: list[str] = []
    kind = "s"
    for char in low:
        k = _char_kind(char)
        if k == "m":
            k = "w" if kind == "w" else "s"  # a mark belongs to the letter before it
        if run and (k != kind or k == "c"):
            out.append("".join(run))
            run = []
        kind = k
        if k != "s":
            run.append(char)
    if run:
        out.append("".join(run))
    return out


def word_count(text: str) -> int:
    """Words of ``text`` as a reader counts them: white-space separated, each CJK character one.

    Chinese and Japanese put no spaces between words, so a three-sentence summary
    is not three words; text without CJK characters counts exactly its
    white-space separated pieces.
    """
    count = 0
    for piece in text.split():
        cjk = any(_char_kind(char) == "c" for char in piece)
        count += max(1, len(unicode_tokens(piece.lower()))) if cjk else 1
    return count


def content_stems(text: str) -> list[str]:
    """Stems of the content words (no stop words, no one-letter tokens)."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS and len(t) > 1]


def split_sentences(text: str) -> list[str]:
    """Split text into sentences with a rule-based splitter that knows abbreviations.

    Text without capital letters (lower-cased, tokenized summaries) is split at
    every stop followed by a space, except after the abbreviations below.
    """
    out: list[str] = []
    blocks = re.split(r"\n\s*\n|\n", text)
    if any(c in text for c in "。！？"):
        blocks = [piece for block in blocks for piece in _CJK_END.split(block)]
    for block in blocks:
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
