"""Stance features, claim-checking rules and the learned stance model of the headline check.

Three parts, shared by ``harness.headline`` (inference) and
``scripts/train_stance.py`` (fitting), so that training and inference compute
the very same features:

- ``prepare_body`` / ``prepare_headline`` turn texts into cached token, stem,
  number and cue sets (and MiniLM vectors), once per text;
- ``rule_findings`` applies general claim-checking rules (direction words,
  numbers, names, negation and denial, hedging, exaggeration, who-did-what,
  clickbait), each built on a lexicon below rather than on any one article;
- ``features`` is the fixed-length vector the classifiers read, and
  ``StanceModel`` holds them (two ensembles of one-hidden-layer MLPs in
  numpy: the stance model and the assertion model) and the verdict
  thresholds, loaded from ``harness/params/stance.npz``.

Lexicons are hand-written lists of common English news words; each group
names where its core comes from. Words are compared as Porter stems
(``harness.text.stem``), so inflections match.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from harness.metrics.evidence import entities, entity_supported
from harness.text import STOPWORDS, content_stems, split_sentences, stem, tokens

PARAMS = Path(__file__).resolve().parent / "params" / "stance.npz"
LABELS = ("unrelated", "agree", "disagree", "discuss")


def _stems(words: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words.split())


# FNC-1 baseline refuting words (fnc-1-baselines/utils/feature_engineering.py,
# Pomerleau & Rao 2017) plus inflections and near-synonyms.
REFUTING = _stems(
    "fake fraud hoax false deny denies denied not despite nope doubt doubts bogus debunk "
    "debunked pranks prank retract retracted untrue rumor rumour satire satirical misleading "
    "no never"
)
# Denial and falsity cues: a headline carrying one asserts that something is untrue.
DENIAL = _stems(
    "deny denies denied denial refute refutes refuted debunk debunked dismiss dismisses "
    "dismissed reject rejects rejected hoax fake false untrue bogus myth retract retracts "
    "retracted"
)
# harness.text.NEGATIONS as rouge tokens: "didn't" -> "didn", "t". The contraction
# stems count only before "t" ("won" alone is the past of "win").
NEGATION_WORDS = frozenset("not no never none nobody nothing neither nor cannot without".split())
CONTRACTIONS = frozenset(
    "isn aren wasn weren hasn haven hadn doesn didn don won wouldn shouldn couldn can".split()
)
# Hedges (Hyland 1998, "Hedging in scientific research articles", trimmed to news
# usage). Strong hedges mark a whole sentence as unconfirmed; attached ones
# (modals, "claims") hedge only the words right after them.
STRONG_HEDGES = frozenset(
    "reportedly allegedly purportedly supposedly apparently unconfirmed unverified rumour "
    "rumours rumoured rumor rumors rumored speculation speculated speculate".split()
)
ATTACHED_HEDGES = frozenset(
    "may might could claim claims claimed claiming alleged alleges allege possibly perhaps "
    "probably likely suggest suggests suggested believed".split()
)
HEDGES = STRONG_HEDGES | ATTACHED_HEDGES
HEDGE_PHRASES = ("according to", "said to be", "thought to be", "believed to be")
ATTACH_SPAN = 3  # an attached hedge covers the next three words
# Headline words that announce a plan or prospect rather than a fact ("Bell set
# for England debut", "Blair prepares to name poll date"): such a headline is
# already hedged, so a hedged body does not undercut it.
HEADLINE_HEDGES = frozenset(
    "set poised expected eyes eyeing plan plans planned seek seeks targets prepares considers "
    "mulls weighs aims hopes wants urges urged proposes proposed face faces".split()
)
# Falsity words: the body calls a claim untrue or invented (the FNC-1 baseline's
# refuting words that say "untrue", plus the words debunking stories use for fakes).
FALSITY = _stems(
    "hoax hoaxes fake faked false falsely untrue bogus satire satirical debunk debunked "
    "debunks myth prank pranks fabricated fabrication doctored photoshopped misleading "
    "rumor rumour fiction fictional spoof parody scam fraud baseless unfounded"
)
# Confirmation words: the body vouches for the claim.
CONFIRMING = _stems(
    "confirm confirms confirmed confirmation official officially announced announces "
    "verified true indeed proof proved proven"
)
# Prototype sentences of three stances. Each body sentence's MiniLM cosine to
# the nearest prototype of a group is a cue that words alone miss ("the photo
# was doctored", "there is no evidence"); written for this check from the
# stance definitions of the FNC-1 task description (fakenewschallenge.org).
PROTOTYPES = {
    "debunk": ("The story is a hoax.", "The report is false and untrue.",
               "The claim has been denied.", "It turned out to be fake.",
               "The photo was doctored.", "There is no evidence that this happened.",
               "The rumour has been debunked.", "The article was satire."),
    "confirm": ("The report has been confirmed.", "Officials confirmed the news.",
                "It is true, it really happened.", "The video shows it happened."),
    "unverified": ("It is not yet clear whether the report is true.",
                   "The claims could not be independently verified.",
                   "It was reported, according to unconfirmed reports."),
}
# Cue columns of ``Text.cues``.
CUES = ("refute", "hedge", "negation", "denial", "downtoner", "falsity", "confirm")
# Magnitude words: intensifiers, extreme-change verbs and universal quantifiers
# (Quirk et al. 1985 amplifiers, plus the verbs of change news headlines inflate).
INTENSIFIERS = _stems(
    "massive huge enormous giant vast colossal gigantic immense dramatic dramatically drastic "
    "record unprecedented historic deep deepest severe catastrophic devastating disastrous "
    "staggering astonishing shock shocking biggest largest worst best greatest highest lowest "
    "plunge plunges plunged plummet plummets plummeted soar soars soared skyrocket skyrockets "
    "rocket rockets rocketed crash crashes crashed collapse collapses collapsed explode "
    "explodes exploded slump slumps slumped tumble tumbles tumbled meltdown crisis chaos "
    "every all entire entirely whole total totally complete completely always never forever "
    "mega landslide sweeping"
)
# Downtoners: the body calls the change small (Quirk et al. 1985 downtoners).
DOWNTONERS = _stems(
    "slightly slight marginally marginal modest modestly minor small little barely narrowly "
    "narrow just only brink fractionally mild mildly somewhat partly partial"
)
# Opposite pairs of direction and outcome (WordNet antonym pairs of the commonest
# verbs of change and outcome in news headlines). A group's words share one polarity.
DIRECTION_PAIRS = tuple(
    (frozenset(a.split()), frozenset(b.split()))
    for a, b in (
        ("rise rises rose risen increase increases increased grow grows grew grown growth "
         "gain gains gained climb climbs climbed jump jumps jumped surge surges surged soar "
         "soars soared boost boosts boosted up higher expand expands expanded rally rallies "
         "rebound rebounds rebounded improve improves improved strengthen strengthens",
         "fall falls fell fallen decrease decreases decreased decline declines declined shrink "
         "shrinks shrank drop drops dropped slide slides slid slip slips slipped plunge plunges "
         "plunged slump slumps slumped dip dips dipped down lower contract contracts contracted "
         "weaken weakens weakened tumble tumbles tumbled sink sinks sank"),
        ("win wins won beat beats victory victorious triumph triumphs",
         "lose loses lost defeat defeated defeats loss losses"),
        ("lift lifts lifted scrap scraps scrapped overturn overturns overturned revoke revokes "
         "revoked",
         "impose imposes imposed suspend suspends suspended reinstate reinstates reinstated "
         "enforce enforces enforced"),
        ("accept accepts accepted approve approves approved endorse endorses endorsed",
         "reject rejects rejected refuse refuses refused oppose opposes opposed veto vetoes "
         "vetoed block blocks blocked"),
        ("confirm confirms confirmed admit admits admitted",
         "deny denies denied"),
        ("hire hires hired appoint appoints appointed",
         "sack sacks sacked fire fires fired resign resigns resigned quit quits"),
        ("buy buys bought acquire acquires acquired purchase purchases purchased",
         "sell sells sold"),
        ("profit profits profitable", "loss losses lossmaking"),
        ("open opens opened launch launches launched", "close closes closed shut shuts"),
        ("succeed succeeds succeeded success pass passes passed", "fail fails failed failure"),
        ("escape escapes escaped avoid avoids avoided", "enter enters entered"),
        ("high higher highest", "low lower lowest"),
        ("best", "worst"),
        ("join joins joined", "leave leaves quit quits"),
        ("praise praises praised hail hails hailed welcome welcomes welcomed",
         "criticise criticises criticised criticize criticizes criticized condemn condemns "
         "condemned attack attacks attacked slam slams slammed"),
        ("support supports supported backs backed agree agrees agreed",
         "oppose opposes opposed refuse refuses refused"),
        ("strong stronger strengthen strengthened", "weak weaker weaken weakened"),
        ("allow allows allowed permit permits permitted", "ban bans banned forbid forbids "
         "prohibit prohibits prohibited"),
        ("raise raises raised", "cut cuts lowers lowered"),
        ("guilty convicted", "innocent cleared acquitted"),
    )
)
# Words of a direction group count against a headline word only when they sit
# within this many words of one of the headline's other content words.
DIRECTION_SPAN = 4
CLICKBAIT = re.compile(
    r"\b(you won'?t believe|you will not believe|you'?ll never (guess|believe)|what happen(ed|s) "
    r"next|will (shock|amaze|surprise) you|here'?s (why|what|how)|this is (why|what|how)|the "
    r"reason (why )?will|find out (what|why|how)|you need to (know|see)|what .{0,40} just did|"
    r"can'?t stop|mind[- ]blowing|jaw[- ]dropping|the truth about|number \d+ will|"
    r"wait (till|until) you see)\b",
    re.IGNORECASE,
)  # common clickbait phrasings (Chakraborty et al. 2016, "Stop Clickbait", Table 2)

# A body longer than this many sentences is windowed (see ``window``).
MAX_SENTENCES = 120
LEAD_SENTENCES = 40


@dataclass
class Text:
    """One headline or body sentence list with its cached word-level views."""

    sents: list[str]
    vecs: np.ndarray | None = None
    toks: list[list[str]] = field(default_factory=list)
    stems: list[set[str]] = field(default_factory=list)
    all_stems: set[str] = field(default_factory=set)
    all_tokens: set[str] = field(default_factory=set)
    nums: list[set[str]] = field(default_factory=list)
    all_nums: set[str] = field(default_factory=set)
    cues: np.ndarray | None = None  # (n_sents, len(CUES)) cue counts
    ents: set[tuple[str, ...]] = field(default_factory=set)  # headlines only
    bigrams: set[tuple[str, str]] = field(default_factory=set)


# Numbers as the claim checks read them: digit strings with an optional unit or
# scale glued on ("$500m", "25bn", "1995's", "3.5%") give their digits; number
# words give their value. (harness.metrics.evidence.numbers treats letter-digit
# mixes such as "500m" as codes, which suits names but not money.)
_NUM = re.compile(r"(?<![A-Za-z\d])(\d[\d,]*(?:\.\d+)?)(?=[a-z%'’]*\b)")
_NUM_WORDS = {
    w: str(i) for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())
}
_NUM_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60",
                   "seventy": "70", "eighty": "80", "ninety": "90", "hundred": "100",
                   "dozen": "12", "half": "0.5"})


_COMPOUND = re.compile(r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-"
                       r"(one|two|three|four|five|six|seven|eight|nine)\b", re.IGNORECASE)


def _numbers(text: str) -> set[str]:
    out = {str(int(_NUM_WORDS[m.group(1).lower()]) + int(_NUM_WORDS[m.group(2).lower()]))
           for m in _COMPOUND.finditer(text)}
    text = _COMPOUND.sub(" ", text)
    out |= {_NUM_WORDS[w] for w in tokens(text) if w in _NUM_WORDS}
    for m in _NUM.finditer(text):
        digits = m.group(1).replace(",", "").rstrip(".")
        out.add(digits[:-2] if digits.endswith(".0") else digits)
    return out


def _prepare(sents: list[str]) -> Text:
    t = Text(sents=sents)
    for s in sents:
        toks = tokens(s)
        stems = {stem(w) for w in toks}
        t.toks.append(toks)
        t.stems.append(stems)
        t.all_stems |= stems
        t.all_tokens |= set(toks)
        nums = _numbers(s)
        t.nums.append(nums)
        t.all_nums |= nums
        t.bigrams |= set(zip(toks, toks[1:], strict=False))
    t.cues = np.array([_cue_counts(s, toks, st) for s, toks, st in zip(sents, t.toks, t.stems,
                                                                       strict=True)],
                      dtype=float).reshape(len(sents), len(CUES))
    return t


def _cue_counts(sent: str, toks: list[str], stems: set[str]) -> list[float]:
    low = sent.lower()
    hedge = len(set(toks) & HEDGES) + sum(p in low for p in HEDGE_PHRASES)
    return [len(stems & REFUTING), hedge, _negations(toks), len(stems & DENIAL),
            len(stems & DOWNTONERS), len(stems & FALSITY), len(stems & CONFIRMING)]


def _is_negation(toks: list[str], i: int) -> bool:
    w = toks[i]
    return w in NEGATION_WORDS or (w in CONTRACTIONS and toks[i + 1: i + 2] == ["t"])


def _negations(toks: list[str]) -> int:
    return sum(_is_negation(toks, i) for i in range(len(toks)))


def prepare_body(text: str) -> Text:
    """Split and index a body; raises ValueError when no sentence has a word.

    HTML character references ("&#163;") are decoded first, so that their
    digits are not read as numbers.
    """
    sents = [s for s in split_sentences(html.unescape(text)) if tokens(s)]
    if not sents:
        raise ValueError("article has no sentences (no words)")
    return _prepare(sents)


def prepare_headline(headline: str) -> Text:
    """Index a headline as one sentence; raises ValueError when it has no words."""
    headline = html.unescape(headline)
    if not tokens(headline):
        raise ValueError("headline is empty (no words)")
    t = _prepare([" ".join(headline.split())])
    t.ents = entities(t.sents[0])
    return t


def window(head: Text, body: Text) -> list[int]:
    """The body sentences the check reads: all of them, or a window of a long body.

    Bodies of at most ``MAX_SENTENCES`` sentences are read whole. For longer
    ones (about 1 % of FNC-1 bodies) the check reads the first
    ``LEAD_SENTENCES`` (news puts the claim in the lead) plus the later
    sentences sharing the most headline content stems, up to
    ``MAX_SENTENCES`` in all, in body order. This bounds the embedding cost
    per pair while keeping every sentence that repeats the headline's words.
    """
    n = len(body.sents)
    if n <= MAX_SENTENCES:
        return list(range(n))
    want = set(content_stems(head.sents[0]))
    rest = sorted(range(LEAD_SENTENCES, n), key=lambda i: (-len(want & body.stems[i]), i))
    return sorted(range(LEAD_SENTENCES)) + sorted(rest[: MAX_SENTENCES - LEAD_SENTENCES])


def subset(body: Text, idx: list[int]) -> Text:
    """The body restricted to sentences ``idx`` (all cached views kept)."""
    if len(idx) == len(body.sents):
        return body
    t = Text(sents=[body.sents[i] for i in idx],
             vecs=None if body.vecs is None else body.vecs[idx],
             toks=[body.toks[i] for i in idx], stems=[body.stems[i] for i in idx],
             nums=[body.nums[i] for i in idx], cues=body.cues[idx])
    for i in idx:
        t.bigrams |= set(zip(body.toks[i], body.toks[i][1:], strict=False))
        t.all_stems |= body.stems[i]
        t.all_tokens |= set(body.toks[i])
        t.all_nums |= body.nums[i]
    return t


def evidence_order(head: Text, body: Text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Body sentence ranking: mean of MiniLM cosine and headline content-stem share.

    Returns (order, cosines, lexical shares), best sentence first.
    """
    cos = body.vecs @ head.vecs[0]
    want = set(content_stems(head.sents[0]))
    lex = np.array([_share(want, s) for s in body.stems])
    return np.argsort(-(0.5 * cos + 0.5 * lex), kind="stable"), cos, lex


def _share(wanted: set, have: set) -> float:
    return len(wanted & have) / len(wanted) if wanted else 1.0


# --------------------------------------------------------------------------- rules
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
    body_vals = [v for v in map(_value, body.all_nums) if v is not None]
    for n in sorted(head.all_nums, key=str):
        v = _value(n)
        if v is None or n in {"1", "0.5"} or _is_year(n) or n in body.all_nums \
                or any(abs(v - w) <= 0.05 * max(abs(v), abs(w)) for w in body_vals):
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
        if name not in body.all_tokens and not (len(name) >= 5 and name[:4] in prefixes) \
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

    Two-letter capitals (US, UK, TV, PM) are left out: bodies often spell them
    out ("the United States").
    """
    out = []
    for word in _NAME.findall(headline):
        low = word.lower().split("'")[0].split("’")[0]
        if word[0].isupper() and len(low) > 1 and low not in common and low not in STOPWORDS \
                and not (len(word) == 2 and word.isupper()):
            out.append(low)
    return list(dict.fromkeys(out))


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


def _rival_number(n: str, head: Text, body: Text, top: list[int]) -> str | None:
    """A different body number that counts the same thing as headline number ``n``.

    "cut 12 jobs" against "cut 21 jobs": a number in an evidence sentence
    whose neighbouring content words (``NUMBER_SPAN`` either side) share a
    stem with the headline number's neighbours. Of several, the closest in size.
    """
    def context(toks: list[str], value: str) -> set[str]:
        spots = [i for i, t in enumerate(toks) if _token_value(t) == value.split(".")[0]]
        return {stem(t) for i in spots for t in toks[max(0, i - NUMBER_SPAN): i + NUMBER_SPAN + 1]
                if t not in STOPWORDS and not t[0].isdigit()}

    want = context(head.toks[0], n)
    v = float(n)
    found = []
    for i in top:
        for m in body.nums[i]:
            w = _value(m)
            if m in head.all_nums or w is None or not 0 < w < 1e6 or _is_year(m):
                continue
            if want & context(body.toks[i], m):
                found.append((abs(np.log(w / v)), m))
    return min(found)[1] if found else None


def _token_value(tok: str) -> str | None:
    """The number a rouge token stands for ("500m" -> "500", "three" -> "3")."""
    m = re.match(r"\d+", tok)
    return m.group() if m else _NUM_WORDS.get(tok)


def _negates_claim(head: Text, body: Text, idx: list[int]) -> bool:
    """Some sentence of ``idx`` puts a negation within three words before a headline word."""
    want = {stem(t) for t in head.toks[0] if t not in STOPWORDS and len(t) > 1} - NEGATION_WORDS
    for i in idx:
        toks = body.toks[i]
        for j in range(len(toks)):
            if (_is_negation(toks, j) or stem(toks[j]) in DENIAL) \
                    and {stem(t) for t in toks[j + 1: j + 4]} & want:
                return True
    return False


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


def _is_number_token(ent: tuple[str, ...]) -> bool:
    return all(any(c.isdigit() for c in t) for t in ent)


def _negated_headline_word(head: Text, body: Text, top: list[int]) -> str | None:
    """A negation word right before a headline content word (one function word may sit between)."""
    want = {stem(t) for t in head.toks[0] if t not in STOPWORDS and len(t) > 1}
    for i in top[:1]:
        toks = body.toks[i]
        for j in range(len(toks)):
            if not _is_negation(toks, j):
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


# --------------------------------------------------------------------------- features
RULE_KINDS = ("direction", "number", "name", "denial", "negation", "body_negation", "hedge",
              "exaggeration", "roles", "clickbait")
CUE_FEATURES = ("refute", "hedge", "negation", "denial", "falsity", "confirm")
HAND_FEATURES = (
    "cos_max", "cos_top3", "cos_mean", "cos_first", "cos_body_mean", "lex_max", "lex_body",
    "entity_share", "has_entity", "number_share", "has_number", "bigram_share", "question",
    "log_sentences", "cos_over_half", "head_words",
    *(f"{c}_{k}" for c in CUE_FEATURES for k in ("frac", "top3", "near", "head")),
    *(f"proto_{g}_{k}" for g in PROTOTYPES for k in ("max", "top3", "near", "head")),
    "idf_body", "idf_best", "idf_top3", "idf_best_position",
    *(f"rule_{k}" for k in RULE_KINDS),
)
TOP_K_FEATURES = 3
IDF_BODY = HAND_FEATURES.index("idf_body")


@dataclass(frozen=True)
class Resources:
    """Corpus-derived inputs of the features, shipped in the parameter file.

    Attributes:
        common: common lower-case words of FNC-1 train bodies (``common_words``).
        proto: MiniLM vectors of ``prototype_groups()``, rows in that order.
        idf: inverse document frequency of content stems over FNC-1 train
            bodies, ``log((N + 1) / (df + 1)) + 1`` (scikit-learn's smooth idf).

    """

    common: frozenset[str]
    proto: np.ndarray
    idf: dict[str, float]

    def idf_of(self, stem_: str) -> float:
        """Idf of a stem; an unseen stem gets the idf of df = 0."""
        return self.idf.get(stem_, self.idf.get("", 1.0))


def idf_table(texts: list[str]) -> dict[str, float]:
    """Smooth idf of content stems over ``texts``; key "" holds the idf of an unseen stem."""
    df: dict[str, int] = {}
    for text in texts:
        for s in set(content_stems(text)):
            df[s] = df.get(s, 0) + 1
    n = len(texts)
    out = {s: float(np.log((n + 1) / (c + 1)) + 1) for s, c in sorted(df.items()) if c >= 2}
    out[""] = float(np.log(n + 1) + 1)
    return out


def prototype_groups() -> list[str]:
    """All prototype sentences, group by group, in ``PROTOTYPES`` order."""
    return [s for group in PROTOTYPES.values() for s in group]


def features(head: Text, body: Text, res: Resources
             ) -> tuple[np.ndarray, np.ndarray, list[Finding]]:
    """The classifier's input for one pair, the evidence order and the rule findings.

    The features are the hand features of ``HAND_FEATURES``: MiniLM cosines of
    the headline to the body, lexical overlap, cue-word rates (whole body,
    top-3 evidence, the cosine of the most similar sentence with the cue, the
    headline), cosines to the stance prototypes, idf-weighted overlap and the
    rule flags.
    MiniLM vectors themselves (products of headline and evidence vectors, body
    means) were tried as extra inputs and dropped: they lowered FNC-1 dev
    agree-vs-disagree AUC (docs/headline.md).
    """
    order, cos, lex = evidence_order(head, body)
    top = [int(i) for i in order[:TOP_K_FEATURES]]
    findings = rule_findings(head, body, top, res.common)
    h_txt = head.sents[0]
    want = set(content_stems(h_txt))
    ents = head.ents
    bod_mean = body.vecs.mean(0)
    bod_unit = bod_mean / max(float(np.linalg.norm(bod_mean)), 1e-9)
    kinds = {f.kind for f in findings}
    hand = [
        float(cos.max()), float(np.mean(cos[top])), float(cos.mean()), float(cos[0]),
        float(bod_unit @ head.vecs[0]), float(lex.max()), _share(want, body.all_stems),
        (sum(entity_supported(e, body.all_tokens) for e in ents) / len(ents)) if ents else 1.0,
        float(bool(ents)),
        _share(head.all_nums, body.all_nums), float(bool(head.all_nums)),
        _share(head.bigrams, body.bigrams),
        float("?" in h_txt), float(np.log1p(len(body.sents))), float(np.mean(cos > 0.5)),
        len(want) / 10.0,
    ]
    for c in CUE_FEATURES:
        col = CUES.index(c)
        has = body.cues[:, col] > 0
        hand += [float(np.mean(has)), float(body.cues[top, col].sum()),
                 float(np.max(np.where(has, cos, 0.0))), float(head.cues[0, col])]
    start = 0
    for group in PROTOTYPES.values():
        pv = res.proto[start: start + len(group)]
        start += len(group)
        sims = (body.vecs @ pv.T).max(1)
        hand += [float(sims.max()), float(sims[top].mean()), float((sims * cos).max()),
                 float((head.vecs[0] @ pv.T).max())]
    # Sums run in sorted stem order: set order varies with the string hash seed,
    # and float sums in another order can break the argmax's ties another way.
    weights = {s: res.idf_of(s) for s in sorted(want)}
    total = sum(weights.values()) or 1.0
    per = [sum(weights[s] for s in sorted(want & st)) / total for st in body.stems]
    best = int(np.argmax(per))
    hand += [sum(weights[s] for s in sorted(want & body.all_stems)) / total, per[best],
             float(np.mean(sorted(per)[-3:])), best / len(per)]
    hand += [float(k in kinds) for k in RULE_KINDS]
    return np.asarray(hand, dtype=np.float32), order, findings


# --------------------------------------------------------------------------- model
class StanceModel:
    """The headline check's two classifiers and verdict thresholds, read from an npz.

    Both are four-way (unrelated, agree, disagree, discuss) ensembles of
    one-hidden-layer MLPs over ``HAND_FEATURES`` (``w1`` (members, d, h),
    ``b1``, ReLU, ``w2``, ``b2``, after the standardisation ``mean``, ``std``;
    member probabilities are averaged):

    - the **stance** model (keys without prefix), fitted on FNC-1 train only,
      gives relatedness, P(disagree) and the ranking score;
    - the **assertion** model (keys prefixed ``a_``), fitted on FNC-1 train plus
      real headline/body pairs labelled agree, gives P(agree | related): does
      the body state the headline's claim, rather than relay it? FNC-1 alone
      reads most plain news bodies as "discuss".

    The file also holds the verdict thresholds (``t_*``) fitted by
    ``scripts/train_stance.py`` and the ``Resources``: ``common_words``,
    ``proto`` and the idf table (``idf_stems``, ``idf_values``).
    """

    KEYS = ("mean", "std", "w1", "b1", "w2", "b2")

    def __init__(self, path: str | Path | None = None):
        """Load the parameters (default: the shipped ``harness/params/stance.npz``)."""
        path = Path(path) if path else PARAMS
        if not path.is_file():
            raise RuntimeError(f"stance model parameters {path} not found "
                               "(run scripts/train_stance.py)")
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in (*self.KEYS, *(f"a_{k}" for k in self.KEYS)) if k not in z.files]
            if missing:
                raise RuntimeError(f"{path} lacks {', '.join(missing)}: retrain with "
                                   "scripts/train_stance.py")
            self.p = {k: z[k] for k in self.KEYS}
            self.a = {k: z[f"a_{k}"] for k in self.KEYS}
            self.thresholds = {k[len("t_"):]: float(z[k]) for k in z.files if k.startswith("t_")}
            self.res = Resources(
                common=frozenset(z["common_words"].tolist()), proto=z["proto"],
                idf=dict(zip(z["idf_stems"].tolist(), z["idf_values"].tolist(), strict=True)))
        if self.p["mean"].shape[0] != len(HAND_FEATURES):
            raise RuntimeError(f"{path} was fitted on {self.p['mean'].shape[0]} features, the "
                               f"code computes {len(HAND_FEATURES)}: retrain")

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Stance model class probabilities, shape (n, 4), columns in ``LABELS`` order."""
        return ensemble_proba(self.p, np.atleast_2d(x))

    def assertion(self, x: np.ndarray) -> np.ndarray:
        """P(agree | related) from the assertion model, shape (n,)."""
        return agree_given_related(ensemble_proba(self.a, np.atleast_2d(x)))


def agree_given_related(proba: np.ndarray) -> np.ndarray:
    """P(agree) / P(related) per row of four-way probabilities."""
    return proba[:, 1] / np.maximum(1.0 - proba[:, 0], 1e-9)


def ensemble_proba(p: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Mean softmax of the ensemble members on standardised ``x``."""
    z = (x - p["mean"]) / p["std"]
    out = np.zeros((len(x), p["w2"].shape[-1]))
    for w1, b1, w2, b2 in zip(p["w1"], p["b1"], p["w2"], p["b2"], strict=True):
        logits = np.maximum(z @ w1 + b1, 0.0) @ w2 + b2
        e = np.exp(logits - logits.max(1, keepdims=True))
        out += e / e.sum(1, keepdims=True)
    return out / len(p["w1"])


# --------------------------------------------------------------------------- verdict
# Multiplier of headline_support per finding: a disputing finding cuts it to a
# third, a partial one by a quarter, clickbait by half (round values set by hand,
# not fitted).
DISPUTE_FACTOR, PARTIAL_FACTOR, CLICKBAIT_FACTOR = 0.35, 0.75, 0.5
def decide(proba: np.ndarray, asserts: float, findings: list[Finding], idf_share: float,
           thresholds: dict[str, float]) -> tuple[str, float]:
    """Verdict and ``headline_support`` from the two models and the rule findings.

    ``proba`` are the stance model's four probabilities and ``asserts`` the
    assertion model's P(agree | related). ``unrelated`` when P(related) <
    ``related``; else ``no claim`` for clickbait; else ``disputed`` when a rule
    disputes the claim or P(disagree | related) >= ``disagree``; else
    ``supported`` when no rule found a gap and ``asserts`` >= ``agree``; else
    ``partly supported``.

    The support score is (P(agree) + P(discuss) / 2) x the findings' factors x
    (0.5 + 0.5 x the idf-weighted share of the headline's content stems in the
    body), so that of two otherwise equal headlines the one whose words the
    body uses ranks higher.
    """
    p_unrel, p_agree, p_dis, p_disc = (float(v) for v in proba)
    rel = max(1.0 - p_unrel, 1e-9)
    kinds = {f.kind for f in findings}
    support = (p_agree + 0.5 * p_disc) * (0.5 + 0.5 * idf_share)
    for f in findings:
        support *= (CLICKBAIT_FACTOR if f.kind == "clickbait"
                    else DISPUTE_FACTOR if f.disputes else PARTIAL_FACTOR)
    if rel < thresholds["related"]:
        verdict = "unrelated"
    elif "clickbait" in kinds:
        verdict = "no claim"
    elif any(f.disputes for f in findings) or p_dis / rel >= thresholds["disagree"]:
        verdict = "disputed"
    elif asserts >= thresholds["agree"] and not findings:
        verdict = "supported"
    else:
        verdict = "partly supported"
    return verdict, float(np.clip(support, 0.0, 1.0))
