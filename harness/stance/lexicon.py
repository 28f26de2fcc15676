"""Cue lexicons of the headline check: the word lists its cue counts and claim rules read.

Hand-written lists of common English news words; each group names where its
core comes from. Words are compared as Porter stems (``harness.text.stem``),
so inflections match. ``harness.stance.prepare`` counts the cue words per
sentence; ``harness.stance.rules`` reads the direction pairs, hedges,
magnitude words and clickbait phrasings.
"""

from __future__ import annotations

import re

from harness.text import stem


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
CLICKBAIT = re.compile(
    r"\b(you won'?t believe|you will not believe|you'?ll never (guess|believe)|what happen(ed|s) "
    r"next|will (shock|amaze|surprise) you|here'?s (why|what|how)|this is (why|what|how)|the "
    r"reason (why )?will|find out (what|why|how)|you need to (know|see)|what .{0,40} just did|"
    r"can'?t stop|mind[- ]blowing|jaw[- ]dropping|the truth about|number \d+ will|"
    r"wait (till|until) you see)\b",
    re.IGNORECASE,
)  # common clickbait phrasings (Chakraborty et al. 2016, "Stop Clickbait", Table 2)
