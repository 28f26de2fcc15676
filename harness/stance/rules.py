"""Claim-checking rules of the headline check: what the headline says that the body does not.

``rule_findings`` applies general rules to a headline and its best evidence
sentences: direction words whose opposite the body uses, numbers the body
contradicts or lacks, names the body never mentions, negation and denial the
headline adds or the body puts on a headline word, hedged evidence stated as
fact, exaggeration, swapped roles (who did what to whom) and clickbait. Each
rule is built on a lexicon (``harness.stance.lexicon``) rather than on any
one article; docs/headline.md lists them with examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from harness.stance.lexicon import (
    ATTACHED_HEDGES,
    CLICKBAIT,
    CONTRACTIONS,
    DENIAL,
    DIRECTION_PAIRS,
    DOWNTONERS,
    HEADLINE_HEDGES,
    HEDGES,
    INTENSIFIERS,
    NEGATION_WORDS,
    STRONG_HEDGES,
)
from harness.stance.prepare import Text, is_negation, token_value
from harness.text import STOPWORDS, content_stems, split_sentences, stem

ATTACH_SPAN = 3  # an attached hedge covers the next three words
# Words of a direction group count against a headline word only when they sit
# within this many words of one of the headline's other content words.
DIRECTION_SPAN = 4


@dataclass
class Finding:
    """One rule's finding: ``kind``, whether it ``disputes`` the claim, a reason."""

    kind: str
    disputes: bool
    reason: str


def rule_findings(head: Text, body: Text, top: list[int],
                  common: frozenset[str] = frozenset()) -> list[Finding]:
    """Apply the claim-checking rules to a headline and its top evidence sentences.

    ``disputes`` findings (opposite direction, a number the body contradicts,
    a negation or denial the body does not share, swapped roles, an
    exaggeration the body plays down) forbid the verdict ``supported`` and
    make it ``disputed``; the others (a hedged body, a name or number the body
    lacks, an exaggeration the body does not back) cap it at ``partly
    supported``; ``clickbait`` makes it ``no claim``. ``common`` is the set of
    common lower-case words (shipped with the model) that tells names from
    capitalised ordinary words.
    """
    h = head.sents[0]
    h_stems = head.stems[0]
    h_toks = head.toks[0]
    out: list[Finding] = []
    if CLICKBAIT.search(h):
        out.append(Finding("clickbait", False, "headline is clickbait with no checkable claim"))
    ev_stems = set().union(*(body.stems[i] for i in top))
    about = _about_claim(head, body, top)
    # Direction: the evidence puts the opposite word next to the headline's subject.
    hit = _direction(head, body, top, about)
    if hit:
        out.append(Finding("direction", hit[1], hit[0]))
    # Numbers: a headline number the body never gives (within 5 %: "$25bn" vs "$25.4bn").
    for n in sorted(head.all_nums, key=str):
        v = _value(n)
        if v is None or n in TRIVIAL_NUMBERS or _is_year(n) or n in body.all_nums:
            continue
        close = {m for m in body.all_nums if (w := _value(m)) is not None
                 and abs(v - w) <= 0.05 * max(abs(v), abs(w))}
        if close:
            # A rounded figure ("5%" for 4.75 %) is the body's, unless another body
            # number counts the headline's thing more closely ("interest rates ... 2%"
            # against another bank's "main rate at 4.75%").
            rival = _closer_rival(n, head, body, top, close) if v > 0 else None
            if rival:
                out.append(Finding("number", True, f"number {n} in headline, body says {rival}"))
            continue
        rival = _rival_number(n, head, body, top) if v > 0 else None
        if rival:
            out.append(Finding("number", True, f"number {n} in headline, body says {rival}"))
        else:
            out.append(Finding("number", False, f"number {n} in headline is not in the body"))
    # Names: a capitalised headline word that is not a common lower-case word and
    # that the body never uses (a body word sharing its first four letters counts:
    # "British" / "Britain").
    prefixes = {t[:4] for t in body.all_tokens if len(t) >= 5}
    for name in _names(h, common):
        # A title-case headline capitalises ordinary words: one whose stem the body
        # uses ("Implanted" / "implant") is not a missing name.
        if name not in body.all_tokens and not (len(name) >= 5 and name[:4] in prefixes) \
                and stem(name) not in body.all_stems \
                and not (name.upper() in h and _initials(name, body)):
            out.append(Finding("name", False, f"name {name!r} in headline is not in the body"))
    # Negation and denial the headline adds, where no body sentence about the claim
    # (``_about_claim``) carries one.
    h_neg, h_den = head.cues[0, 2], head.cues[0, 3]
    if h_den and not body.cues[about, 3].sum():
        out.append(Finding("denial", True, f"headline says {_word(h_toks, h_stems & DENIAL)!r}, "
                           "the body does not"))
    elif h_neg and not _negates_claim(head, body, about):
        out.append(Finding("negation", True, "headline is negated, the body does not negate "
                           "the claim"))
    # Failure: "Talks fail to reach a deal" where the body says the deal was reached.
    failed = _unfailed_verb(head, body, about)
    if failed:
        out.append(Finding("failure", True, failed))
    # Negation the body puts on a headline word ("in Manchester and not Blackpool").
    if not h_neg and not h_den:
        hit = _negated_headline_word(head, body, top)
        if hit:
            out.append(Finding("body_negation", True, f"body says {hit!r}"))
    # Hedging: the best evidence sentence hedges a claim the headline states flat.
    hedge = _hedge(head, body, top[0])
    if hedge and not _hedged_headline(head):
        out.append(Finding("hedge", False, f"body hedges the claim ({hedge!r}), headline "
                           "states it as fact"))
    # Exaggeration: magnitude words the body does not use.
    extra = (h_stems & INTENSIFIERS) - body.all_stems
    if extra:
        word = _word(h_toks, extra)
        if ev_stems & DOWNTONERS:
            out.append(Finding("exaggeration", True, f"headline says {word!r}, body says "
                               f"{_word(_body_toks(body, top), ev_stems & DOWNTONERS)!r}"))
        else:
            out.append(Finding("exaggeration", False, f"headline says {word!r}, body does not"))
    # Who did what to whom: "A <verb> B" in the headline, "B <verb> A" in the body.
    swap = _role_swap(head, body, top, common)
    if swap:
        out.append(Finding("roles", True, swap))
    return out


_NAME = re.compile(r"[A-Za-z][A-Za-z'’]*")


def _names(headline: str, common: frozenset[str]) -> list[str]:
    """Lower-cased capitalised words of a headline that are not common lower-case words.

    In a title-case headline (``_title_case``) capitals say little, so a word
    whose stem is a common word's stem is common too: "Pledges" or "Disguise"
    where the bodies write "pledged" and "disguised". In sentence case that
    stem match is not made, since names share stems with ordinary words
    ("Downing", "Plante", "Nations"). Two-letter capitals (US, UK, TV, PM) are
    left out: bodies often spell them out ("the United States").
    """
    common_stems = _stems_of(common) if _title_case(headline, common) else frozenset()
    out = []
    for word in _NAME.findall(headline):
        low = word.lower().split("'")[0].split("’")[0]
        if word[0].isupper() and len(low) > 1 and low not in common and low not in STOPWORDS \
                and stem(low) not in common_stems and not (len(word) == 2 and word.isupper()):
            out.append(low)
    return list(dict.fromkeys(out))


def _title_case(headline: str, common: frozenset[str]) -> bool:
    """Whether a headline capitalises ordinary words: half or more of its common words.

    The first word and stop words are not counted; at least two common words
    are needed to tell.
    """
    words = [w for w in _NAME.findall(headline)[1:]
             if w.lower() in common and w.lower() not in STOPWORDS]
    return len(words) >= 2 and 2 * sum(w[0].isupper() for w in words) >= len(words)


@lru_cache(maxsize=4)
def _stems_of(words: frozenset[str]) -> frozenset[str]:
    """The stems of a word set (the common words', computed once per set)."""
    return frozenset(stem(w) for w in words)


def _initials(name: str, body: Text) -> bool:
    """An all-capitals name spelled out in the body ("LTA": "Lawn Tennis Association")."""
    n = len(name)
    return any("".join(t[0] for t in toks[i: i + n]) == name
               for toks in body.toks for i in range(len(toks) - n + 1))


def _direction(head: Text, body: Text, top: list[int],
               about: list[int]) -> tuple[str, bool] | None:
    """A direction word the body contradicts: (reason, whether it disputes), or None.

    For each opposite pair (``DIRECTION_PAIRS``) with a word of one side in the
    headline and none of the other:

    - an evidence sentence with an other-side word within ``DIRECTION_SPAN``
      words of one of the headline's other content words, and no
      headline-side word in that span, contradicts the headline ("output
      fell" against "output rises"): a dispute;
    - else, when the body never uses a headline-side word but a sentence about
      the claim (``about``, from ``_about_claim``) has an other-side word and no headline-side
      one ("the studio ... is to close" against "studio to open"), the
      headline's direction is not backed: a partial finding.
    """
    h_toks = head.toks[0]
    h_set = set(h_toks)
    all_dir = set().union(*(a | b for a, b in DIRECTION_PAIRS))
    anchors = {stem(t) for t in h_toks if t not in STOPWORDS and len(t) > 1 and t not in all_dir}
    sides = [(mine, other) for a, b in DIRECTION_PAIRS for mine, other in ((a, b), (b, a))
             if h_set & mine and not h_set & other]
    for mine, other in sides:
        for i in top:
            toks = body.toks[i]
            for j, w in enumerate(toks):
                if w not in other:
                    continue
                span = toks[max(0, j - DIRECTION_SPAN): j + DIRECTION_SPAN + 1]
                if {stem(t) for t in span} & anchors and not set(span) & mine:
                    return (f"headline says {_first(h_toks, h_set & mine)!r}, body says "
                            f"{' '.join(toks[max(0, j - 2): j + 3])!r}", True)
    for mine, other in sides:
        if body.all_tokens & mine:
            continue
        for i in about:
            toks = body.toks[i]
            hit = next((j for j, w in enumerate(toks) if w in other), None)
            if hit is not None:
                return (f"headline says {_first(h_toks, h_set & mine)!r}, the body never does "
                        f"and says {' '.join(toks[max(0, hit - 2): hit + 3])!r}", False)
    return None


NUMBER_SPAN = 3  # words either side of a number that say what it counts
TRIVIAL_NUMBERS = frozenset({"1", "0.5"})  # "one", "half": too common to count anything


def _context(toks: list[str], value: str) -> set[str]:
    """Stems of the content words within ``NUMBER_SPAN`` of number ``value`` in ``toks``."""
    spots = [i for i, t in enumerate(toks) if token_value(t) == value.split(".")[0]]
    return {stem(t) for i in spots for t in toks[max(0, i - NUMBER_SPAN): i + NUMBER_SPAN + 1]
            if t not in STOPWORDS and not t[0].isdigit()}


def _rival_value(m: str, head: Text) -> float | None:
    """The value of body number ``m`` when it may rival a headline number, else None.

    Not a number the headline gives, not a year, and between 0 and a million.
    """
    w = _value(m)
    if m in head.all_nums or w is None or not 0 < w < 1e6 or _is_year(m):
        return None
    return w


def _closer_rival(n: str, head: Text, body: Text, top: list[int], close: set[str]
                  ) -> str | None:
    """An evidence number that counts headline number ``n``'s thing more closely than ``close``.

    ``close`` are the body's numbers within 5 % of ``n``. Each body number is
    ranked by the stems its neighbours share with ``n``'s (at least one), then by
    the headline content stems its sentence shares; a different number in an
    evidence sentence that ranks above every close one is returned. A sentence
    that gives a close number is passed over (its other numbers are most often the
    same amount in other units: "1bn roubles ($35.7m)"), and so is a 1.
    """
    want = _context(head.toks[0], n)
    claim = set(content_stems(head.sents[0]))

    def rank(i: int, m: str) -> tuple[int, int]:
        return len(want & _context(body.toks[i], m)), len(claim & body.stems[i])

    matched = max((rank(i, m) for i in range(len(body.toks)) for m in body.nums[i]
                   if m in close), default=(0, 0))
    best = None
    for i in top:
        if body.nums[i] & close:
            continue
        for m in body.nums[i]:
            if m in TRIVIAL_NUMBERS or _rival_value(m, head) is None:
                continue
            key = rank(i, m)
            if key[0] and key > matched and (best is None or key > best[0]):
                best = (key, m)
    return best[1] if best else None


def _rival_number(n: str, head: Text, body: Text, top: list[int]) -> str | None:
    """A different body number that counts the same thing as headline number ``n``.

    "cut 12 jobs" against "cut 21 jobs": a number in an evidence sentence
    whose neighbouring content words (``NUMBER_SPAN`` either side) share a
    stem with the headline number's neighbours. Of several, the closest in size.
    """
    want = _context(head.toks[0], n)
    v = float(n)
    found = []
    for i in top:
        for m in body.nums[i]:
            w = _rival_value(m, head)
            if w is None:
                continue
            if want & _context(body.toks[i], m):
                found.append((abs(np.log(w / v)), m))
    return min(found)[1] if found else None


def _negates_claim(head: Text, body: Text, idx: list[int]) -> bool:
    """Some sentence of ``idx`` puts a negation within three words before a headline word."""
    want = {stem(t) for t in head.toks[0] if t not in STOPWORDS and len(t) > 1} - NEGATION_WORDS
    for i in idx:
        toks = body.toks[i]
        for j in range(len(toks)):
            if (is_negation(toks, j) or stem(toks[j]) in DENIAL) \
                    and {stem(t) for t in toks[j + 1: j + 4]} & want:
                return True
    return False


FAILURE_WORDS = frozenset({"fail", "unabl", "refus", "abandon", "collaps", "stall", "halt"})


def _unfailed_verb(head: Text, body: Text, idx: list[int]) -> str | None:
    """"fail(s, ed) to <verb>" in the headline; the body states <verb> without a failure.

    An occurrence of the verb's stem in a sentence of ``idx`` counts as stated
    when no negation or failure word ("failed", "unable", "refused", ...) comes
    within four words before it. The claim's failure is then one the body does
    not report. A body that never uses the verb says nothing either way.
    """
    toks = head.toks[0]
    verbs = {stem(toks[i + 2]): toks[i + 2] for i in range(len(toks) - 2)
             if stem(toks[i]) == "fail" and toks[i + 1] == "to"}
    for i in idx:
        body_toks = body.toks[i]
        for j, t in enumerate(body_toks):
            if stem(t) not in verbs:
                continue
            if not any(is_negation(body_toks, k) or stem(body_toks[k]) in FAILURE_WORDS
                       for k in range(max(0, j - 4), j)):
                said = " ".join(body_toks[max(0, j - 3): j + 1])
                return f"headline says 'fail to {verbs[stem(t)]}', body says {said!r}"
    return None


def _about_claim(head: Text, body: Text, top: list[int]) -> list[int]:
    """The evidence sentences plus the body sentences that are about the headline's claim.

    A sentence is about the claim when it has a third (two at least) of the
    headline's content stems, denial and negation words left out.
    """
    want = set(content_stems(head.sents[0])) - DENIAL - NEGATION_WORDS
    if not want:
        return list(top)
    need = min(len(want), max(2, -(-len(want) // 3)))
    extra = [i for i, st in enumerate(body.stems) if len(want & st) >= need and i not in top]
    return list(top) + extra


def _body_toks(body: Text, top: list[int]) -> list[str]:
    return [w for i in top for w in body.toks[i]] + [w for t in body.toks for w in t]


def _word(toks: list[str], wanted: set[str]) -> str:
    return next((w for w in toks if stem(w) in wanted), sorted(wanted)[0])


def _first(toks: list[str], wanted: set[str] | frozenset[str]) -> str:
    return next((w for w in toks if w in wanted), sorted(wanted)[0])


def _value(n: str) -> float | None:
    try:
        return float(n)
    except ValueError:
        return None


def _hedged_headline(head: Text) -> bool:
    """A headline hedges itself: a hedge or plan word, a question, or quoted words."""
    h = head.sents[0]
    return bool(set(head.toks[0]) & (HEDGES | HEADLINE_HEDGES)) or "?" in h \
        or bool(re.search(r"['\"‘“]\w", h))


def _hedge(head: Text, body: Text, i: int) -> str | None:
    """The hedge of body sentence ``i`` that covers the claim, if any.

    A strong hedge covers its whole sentence; an attached one ("could",
    "claims") covers a headline content word among the next ``ATTACH_SPAN`` words.
    """
    toks = body.toks[i]
    strong = [w for w in toks if w in STRONG_HEDGES]
    if strong:
        return strong[0]
    want = set(content_stems(head.sents[0]))
    for j, w in enumerate(toks):
        if w in ATTACHED_HEDGES and {stem(t) for t in toks[j + 1: j + 1 + ATTACH_SPAN]} & want:
            return w
    return None


def _is_year(n: str) -> bool:
    return n.isdigit() and len(n) == 4 and n[:2] in {"19", "20"}


def _negated_headline_word(head: Text, body: Text, top: list[int]) -> str | None:
    """A negation word right before a headline content word (one function word may sit between)."""
    want = {stem(t) for t in head.toks[0] if t not in STOPWORDS and len(t) > 1}
    for i in top[:1]:
        toks = body.toks[i]
        for j in range(len(toks)):
            if not is_negation(toks, j):
                continue
            k = j + 2 if toks[j] in CONTRACTIONS else j + 1
            if k < len(toks) and toks[k] in STOPWORDS:  # one function word may intervene
                k += 1
            if k < len(toks) and toks[k] not in STOPWORDS and stem(toks[k]) in want:
                return " ".join(toks[j: k + 1])
    return None


ROLE_GAP = 3  # at most this many words between a name and the verb phrase's far end


def _role_swap(head: Text, body: Text, top: list[int], common: frozenset[str]) -> str | None:
    """Two headline names around a verb, in the opposite order in an evidence sentence.

    "Chelsea beat Arsenal" against "Arsenal beat Chelsea": both are short
    clauses (at most ``ROLE_GAP`` words between the names) whose middle holds
    the same verb stem, and both names are capitalised in the evidence
    sentence (proper names there, not title-case words of the headline). A
    "by" between the names (a passive, "Arsenal were beaten by Chelsea") keeps
    the roles.
    """
    h_toks = head.toks[0]
    names = [n for n in _names(head.sents[0], common) if n in h_toks]
    pos = sorted((h_toks.index(n), n) for n in names)
    for (i1, a), (i2, b) in zip(pos, pos[1:], strict=False):
        middle = h_toks[i1 + 1: i2]
        verbs = {stem(w) for w in middle if w not in STOPWORDS}
        if not verbs or len(middle) > ROLE_GAP or "by" in middle:
            continue
        for i in top:
            toks = body.toks[i]
            if a not in toks or b not in toks:
                continue
            ja, jb = toks.index(a), toks.index(b)
            between = toks[jb + 1: ja]
            if not 0 < len(between) <= ROLE_GAP or "by" in between \
                    or not {stem(w) for w in between} & verbs:
                continue
            sent = body.sents[i]
            if not all(re.search(rf"\b{re.escape(n.capitalize())}\b", sent) for n in (a, b)):
                continue
            verb = next(w for w in between if stem(w) in verbs)
            said = next(w for w in middle if stem(w) in verbs)
            return f"headline: {a} {said} {b}; body: {b} {verb} {a}"
    return None


def common_words(texts: list[str], min_count: int = 3) -> frozenset[str]:
    """Ordinary words: lower case mid-sentence at least ``min_count`` times, and more often.

    A word counts when it is written in lower case after a sentence's first
    word at least ``min_count`` times and more often than capitalised there
    ("legendary" is one, "madrid" is not).
    """
    lower: dict[str, int] = {}
    upper: dict[str, int] = {}
    for text in texts:
        for sent in split_sentences(text):
            for word in _NAME.findall(sent)[1:]:
                low = word.lower()
                table = lower if word == low else upper
                table[low] = table.get(low, 0) + 1
    return frozenset(w for w, n in lower.items() if n >= min_count and n > upper.get(w, 0))

