"""Whole-page plain text: block features, bounded time, and the BBC simple case."""

import re

import pytest

from harness.clean import CleaningError, clean_text
from harness.clean.page import densest_span, features, line_class, select_article, with_context
from harness.clean.rules import RULES, classify
from tests.guards import hang_guard


def test_densest_span_is_max_sum_subarray():
    assert densest_span([-1, 2, 3, -10, 4]) == (1, 3)
    assert densest_span([-1, 2, -1, 3, -10]) == (1, 4)


def test_context_menu_run_is_bad_but_subheading_is_good():
    classes = ["good", "short", "good", "short", "short", "short", "short", "good"]
    assert with_context(classes) == ["good", "good", "good", "bad", "bad", "bad", "bad", "good"]


def test_line_class_prose_vs_list():
    stop = frozenset("the of and to a in is was that it for on with as".split())
    prose = "The council said on Monday that it was going to review the plan for the harbour as a whole."  # noqa: E501
    names = "Smith, Jones, Brown, Taylor, Wilson, Davies, Evans, Thomas, Johnson, Roberts, Walker"
    assert line_class(features(prose, stop), True) == "good"
    assert line_class(features(names, stop), True) == "bad"
    assert line_class(features("Sport", stop), True) == "short"


def test_select_article_skips_menu_and_footer():
    menu = ["Home", "World", "Business", "Sport", "Weather", "Video"]
    body = [
        "The river burst its banks on Sunday night and flooded more than two hundred homes in the lower town, the fire service said.",  # noqa: E501
        "Residents were taken to the school hall, where volunteers handed out blankets and hot food until the early hours of the morning.",  # noqa: E501
        "The council said it would open a fund for families whose homes were damaged and would inspect the flood walls this week.",  # noqa: E501
    ]
    footer = ["About us", "Contact", "Careers", "Privacy", "Terms"]
    lines = menu + ["River floods lower town"] + body + footer
    sel = select_article(lines)
    kept = [line for i, line in enumerate(lines) if sel.keep(i)]
    assert kept == body


def test_catastrophic_backtracking_is_absent():
    """Every rule and the whole cleaner stay fast on a 5 MB line."""
    line = ("share " * 10 + "a" * 40 + " " + "(" * 20 + "x " * 30) * 20_000
    line = line[:5_000_000]
    # Linear scans take seconds on a 5 MB line; backtracking would take hours.
    with hang_guard(20, "the rules and classify on a 5 MB line"):
        for rule in RULES:
            rule.pattern.search(line)
        classify(line)


def test_huge_input_is_bounded_and_recorded():
    para = "The committee met again on Tuesday and agreed to publish its report in the spring, members said."  # noqa: E501
    text = "Committee report delayed again\n\n" + "\n\n".join(
        f"{para} ({i})" for i in range(40_000)
    )
    with hang_guard(30, "clean_text of 40,000 paragraphs"):
        article = clean_text(text, "big")
    assert article.removed[0].reason == "truncated"
    assert article.headline == "Committee report delayed again"


def test_page_of_links_is_an_error():
    menu = "\n\n".join(["Home", "World", "Business", "Sport", "Weather", "Video", "Contact us"] * 5)
    with pytest.raises(CleaningError, match="no article|no headline"):
        clean_text(menu, "menu")


@pytest.mark.corpus
def test_bbc_articles_keep_their_paragraphs(corpus_files):
    """BBC News (Greene & Cunningham 2006): headline line, blank, paragraphs; all kept."""
    files = corpus_files("bbc", "*/*.txt", count=250)
    total = kept = headlines = 0
    for path in files:
        raw = path.read_text(encoding="utf-8", errors="replace")
        head, _, rest = raw.partition("\n")
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", rest) if p.strip()]
        article = clean_text(raw, path.stem, str(path))
        body = " ".join(article.body.split())
        headlines += article.headline == head.strip()
        total += len(paragraphs)
        kept += sum(p in body for p in paragraphs)
    assert kept / total >= 0.99, (kept, total)
    assert headlines >= 248


def test_glued_teaser_title_is_bad_but_prose_is_not():
    from harness.clean.page import glued_teaser

    teaser = "Customers Leave Without Paying Bill At Troy SteakhouseA party of six left the restaurant without paying."  # noqa: E501
    prose = "Finland and Sweden's chance came on Friday. Finland clinched 3-0 against Liechtenstein at home."  # noqa: E501
    brand = "The new iPhone sold well, McDonald said on Tuesday at the annual meeting of the shareholders."  # noqa: E501
    assert glued_teaser(teaser)
    assert not glued_teaser(prose)
    assert not glued_teaser(brand)


def test_list_runs_need_punctuated_items():
    from harness.clean.page import list_runs

    items = ["Path A: Iceland, Bulgaria", "Path B: Bosnia, Slovakia", "Path C: Scotland, Norway"]
    menu = ["Home", "World", "Business", "Sport"]
    assert list_runs(menu + items + menu) == [(4, 7)]


def test_headline_is_the_title_sharing_words_with_the_text():
    body = [
        "The river burst its banks on Sunday night and flooded more than two hundred homes in the lower town, the fire service said.",  # noqa: E501
        "Residents were taken to the school hall, where volunteers handed out blankets and hot food until the early hours of the morning.",  # noqa: E501
        "The council said it would open a fund for families whose homes were damaged and would inspect the flood walls this week.",  # noqa: E501
    ]
    lines = ["Skip to content", "Home", "World", "Local news", "River floods lower town homes"]
    lines += ["By Jane Doe", "Updated 10:32 AM, May 2, 2023"] + body + ["About us", "Contact"]
    article = clean_text("\n\n".join(lines), "page")
    assert article.headline == "River floods lower town homes"
    assert article.paragraphs == tuple(body)


def test_page_opening_with_a_prose_notice_is_not_a_plain_article():
    # A one-word notice and a prose privacy banner look like a headline and a
    # lede; the menu below them and the article far down make it a page.
    notice = [
        "Notice",
        "Your privacy is important to us. We have updated our privacy policy to better explain how we use data on this site.",  # noqa: E501
    ]
    menu = [f"Section {name}" for name in "ABCDEFGHIJKL"]
    body = [
        "The river burst its banks on Sunday night and flooded more than two hundred homes in the lower town, the fire service said.",  # noqa: E501
        "Residents were taken to the school hall, where volunteers handed out blankets and hot food until the early hours of the morning.",  # noqa: E501
        "The council said it would open a fund for families whose homes were damaged and would inspect the flood walls this week.",  # noqa: E501
    ]
    text = "\n\n".join(notice + menu + ["River floods lower town"] + body + ["About us", "Contact"])
    article = clean_text(text, "p")
    assert article.headline == "River floods lower town"
    assert list(article.paragraphs) == body
