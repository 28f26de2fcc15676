"""Pages without an article: cookie walls, paywall stubs, JavaScript-only shells.

Such a page still has text, and that text can be prose ("We and our partners
store and/or access information on a device ..."), so the line rules and the
page features can keep it as an article. A line is a *notice* of a kind when
at least ``NOTICE_SHARE`` of its content words (the words outside the English
stop list of jusText, plus the kind's own words) belong to that kind's
vocabulary: the words of consent banners (IAB TCF wording: partners, store,
access, device, personalised ads, measurement), of paywalls (subscribe,
subscriber, unlimited access, free articles, log in) and of script shells
(enable JavaScript, browser, app). The vocabularies are word lists, not
sentences of any one site; a line longer than ``MAX_NOTICE_WORDS`` is prose
whatever its words.

:func:`check` decides per article: when no prose paragraph is left outside the
notices, the input holds no article (:class:`CleaningError` naming the kind);
when a notice is kept beside article text, a warning says so.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from harness.clean.errors import CleaningError
from harness.clean.page import word_count
from harness.types import Removed

# Share of a line's content words from one kind's vocabulary for the line to
# be a notice of that kind. Notices run 0.6-1.0 (tests/test_clean_notice.py);
# news prose about subscriptions or privacy stays under 0.5 (the dev pages,
# benchmarks/extraction.py --notices).
NOTICE_SHARE = 0.5
# Notices have at least this many words and words of their vocabulary
# ("Subscribe to continue reading."); shorter lines ("Read full review",
# "Start Free Trial", "Big data analytics") are labels and headings, which
# the line rules handle.
MIN_NOTICE_WORDS = 4
MIN_NOTICE_HITS = 3
# Consent banners run to about 120 words; a longer paragraph is prose.
MAX_NOTICE_WORDS = 150
# Prose paragraphs need this many words (harness.clean.lines.MIN_LEDE_WORDS).
MIN_PROSE_WORDS = 8
# A text whose kept words are this much notice vocabulary, with fewer than
# MIN_STORY_SENTENCES sentences of prose outside its notices, is a notice with
# a line of other text (a vendor name, a site slogan) rather than an article.
PAGE_SHARE = 0.35
MIN_STORY_SENTENCES = 2
# A notice beside fewer words of story than this is a warning (a paywall stub
# that shows its first paragraphs); beside a longer story it is a pricing
# line, a membership plea or a heading that happens to use the same words.
TEASER_WORDS = 100

_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?]['\"”’)\]]*(?:\s|$)")

VOCABULARY: dict[str, frozenset[str]] = {
    "cookie wall": frozenset(
        "privacy cookie cookies consent consents partners partner vendors vendor personalised "
        "personalized personalise personalize personalisation personalization advertising ads ad "
        "measurement insights audience processing process processed preferences preference "
        "legitimate interest interests accept reject manage settings store stored storage access "
        "device devices tracking trackers technologies third party parties policy personal data "
        "withdraw purposes purpose identifiers choices choice opt gdpr iab geolocation browsing "
        "analytics permission precise identification scanning".split()),
    "paywall": frozenset(
        "subscribe subscribed subscriber subscribers subscription subscriptions continue reading "
        "read unlock unlimited access premium exclusive member members membership log login sign "
        "signed account already register registered free trial digital offer plan month monthly "
        "annual cancel anytime paywall articles article story stories full limit reached "
        "remaining journalism".split()),
    "JavaScript-only page": frozenset(
        "javascript js enable enabled enabling disabled browser browsers app run running "
        "supported support update upgrade turn requires require required please need reload "
        "refresh page chrome firefox safari noscript".split()),
}


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    import justext

    # jusText's English list lacks some possessives that notices are full of.
    return frozenset(justext.get_stoplist("English")) | {"your", "our", "yours", "ours", "my"}


def vocabulary_share(text: str) -> tuple[str | None, float, int]:
    """The notice kind whose vocabulary is the largest share of ``text``'s content words.

    Returns:
        The kind (``None`` when no word is of any), that share, and the number
        of the text's words in that kind's vocabulary.

    """
    words = [w.casefold() for w in _WORD.findall(text)]
    stop = _stopwords()
    best, best_share, best_hits = None, 0.0, 0
    for kind, vocabulary in VOCABULARY.items():
        content = [w for w in words if w in vocabulary or w not in stop]
        hits = sum(w in vocabulary for w in content)
        share = hits / len(content) if content else 0.0
        if share > best_share:
            best, best_share, best_hits = kind, share, hits
    return best, best_share, best_hits


def notice_kind(line: str) -> str | None:
    """The kind of notice ``line`` is (a key of ``VOCABULARY``), or ``None`` for other text."""
    if not MIN_NOTICE_WORDS <= word_count(line) <= MAX_NOTICE_WORDS:
        return None
    kind, share, hits = vocabulary_share(line)
    return kind if share >= NOTICE_SHARE and hits >= MIN_NOTICE_HITS else None


def _commonest(kinds: Iterable[str | None]) -> str | None:
    counts = Counter(k for k in kinds if k)
    return min(counts, key=lambda k: (-counts[k], k)) if counts else None


def removed_kind(removed: Iterable[Removed]) -> str | None:
    """The commonest notice kind among dropped lines (consent banners the rules took)."""
    return _commonest("cookie wall" if r.reason == "cookie"
                      and word_count(r.line) >= MIN_NOTICE_WORDS else notice_kind(r.line)
                      for r in removed)


def no_article(message: str, removed: Iterable[Removed] = (),
               lines: Iterable[str] = ()) -> CleaningError:
    """The error for an input with no article, naming a notice when the text was one.

    ``message`` is the cause without a notice; with one (among ``lines``, the
    kept text, else the dropped lines) it becomes ``"no article: KIND (message)"``.
    """
    kind = _commonest(map(notice_kind, lines)) or removed_kind(removed)
    if kind is None:
        return CleaningError(message)
    return CleaningError(f"no article: {kind} ({message.removeprefix('no article: ')})")


def check(headline: str, paragraphs: list[str], removed: Iterable[Removed]) -> tuple[str, ...]:
    """Warnings for notices kept beside little article text, or as its headline.

    Raises:
        CleaningError: When no prose paragraph is left outside the notices,
            or the kept text is mostly notice vocabulary (``PAGE_SHARE``) with
            under ``MIN_STORY_SENTENCES`` sentences of prose outside them
            (naming the commonest kind among the headline, paragraphs and
            dropped lines).

    """
    kinds = [notice_kind(p) for p in paragraphs]
    head_kind = notice_kind(headline) if headline else None
    if not any(kinds) and not head_kind:
        return ()
    story = [p for p, k in zip(paragraphs, kinds, strict=True)
             if k is None and word_count(p) >= MIN_PROSE_WORDS]
    kind = _commonest([head_kind, *kinds])
    sentences = sum(len(_SENTENCE_END.findall(p)) for p in story)
    if not story or (vocabulary_share("\n".join([headline, *paragraphs]))[1] >= PAGE_SHARE
                     and sentences < MIN_STORY_SENTENCES):
        raise no_article("no article: no paragraph of the story outside the notice",
                         removed, [headline, *paragraphs])
    if head_kind is None and sum(map(word_count, story)) >= TEASER_WORDS:
        return ()
    where = "headline" if head_kind and not any(kinds) else "text"
    return (f"{kind}: the {where} holds a notice, not article text; the article may be cut "
            "short or missing",)
