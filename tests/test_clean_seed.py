"""Regression test on the shipped seed article (data/seed): the Global News story."""

from pathlib import Path

import pytest

from harness.clean import clean_text

SEED = Path(__file__).resolve().parents[1] / "data/seed/000_d36b9ee4aee59a38.txt"
HEADLINE = (
    "White House says not right time for talks with North Korea hours after Rex Tillerson "
    "offered direct dialogue"
)
# The boilerplate of the scraped page, in page order, with the rule that drops it.
EXPECTED_REMOVED = [
    ("advertisement", "Advertisement"),
    ("video", "Click to play video: 'Rex Tillerson hints"),
    ("video", "Rex Tillerson hints U.S. would be open to talks"),
    ("video", "ABOVE: Rex Tillerson said on Tuesday"),
    ("advertisement", "Story continues below advertisement"),
    ("read_more", "READ MORE: Rex Tillerson offers talks"),
    ("newsletter", "For news impacting Canada and around the world"),
    ("newsletter", "Get breaking National news"),
    ("newsletter", "For news impacting Canada and around the world"),
    ("legal", "By providing your email address"),
    ("advertisement", "Story continues below advertisement"),
    ("read_more", "READ MORE: North Korea continues tunnelling"),
    ("advertisement", "Story continues below advertisement"),
    ("attribution", "— with files from Reuters"),
    ("sponsored", "Sponsored content"),
    ("advertisement", "AdChoices"),
]
BOILERPLATE_WORDS = (
    "Advertisement",
    "Click to play video",
    "ABOVE:",
    "Story continues",
    "READ MORE",
    "sign up for breaking news",
    "Get breaking",
    "By providing your email",
    "with files from",
    "Sponsored",
    "AdChoices",
)


@pytest.fixture(scope="module")
def article():
    return clean_text(SEED.read_text(encoding="utf-8"), "000_d36b9ee4aee59a38", str(SEED))


def test_headline(article):
    assert article.headline == HEADLINE


def test_lede(article):
    assert article.lede.startswith(
        "The White House said Wednesday that now is not the right time to have talks"
    )
    assert article.lede == article.paragraphs[0]


def test_paragraphs(article):
    assert len(article.paragraphs) == 12
    assert article.paragraphs[2].endswith("National Security Council spokesman as saying.")
    assert article.paragraphs[3].startswith("On Tuesday afternoon, Tillerson offered")
    assert article.paragraphs[-1].startswith("According to a U.S.-based watchdog")


def test_no_boilerplate_left(article):
    for text in (article.headline, *article.paragraphs):
        for word in BOILERPLATE_WORDS:
            assert word not in text, (word, text)


def test_removed_lines_with_reasons(article):
    got = [(r.reason, r.line) for r in article.removed]
    assert len(got) == len(EXPECTED_REMOVED)
    for (reason, line), (want_reason, prefix) in zip(got, EXPECTED_REMOVED, strict=True):
        assert reason == want_reason and line.startswith(prefix), (reason, line)


def test_glued_ad_marker_removed(article):
    """The marker glued under a paragraph (same block) goes; the paragraph stays whole."""
    quote = article.paragraphs[2]
    assert quote.startswith("“Given North Korea’s most recent missile test")
    assert "advertisement" not in quote.casefold()
