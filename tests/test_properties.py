"""Property-based tests: arbitrary text never crashes the cleaner or a metric,
scores stay in their declared ranges, and cleaning is idempotent."""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harness.clean import CleaningError, clean_text
from harness.config import available, build, resolve_plugin
from harness.metrics.base import check_keys
from harness.text import tokens
from harness.types import Article

# Text that looks like scraped news: words, numbers, punctuation, boilerplate
# fragments, newlines and blank lines, plus arbitrary unicode now and then.
_WORDS = st.sampled_from([
    "The", "council", "said", "on", "Monday", "it", "would", "not", "approve", "12", "3.5%",
    "Advertisement", "READ MORE:", "Share", "Getty Images", "By", "John", "Smith", "LONDON",
    "(Reuters)", "-", "—", "“quoted”", "Mr.", "U.S.", "sign up", "newsletter", "cookies", ".",
    ",", "!", "?", "Click to play video:", "ABOVE:", "Related:", "2017", "$4m", "and",
])
_LINE = st.one_of(
    st.lists(_WORDS, min_size=1, max_size=30).map(" ".join),
    st.text(max_size=80),
)
SCRAPED = st.lists(st.one_of(_LINE, st.just("")), min_size=0, max_size=25).map("\n".join)

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(SCRAPED)
# Found by this test: two hard-wrapped lines that join into a paragraph repeated
# later, which only a second cleaning (one line per paragraph) removed.
@example("The\nThe The The The The The The The\n0{0×0\na\n0{0×0\na")
def test_cleaner_never_crashes_and_is_idempotent(text):
    try:
        article = clean_text(text, "p")
    except CleaningError:
        return
    assert article.paragraphs
    # Untitled text (its first paragraph a sentence) keeps no headline and says so.
    assert article.headline.strip() or (article.headline_from == "absent" and article.warnings)
    assert all(p.strip() for p in article.paragraphs)
    assert article.lede in article.paragraphs
    again = clean_text(article.as_text(), "p")
    assert again.headline == article.headline
    assert again.paragraphs == article.paragraphs


@functools.cache
def _metric(name: str):
    return build(name, "metric")


# llm_judge runs a language model per example (4 minutes for these examples on two busy
# cores); its values are weighted means of 1-5 by construction, and the contract tests
# (test_config, test_metrics_faithfulness) check its keys and ranges on real text.
_TOO_SLOW_FOR_PROPERTIES = {"llm_judge"}


def _buildable_metrics() -> list[str]:
    from omegaconf import OmegaConf

    out = []
    for name in available("metric"):
        if name in _TOO_SLOW_FOR_PROPERTIES:
            continue
        node = resolve_plugin(name, "metric")
        if not any(OmegaConf.is_missing(node, k) for k in node):
            out.append(name)
    return out


_ARTICLE_TEXT = st.lists(st.lists(_WORDS, min_size=1, max_size=25).map(" ".join),
                         min_size=1, max_size=6)


@pytest.mark.parametrize("name", _buildable_metrics())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summary=st.one_of(_LINE, st.lists(_WORDS, max_size=40).map(" ".join)),
       paragraphs=_ARTICLE_TEXT, headline=_LINE)
def test_metric_scores_stay_in_declared_range(name, summary, paragraphs, headline):
    article = Article(id="p", headline=headline, lede=paragraphs[0], paragraphs=tuple(paragraphs))
    metric = _metric(name)
    try:
        values = metric.score(summary, article)
    except ValueError as exc:
        # Only a summary with nothing to score may be refused (it becomes an error
        # row naming the cause), never one with words in it.
        empty = [n for n, t in (("summary", summary), ("headline", headline),
                                ("lede", paragraphs[0]), ("article", " ".join(paragraphs)))
                 if not tokens(t)]
        assert empty, f"{name} refused a summary and article with words: {exc}"
        assert any(n in str(exc) for n in empty), f"{name}: error does not name the cause: {exc}"
        return
    check_keys(metric, values)
    for v in values.values():
        assert v == v, "NaN score"  # NaN != NaN
