"""Line rules for news-site boilerplate in scraped text.

Each rule is a pattern of a *kind* of boilerplate seen across news sites (ad
markers, video players, newsletter sign-ups, share bars, photo credits, …), not
a sentence of any one article. A line that matches is dropped and recorded with
the rule's reason. Rules apply to whole lines; a line longer than
``MAX_BOILERPLATE_WORDS`` words is treated as prose unless the rule says it
applies to long lines too (legal lines of newsletter blocks can be long).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Boilerplate lines are short; a 40-word line is prose in every site we looked at.
MAX_BOILERPLATE_WORDS = 40


@dataclass(frozen=True)
class LineRule:
    """A boilerplate pattern: drop lines that match ``pattern`` (and not ``unless``)."""

    reason: str
    pattern: re.Pattern[str]
    any_length: bool = False
    unless: re.Pattern[str] | None = None

    def matches(self, line: str) -> bool:
        """Whether ``line`` (stripped) is this kind of boilerplate."""
        if not self.any_length and len(line.split()) > MAX_BOILERPLATE_WORDS:
            return False
        return bool(self.pattern.search(line)) and not (
            self.unless is not None and self.unless.search(line))


def _rule(reason: str, pattern: str, any_length: bool = False,
          unless: str | None = None) -> LineRule:
    return LineRule(reason, re.compile(pattern, re.IGNORECASE), any_length,
                    re.compile(unless, re.IGNORECASE) if unless else None)


# A sentence of a story that mentions cookies, not a consent banner: it reports
# ("…, the regulator said"), or it is a sentence of eight words or more that
# neither speaks to the reader nor for the site (you, your, we, our, us) nor
# points to more ("learn more", "privacy policy", "by continuing").
_REPORTED_COOKIES = (
    r"\b(?:said|says|told|according to|reported)\b"
    r"|^(?!.*\b(?:you|your|we|our|us|learn more|find out more|more info|read more|"
    r"privacy policy|by (?:continuing|using|clicking))\b)(?:\S+\s+){7,}\S*[.!?][\"'”’)]*$"
)


_SHARE_WORDS = (
    r"share|shares|tweet|facebook|twitter|x|email|e-mail|whatsapp|pinterest|linkedin|reddit|"
    r"print|copy|link|copy link|comments?|save|messenger|telegram|flipboard|sms|on|this|article|"
    r"story|via|\d+"
)

RULES: tuple[LineRule, ...] = (
    _rule(
        "advertisement",
        r"^(?:advertisement|advertisements|ad|ads|adchoices|skip advertisement|"
        r"(?:story|article) continues (?:below|after) (?:this )?(?:advertisement|ad)|"
        r"continue reading (?:below|the main story)|scroll to continue(?: with content)?|"
        r"ad feedback|report this ad)\W*$",
    ),
    _rule(
        "sponsored",
        r"^(?:sponsored(?: content| by .*| post)?|paid (?:content|post|partner content)|"
        r"promoted(?: content| stories| by .*)?|partner content|"
        r"recommended by|presented by .*|brought to you by .*)\W*$",
    ),
    _rule(
        "video",
        r"^(?:click to play video\b.*|play video\b.*|watch(?: video)?:.*|video:.*|"
        r"now playing\b.*|up next\b.*|duration \d+:\d+|\d{1,2}:\d{2}$|media caption.*)$",
    ),
    # Video captions ("ABOVE: …") can run as long as a paragraph.
    _rule("video", r"^(?:above|below|watch above|watch below|video caption):\s", any_length=True),
    _rule(
        "read_more",
        r"^(?:read more|read next|related(?: stories| articles| coverage)?|see also|also read|"
        r"more(?: on this story)?|recommended(?: reading)?|trending|you may also like|"
        r"don't miss|dont miss|watch next|further reading)\s*[:\-–—|]",
    ),
    _rule(
        "read_more",
        r"^(?:related (?:stories|articles|coverage|content)|more from .{1,40}|"
        r"you (?:may|might) also (?:like|be interested in)|recommended (?:for you|stories)|"
        r"most (?:read|popular|viewed)|trending now|top stories)\W*$",
    ),
    _rule(
        "newsletter",
        r"(?:sign up|signup|subscribe)\b.{0,120}\b(?:newsletter|alerts?|inbox|e-?mail|"
        r"updates|digest|briefing)|\bnewsletter\b.{0,80}\b(?:sign up|subscribe|inbox)|"
        r"^get (?:the )?(?:breaking|latest|daily|weekly|top)\b.{0,60}\b(?:news|headlines|"
        r"stories|newsletter)\W*$|^(?:enter your|your) e-?mail(?: address)?\W*$|"
        r"^(?:sign up|subscribe)(?: now| here| today)?\W*$|^thanks? for (?:signing up|subscribing)",
    ),
    _rule(
        "legal",
        r"^by (?:providing|entering|submitting|clicking|signing up)\b.{0,200}\b(?:terms|privacy|"
        r"agree|consent)|\bthis site is protected by recaptcha\b|^all rights reserved\W*$|"
        r"^(?:our|editorial) standards\s*:|"
        r"^(?:©|\(c\)|copyright)\s",
        any_length=True,
    ),
    _rule(
        "attribution",
        r"^[—–-]+\s*(?:with (?:files|reporting|additional reporting) from|"
        r"additional reporting by|reporting by|writing by|editing by)\b",
    ),
    _rule(
        "attribution",
        r"^(?:\(?(?:additional )?reporting by|writing by|editing by|compiled by)\b.*\)?$",
    ),
    _rule(
        "cookie",
        r"\b(?:we use cookies|uses cookies|use of cookies|cookie (?:policy|settings|"
        r"preferences|consent)|accept (?:all )?cookies|manage (?:cookies|preferences|consent))\b|"
        r"^(?:accept|reject|accept all|reject all|i agree|i accept|got it|ok|okay|"
        r"manage settings|more info(?:rmation)?)\W*$",
        unless=_REPORTED_COOKIES,
    ),
    # Consent banners run long; they open with the site's use of cookies.
    _rule(
        "cookie",
        r"^(?:this (?:web)?site|we(?: and our (?:partners|vendors))?)\s(?:uses?|stores?)\s"
        r"(?:cookies|tracking technologies)\b|^(?:we use cookies|by (?:continuing to "
        r"(?:use|browse)|using) (?:this|our) (?:site|website)\b.{0,80}\bcookies)",
        any_length=True,
    ),
    # At least one word: a line that is only a number is an attendance or a score.
    _rule("share", rf"^(?=.*[a-z])(?:(?:{_SHARE_WORDS})[\s|,·•/:]*)+$"),
    _rule("share", r"^(?:share (?:this|on|via|the)\b.*|click to share\b.*|share$)"),
    _rule(
        "photo_credit",
        r"^(?:photo|photograph|image|picture|pictured|credit|photo credit|image credit|"
        r"image source|source|file photo|caption|image caption|photo illustration)\s*(?:by)?\s*:"
        r"|\((?:ap|afp|reuters|getty|epa|the canadian press|cp)[^)]*(?:photo|images?)[^)]*\)\s*$"
        r"|(?:getty images|afp via getty images|shutterstock|ap photo|reuters/[a-z .]+|"
        r"alamy|epa-efe|the canadian press/[a-z .]+)\s*\)?\s*$"
        # A caption that ends with its credit: "… in 1931. Photo: County Archive".
        r"|[.!?]\s+\(?(?:photo|photograph|image|picture|credit)s?(?: by|:)\s*[^.!?]{1,60}$"
        r"|^credit\s*(?:\.{2,}|…)",
    ),
    _rule(
        "byline",
        r"^(?:by|written by|words by|story by|posted by|author:)\s+[A-Z][\w'.-]+"
        r"(?:\s+[A-Z][\w'.-]+){0,3}(?:\s*(?:,|and|&|\||·|-|—)\s*[\w' .-]{0,60})?$",
    ),
    _rule(
        "dateline",
        r"^(?:published|posted|updated|last updated|first published|modified)(?: on| at)?\s*:?"
        r"\s*(?:\w+,?\s+)?(?:\d{1,2}\s+\w+|\w+\.?\s+\d{1,2}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}).{0,60}$",
    ),
    _rule(
        "dateline",
        r"^(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\s+\w+\.?\s+\d{1,2},?\s+\d{4}.{0,30}$"
        r"|^\w+\.?\s+\d{1,2},\s+\d{4}(?:\s+\d{1,2}:\d{2}\s*(?:am|pm)?.{0,20})?$"
        r"|^\d{1,2}\s+\w+\s+\d{4}(?:\s*[,|·-]?\s*\d{1,2}[:.]\d{2}.{0,20})?$",
    ),
    _rule(
        "navigation",
        r"^(?:home|menu|search|skip to (?:main )?content|log ?in|sign ?in|register|"
        r"back to top|close|open menu|toggle navigation|reply|"
        r"(?:next|previous|prev|older|newer) (?:article|post|story|entry|page)|"
        r"follow us(?: on .*)?|follow @\w+.*)\W*$",
    ),
    _rule("navigation", r"^(?:[\w&'’ -]{1,25}\s*[|»›•·]\s*){2,}[\w&'’ -]{1,25}$"),
    _rule("tags", r"^(?:tags?|topics?|filed under|categories)\s*:"),
)

# The header of a comment section (or the first comment's "who, when, said:"
# line). Comments follow the article, so the cleaner drops everything from the
# first such line that comes after article text (see ``harness.clean``).
COMMENTS_START = re.compile(
    r"^[\[(]?\s*(?:(?:\d+\s+)?(?:comments|responses|reader comments)(?:\s*\(\d+\))?|"
    r"(?:top[- ]rated|most (?:popular|recent|liked|rated)|latest|readers'?) comments|"
    r"\d+\s+(?:comment|response)|"
    r"(?:leave|post|add|write|submit) a (?:comment|reply)\b.*|comments are closed\b.*|"
    r"join the (?:conversation|discussion)\b.*|\d+ (?:thoughts|responses|comments|replies) "
    r"(?:on|to)\b.*|(?:show|view|load|read|see) (?:all )?(?:\d+ )?comments\b.*)\W*$"
    r"|^.{1,60}\s(?:on|at)\s.{1,40}\b\d{1,2}:\d{2}\s?(?:[ap]\.?m\.?)?\s*(?:said|says|wrote):?$",
    re.IGNORECASE,
)

# A dateline prefix at the start of a paragraph: "WASHINGTON (Reuters) - ",
# "LONDON — ", "OTTAWA, Ont. — ". Upper-case place names, an optional agency in
# brackets, then a dash.
DATELINE_PREFIX = re.compile(
    r"^(?P<prefix>[A-Z][A-Z .'’-]{2,40}(?:,\s*[A-Z][\w.]+(?:\s[A-Z][\w.]+)?)?"
    r"\s*(?:\((?:[A-Za-z .]{2,30})\))?\s*[-–—]{1,2}\s+)(?=[A-Z\"“])"
)


def classify(line: str) -> str | None:
    """Return the reason ``line`` is boilerplate, or ``None`` when it is content."""
    for rule in RULES:
        if rule.matches(line):
            return rule.reason
    return None
