"""Plain-text cleaning: scraped fixtures of other sites' boilerplate (tests/data/scraped).

The fixtures are invented articles laid out the way news sites scrape: cookie
banners, share bars, photo credits, "Related:" links, bylines, datelines,
comment sections. Each test pins the headline, lede, paragraph count and the
reason every dropped line was dropped.
"""

from pathlib import Path

import pytest

from harness.clean import CleaningError, clean_doc, clean_text, normalize_text
from harness.types import RawDoc

DATA = Path(__file__).parent / "data/scraped"


def _clean(name):
    return clean_text((DATA / name).read_text(encoding="utf-8"), name)


def _reasons(article):
    return [(r.reason, r.line) for r in article.removed]


def test_cookie_banner_page():
    a = _clean("cookie_banner_page.txt")
    assert a.headline == "Harbour town votes to ban cruise ships from its old port"
    assert a.lede.startswith("Residents of the harbour town of Porthcove have voted")
    assert len(a.paragraphs) == 5
    assert a.paragraphs[-1].startswith("The ban takes effect")
    assert [r for r, _ in _reasons(a)] == [
        "cookie",
        "cookie",
        "cookie",
        "navigation",
        "navigation",
        "navigation",
        "byline",
        "dateline",
        "photo_credit",
        "read_more",
        "share",
        "share",
        "read_more",
        "navigation",
        "legal",
    ]


def test_share_bar_and_photo_credits():
    a = _clean("share_bar_photo_credits.txt")
    assert a.headline == "City to plant 10,000 trees along its busiest roads by 2025"
    assert a.lede.startswith("The city council on Tuesday approved a plan")
    assert len(a.paragraphs) == 5
    assert a.paragraphs[-1] == "Work is expected to start in the autumn."
    assert _reasons(a) == [
        ("share", "Share on Facebook"),
        ("share", "Share on Twitter"),
        ("share", "Email"),
        ("share", "Print"),
        ("byline", "Written by Daniel Osei | Environment reporter"),
        ("dateline", "Updated March 3, 2021 at 4:15 p.m."),
        (
            "photo_credit",
            "Image caption: Volunteers plant saplings on Ring Road. Photo by Amara Lind/City Herald",  # noqa: E501
        ),
        ("read_more", "READ MORE: Heat wave sends record numbers to emergency rooms"),
        ("advertisement", "Advertisement"),
        ("tags", "Tags: environment, city council, trees"),
        ("sponsored", "Sponsored content"),
    ]


def test_wire_story_dateline_and_byline():
    a = _clean("wire_dateline_byline.txt")
    assert a.headline == "Wind farm output hits record as storm sweeps northern Europe"
    assert a.lede.startswith("Wind farms in Germany and Denmark produced a record")
    assert len(a.paragraphs) == 4
    assert _reasons(a) == [
        ("byline", "By Lena Brandt and Tom Hayes"),
        ("dateline", "Mon, February 21, 2022, 6:02 AM"),
        (
            "attribution",
            "Reporting by Lena Brandt in Berlin and Tom Hayes in Copenhagen; Editing by Mark Potter",  # noqa: E501
        ),
        ("legal", "Our Standards: The Thomson Reuters Trust Principles."),
        ("dateline", "BERLIN (Reuters) -"),
    ]


def test_page_with_menu_related_list_and_comments():
    a = _clean("comments_related_page.txt")
    assert a.headline == "Library opens its doors overnight for exam season"
    assert a.lede.startswith("Students at the university will be able to study")
    assert len(a.paragraphs) == 4
    reasons = _reasons(a)
    assert ("read_more", "Related stories") in reasons
    assert ("comments", "23 Comments") in reasons
    # Everything from the comment header on is the comment section.
    at = reasons.index(("comments", "23 Comments"))
    assert {r for r, _ in reasons[at : at + 6]} == {"comments"}
    # The menu and the related headlines are not article text.
    outside = {line for reason, line in reasons if reason == "outside_article"}
    assert {"Politics", "World", "Culture", "Science"} <= outside
    assert "New bus route links campus and city centre" in outside
    assert not any("Reply" in p or "said:" in p for p in a.paragraphs)


def test_given_headline_and_lede_are_kept():
    text = "Some headline here\n\nFirst paragraph of the story, long enough to be prose."
    a = clean_text(text, "x", headline="Given headline", lede="Given lede.")
    assert a.headline == "Given headline"
    assert a.lede == "Given lede."
    # The unneeded title line before the lede is a preamble.
    assert a.paragraphs == ("First paragraph of the story, long enough to be prose.",)
    assert ("preamble", "Some headline here") in [(r.reason, r.line) for r in a.removed]


def test_hard_wrapped_lines_are_joined():
    text = (
        "Ferry service resumes after storm\n\n"
        "The island ferry resumed its normal timetable on Friday after three days\n"
        "of cancellations caused by high winds, the operator said.\n\n"
        "Passengers with tickets for cancelled crossings can travel on any sailing this week."
    )
    a = clean_text(text, "x")
    assert len(a.paragraphs) == 2
    assert a.lede.endswith("caused by high winds, the operator said.")


def test_entities_and_odd_whitespace_are_normalised():
    text = "Caf&eacute; owners&nbsp;win\u00a0appeal\r\n\r\nThe owners of the caf&#233; won their appeal\u200b on Monday, the court said &amp; confirmed.\u2028"  # noqa: E501
    a = clean_text(text, "x")
    assert a.headline == "Café owners win appeal"
    assert (
        a.lede == "The owners of the café won their appeal on Monday, the court said & confirmed."
    )
    assert normalize_text("a\u3000\tb\x07") == "a b"


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n  ", "Advertisement\n\nShare\n\nSponsored content", "Home | News | Sport\n\nMenu"],
)
def test_no_article_is_an_error(text):
    with pytest.raises(CleaningError):
        clean_text(text, "empty")


def test_binary_text_is_an_error():
    with pytest.raises(CleaningError, match="binary"):
        clean_text("PK\x03\x04\x00\x00", "zip")


def test_clean_doc_dispatches_on_text():
    doc = RawDoc(id="d1", source="d1.txt", text=(DATA / "wire_dateline_byline.txt").read_text())
    assert clean_doc(doc).headline.startswith("Wind farm output")
    with pytest.raises(CleaningError):
        clean_doc(RawDoc(id="d2", source="d2"))


def test_wire_dateline_is_the_articles_dateline_field():
    a = _clean("wire_dateline_byline.txt")
    # Split off the lede, kept as the article's dateline rather than lost.
    assert a.dateline == "BERLIN (Reuters)"
    assert a.to_json()["dateline"] == "BERLIN (Reuters)"
    assert type(a).from_json(a.to_json()) == a


def test_dateline_line_is_the_dateline_field_and_none_is_empty():
    text = ("Council approves new harbour wall after winter storms\n\n"
            "Published: 14 May 2022\n\n"
            "The town council approved a new harbour wall on Tuesday after two winter storms "
            "flooded the seafront and closed the ferry terminal for a week.\n\n"
            "Work starts in the spring and should take two years to finish.")
    a = clean_text(text, "wall")
    assert a.dateline == "Published: 14 May 2022"
    assert ("dateline", "Published: 14 May 2022") in _reasons(a)
    plain = clean_text(text.replace("Published: 14 May 2022\n\n", ""), "wall")
    assert plain.dateline == "" and plain.to_json()["dateline"] == ""
    assert type(plain).from_json({k: v for k, v in plain.to_json().items()
                                  if k != "dateline"}) == plain  # older rows have no key


COOKIE_STORY = (
    "Regulator tells websites to make rejecting cookies as easy as accepting them\n\n"
    "We use cookies to improve your experience. By continuing to use this site you agree "
    "to our cookie policy.\n\n"
    "Accept all cookies\n\n"
    "The data regulator on Monday told websites that visitors must be able to refuse "
    "tracking as easily as they can agree to it, after a year-long review of consent "
    "banners.\n\n"
    "Users must be able to reject cookies as easily as they accept cookies, the "
    "regulator's guidance says.\n\n"
    "Google uses cookies to follow users from site to site, the regulator said in its "
    "report.\n\n"
    "“We use cookies to keep our service free,” a spokesperson for one publisher said.\n\n"
    "The company changed its cookie policy in March after complaints from readers.\n\n"
    "Sites that fail to comply by January face fines."
)


def test_article_sentences_about_cookies_stay_banners_go():
    a = clean_text(COOKIE_STORY, "cookies")
    assert [r for r in a.removed if r.reason == "cookie"] == [
        type(a.removed[0])(COOKIE_STORY.split("\n\n")[1], "cookie"),
        type(a.removed[0])("Accept all cookies", "cookie"),
    ]
    for sentence in COOKIE_STORY.split("\n\n")[3:]:
        assert sentence in a.paragraphs, sentence
