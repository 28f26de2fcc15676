"""Pages without an article (cookie walls, paywall stubs, JavaScript shells): errors, not articles.

Each kind has several invented variants, as plain text and as HTML, worded
differently from one another and from the examples in the module docstring,
so that the test checks the vocabulary features and not one wording. News
prose about privacy or subscriptions stays an article without a warning.
"""

import pytest

from harness.clean import CleaningError, clean_html, clean_text
from harness.clean.notice import notice_kind

COOKIE_TEXTS = [
    "We value your privacy\n\nWe and our partners store and/or access information on a device, "
    "such as cookies and process personal data, such as unique identifiers and standard "
    "information sent by a device for personalised ads and content, ad and content measurement, "
    "and audience insights, as well as to develop and improve products.\n\nWith your permission "
    "we and our partners may use precise geolocation data and identification through device "
    "scanning.\n\nAccept all\n\nManage preferences",
    "Your privacy choices\n\nThis site and its advertising partners use tracking technologies to "
    "personalise content and ads, to provide social media features and to analyse our traffic. "
    "You can change your consent settings at any time from the privacy policy page.\n\n"
    "Agree and continue\n\nSettings",
    "Privacy notice\n\nTo give you the best experience, our vendors process personal data such "
    "as browsing data and device identifiers for analytics and personalized advertising. You may "
    "withdraw consent or object to legitimate interest processing at any time.\n\nI accept",
]
PAYWALL_TEXTS = [
    "City council approves new budget\n\nSubscribe to continue reading.\n\n"
    "Already a subscriber? Log in to your account.",
    "Mayor resigns after audit\n\nThis article is available to subscribers only. Start your free "
    "trial today for unlimited access to all our journalism.\n\nAlready have an account? Sign in",
    "Harbour plan delayed again\n\nYou have reached your limit of free articles this month. "
    "Register or subscribe for unlimited digital access.",
]
SCRIPT_TEXTS = [
    "React App\n\nYou need to enable JavaScript to run this app.",
    "Loading...\n\nPlease turn on JavaScript in your browser settings and reload the page to "
    "continue using this site.\n\nThis app requires a modern browser.",
    "Daily Planet\n\nJavaScript is disabled in your browser. Please enable JavaScript or switch "
    "to a supported browser to run this page.",
]
CASES = ([(t, "cookie wall") for t in COOKIE_TEXTS] + [(t, "paywall") for t in PAYWALL_TEXTS]
         + [(t, "JavaScript-only page") for t in SCRIPT_TEXTS])

COOKIE_HTML = """<html><head><title>Privacy settings</title></head><body><div class="consent">
<h2>We value your privacy</h2><p>We and our partners store and/or access information on a device,
such as cookies and process personal data, such as unique identifiers and standard information
sent by a device for personalised ads and content, ad and content measurement, and audience
insights.</p><p>You can accept or reject the use of cookies and manage your preferences at any
time in the privacy settings.</p><button>Accept all</button><button>Reject all</button></div>
</body></html>"""
SCRIPT_HTML = """<!doctype html><html><head><title>News App</title>
<script src="/static/js/main.js"></script></head><body><noscript>You need to enable JavaScript to
run this app.</noscript><div id="root"></div></body></html>"""
SCRIPT_HTML_2 = """<html><head><title>Daily Planet</title></head><body><div id="app"><p>Please
enable JavaScript in your browser to view this page. This site requires JavaScript to run.</p>
</div><script>window.__STATE__={}</script></body></html>"""
PAYWALL_HTML = """<html><head><title>Council approves budget - The Gazette</title></head><body>
<article><h1>Council approves budget</h1><div class="paywall"><p>Subscribe to continue
reading.</p><p>Get unlimited digital access for just $1 a month. Cancel anytime.</p>
<p>Already a subscriber? <a href="/login">Log in</a></p></div></article></body></html>"""
HTML_CASES = [(COOKIE_HTML, "cookie wall"), (SCRIPT_HTML, "JavaScript-only page"),
              (SCRIPT_HTML_2, "JavaScript-only page"), (PAYWALL_HTML, "paywall")]

TEASER = ("Mayor resigns after audit\n\nThe mayor of Springfield resigned on Tuesday after an "
          "audit found that city funds had been spent on private travel over three years.\n\n"
          "Subscribe to continue reading. Already a subscriber? Log in.")

PRIVACY_STORY = """Regulator fines retailer over shopping data

The data protection regulator fined a large retailer 4 million euros on Monday for keeping the \
personal data of shoppers for years after they had closed their accounts.

The retailer said it would appeal. Its lawyers argued that the records were kept to settle \
disputes about refunds, and that no customer had been harmed.

Privacy campaigners welcomed the fine. They said many websites still ask visitors to agree to \
cookies without explaining which partners receive their browsing data, and that the regulator \
should look at advertising networks next.

The retailer has until the end of the month to delete the records."""

SUBSCRIPTION_STORY = """Newspaper passes one million digital subscribers

The newspaper said on Thursday that it had passed one million digital subscribers, a year \
ahead of the target it set when it put its website behind a paywall.

Readers can still read five free articles a month before they are asked to subscribe, the \
company said, and students get a discounted plan.

Its chief executive said the money paid for twenty new reporters in regional offices, and that \
the newsroom would keep growing as long as subscriptions do.

Media analysts said the figure showed that readers in smaller cities were willing to pay for \
local reporting, although most of the new subscribers had signed up during an introductory \
offer and it was not yet clear how many of them would stay once the full price applied. The \
company did not say how many readers had cancelled over the past year, or how much the \
average reader now pays each month."""


@pytest.mark.parametrize(("text", "kind"), CASES)
def test_notice_text_is_an_error_naming_its_kind(text, kind):
    with pytest.raises(CleaningError, match=f"^no article: {kind} "):
        clean_text(text, "notice")


@pytest.mark.parametrize(("html", "kind"), HTML_CASES)
def test_notice_page_is_an_error_naming_its_kind(html, kind):
    with pytest.raises(CleaningError, match=f"no article: {kind} "):
        clean_html(html, "notice")


def test_paywall_teaser_keeps_its_text_with_a_warning():
    article = clean_text(TEASER, "teaser")
    assert article.lede.startswith("The mayor of Springfield resigned")
    assert [w.split(":")[0] for w in article.warnings] == ["paywall"]


@pytest.mark.parametrize(("text", "paragraphs"), [(PRIVACY_STORY, 4), (SUBSCRIPTION_STORY, 4)])
def test_news_about_privacy_or_subscriptions_is_an_article(text, paragraphs):
    article = clean_text(text, "story")
    assert len(article.paragraphs) == paragraphs
    assert article.removed == ()
    assert article.warnings == ()


@pytest.mark.parametrize("line", ["Read full review", "Start Free Trial", "Big data analytics",
                                  "Accept all", "Subscribe"])
def test_short_labels_are_not_notices(line):
    assert notice_kind(line) is None


def test_a_full_story_with_a_notice_line_is_not_warned_a_short_one_is():
    login = "\n\nAlready a subscriber? Log in to your account."
    assert clean_text(SUBSCRIPTION_STORY + login, "story").warnings == ()
    short = PRIVACY_STORY.rsplit("\n\n", 2)[0]  # headline and two paragraphs: under 100 words
    assert [w.split(":")[0] for w in clean_text(short + login, "teaser").warnings] == ["paywall"]
