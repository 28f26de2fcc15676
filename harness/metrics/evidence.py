"""Shared evidence extractors: named entities, numbers, negations, sentence alignment.

Entities are found by rule, not by a tagger (no NER model ships offline here):
runs of capitalised words, where a sentence-initial word counts only as part of
a run of two or more or when the same word is capitalised elsewhere in the
text. Numbers are digit strings (thousands separators dropped) plus the number
words one to twenty, ten-multiples, and scale words, normalised to digits so
that "three" and "3" match.

Alignment follows SummaC's zero-shot scheme (Laban et al. 2022): every summary
sentence is scored against every article sentence (and every pair of adjacent
article sentences, so that a sentence fused from two neighbours is not
penalised) and keeps its best window. The per-window score is BERTScore-style
token precision (Zhang et al. 2020) with MiniLM's contextual token vectors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from harness.embed import TOKEN_LAYER, Encoder
from harness.text import NEGATIONS, STOPWORDS, split_sentences, stem, tokens

# A word holding a letter anywhere ("Kenya's", "MP3", "3G", "7E7") is one word;
# other digit runs are numbers ("1,000.5"). Splitting "3G" into "3" and "G" made
# a bogus entity "g" and a bogus number 3.
_WORD = re.compile(r"(?=[A-Za-z0-9'’\-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9'’\-]*|\d[\d,.]*")
_CAP = re.compile(r"^[A-Z][A-Za-z0-9'’\-]*$")
# Letter-digit codes (MP3, 3G, G8, MI5, U2) are names whatever their case; a
# number with a unit or ordinal suffix (15m, 2bn, 70th, 3pm, 1990s) is a number.
_CODE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9]+$")
_UNIT = re.compile(
    r"^(\d[\d,.]*)(?:st|nd|rd|th|s|m|bn|tn|k|km|kg|mm|cm|ft|mph|kph|am|pm|gb|mb|mw|kw)$", re.I)
# Vocabulary placeholders in system output ("UNK", "[UNK]", "<unk>") stand for a
# word the summarizer could not spell; they are not names.
_PLACEHOLDERS = frozenset({"unk"})
# Lower-case words allowed inside a capitalised run ("Bank of England").
_CONNECT = frozenset({"of", "de", "la", "du", "van", "von", "der", "al", "bin", "and"})
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORDS.update(
    {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
     "eighty": "80", "ninety": "90", "hundred": "100", "thousand": "1000",
     "million": "1000000", "billion": "1000000000", "trillion": "1000000000000",
     "half": "0.5", "dozen": "12"}
)


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def entities(text: str) -> set[tuple[str, ...]]:
    """Named-entity candidates of ``text``: lower-cased token tuples without stop words."""
    out: set[tuple[str, ...]] = set()
    capitalised_inside = set()
    sentences = [_words(s) for s in split_sentences(text)]
    for words in sentences:
        capitalised_inside.update(w.lower() for w in words[1:] if _CAP.match(w))
    for words in sentences:
        run: list[str] = []
        for i, word in enumerate(words + [""]):
            if ((_CAP.match(word) or _is_code(word)) and word.lower() not in _PLACEHOLDERS
                    or (run and word in _CONNECT)):
                run.append(word)
                continue
            out.update(_entity_from_run(run, words_start=(i - len(run) == 0),
                                        known=capitalised_inside))
            run = []
    return out


def _is_code(word: str) -> bool:
    return bool(_CODE.match(word)) and not _UNIT.match(word)


def _entity_from_run(run: list[str], words_start: bool, known: set[str]) -> set[tuple[str, ...]]:
    while run and run[-1] in _CONNECT:
        run = run[:-1]
    if (words_start and run and len(run) == 1 and run[0].lower() not in known
            and not _is_code(run[0])):
        return set()
    toks = tuple(t for w in run for t in tokens(w) if t not in STOPWORDS and t not in _CONNECT)
    return {toks} if toks else set()


def numbers(text: str) -> set[str]:
    """Numbers of ``text`` normalised to digit strings ("1,000" -> "1000", "three" -> "3")."""
    out = set()
    for word in _words(text):
        low = word.lower()
        if low in _NUMBER_WORDS:
            out.add(_NUMBER_WORDS[low])
        elif word[0].isdigit() and not _is_code(word):
            # "31-year-old" -> 31, "15m" -> 15, "1,000." -> 1000
            unit = _UNIT.match(word)
            lead = unit.group(1) if unit else re.match(r"\d[\d,.]*", word).group(0)
            digits = lead.replace(",", "").rstrip(".")
            if digits.endswith(".0"):
                digits = digits[:-2]
            out.add(digits)
    return out


# Contrasts that exclude as "not" does: "rather than Blackpool" says what
# "not Blackpool" says, so the two must not differ in negation parity.
_EXCLUDING = re.compile(r"\b(?:rather than|instead of)\b")


def negation_count(text: str) -> int:
    """How many negations ``text`` has: ``harness.text.NEGATIONS``, "n't", "rather than"."""
    low = text.lower().replace("’", "'")
    return sum(t in NEGATIONS for t in low.split()) + low.count("n't") - sum(
        t in NEGATIONS and "n't" in t for t in low.split()
    ) + len(_EXCLUDING.findall(low))


# Suffixes that turn a place or group name into its adjective or plural (Asia ->
# Asian, Kenya -> Kenyans, Pakistan -> Pakistani, Democrat -> Democrats).
_NAME_SUFFIXES = ("n", "an", "ns", "ans", "s", "i", "is")


def entity_supported(entity: tuple[str, ...], token_set: set[str]) -> bool:
    """An entity is supported when each of its tokens, or its stem name, occurs in ``token_set``.

    "Asian" is supported by "Asia": a name with a demonym or plural suffix
    counts as that name when the rest (four letters or more) is in the set.
    """
    return all(t in token_set or any(
        t.endswith(suf) and len(t) - len(suf) >= 4 and t[: -len(suf)] in token_set
        for suf in _NAME_SUFFIXES) for t in entity)


def content_bigrams(text: str) -> set[tuple[str, str]]:
    """Stemmed bigrams of all tokens (stop words kept: word order carries relations)."""
    toks = [stem(t) for t in tokens(text)]
    return set(zip(toks, toks[1:], strict=False))


@dataclass(frozen=True)
class Alignment:
    """Best article window of each summary sentence.

    Attributes:
        windows: per summary sentence, the article sentence indices of its best window.
        token_precision: per summary sentence, the BERTScore-style precision in that window.
        token_best: per summary sentence, each word piece's best cosine in that window.

    """

    windows: list[tuple[int, ...]]
    token_precision: list[float]
    token_best: list[np.ndarray]


def align(
    summary_sents: list[str],
    article_sents: list[str],
    encoder: Encoder,
    layer: int = TOKEN_LAYER,
    adjacent_pairs: bool = True,
) -> Alignment:
    """Align each summary sentence to its best article sentence or adjacent pair.

    A summary sentence found verbatim in the article is aligned to (the first
    copy of) that sentence with precision 1.0 without running the model: its
    token vectors equal that sentence's (sentences are encoded one at a time),
    so every token's best match is itself and no window can score higher.
    Extractive summaries therefore cost no embedding time here.
    """
    first = _first_index(article_sents)
    windows: list[tuple[int, ...]] = []
    precisions: list[float] = []
    best_tokens: list[np.ndarray] = []
    new = [s for s in summary_sents if s not in first]
    if new:
        art_tok = encoder.encode_tokens(article_sents, layer)
        owner = np.concatenate([np.full(len(t), j) for j, t in enumerate(art_tok)])
        art_mat = np.concatenate(art_tok)
        new_tok = dict(zip(new, encoder.encode_tokens(new, layer), strict=True))
    for sent in summary_sents:
        if sent in first:
            windows.append((first[sent],))
            precisions.append(1.0)
            best_tokens.append(np.ones(1, dtype=np.float32))
            continue
        sims = new_tok[sent] @ art_mat.T  # summary tokens x article tokens
        per_sent = np.stack([sims[:, owner == j].max(1) for j in range(len(article_sents))], 1)
        cands = [((j,), per_sent[:, j].mean()) for j in range(len(article_sents))]
        if adjacent_pairs:
            cands += [
                ((j, j + 1), np.maximum(per_sent[:, j], per_sent[:, j + 1]).mean())
                for j in range(len(article_sents) - 1)
            ]
        best = max(cands, key=lambda c: c[1])
        windows.append(best[0])
        precisions.append(float(best[1]))
        best_tokens.append(per_sent[:, list(best[0])].max(1))
    return Alignment(windows, precisions, best_tokens)


def rescale(value: float, baseline: float) -> float:
    """BERTScore's baseline rescaling: ``baseline`` (unrelated text) maps to 0, 1 to 1, clipped."""
    return float(np.clip((value - baseline) / (1 - baseline), 0.0, 1.0))


def texts_to_align(summary_sents: list[str], article_sents: list[str]) -> list[str]:
    """The sentences ``align`` will embed for this pair (none when all are verbatim)."""
    first = _first_index(article_sents)
    new = [s for s in summary_sents if s not in first]
    return new + article_sents if new else []


def _first_index(sents: list[str]) -> dict[str, int]:
    first: dict[str, int] = {}
    for j, sent in enumerate(sents):
        first.setdefault(sent, j)
    return first


def token_recall(
    reference_sents: list[str],
    summary_sents: list[str],
    encoder: Encoder,
    layer: int = TOKEN_LAYER,
) -> float:
    """BERTScore-style token recall of a reference by a summary (Zhang et al. 2020).

    Each token of the reference (sentences encoded one at a time, as ``align``
    does, so the vectors are reused from the encoder's cache) takes
    its best cosine over all summary tokens; the result is their mean.
    """
    ref = np.concatenate(encoder.encode_tokens(reference_sents, layer))
    summ = np.concatenate(encoder.encode_tokens(summary_sents, layer))
    return float((ref @ summ.T).max(1).mean())
