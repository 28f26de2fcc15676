"""Coverage of headline and lede: golden shares, embedding range, errors."""

import pytest

from harness.metrics.base import check_keys
from harness.metrics.coverage import Coverage
from harness.types import Article
from tests.fakes import article

ART = Article(
    id="c1",
    headline="Acme hires 300 in Ohio",
    lede="Acme Corp will hire 300 workers at its Ohio plant, its chief said.",
    paragraphs=("Acme Corp will hire 300 workers at its Ohio plant, its chief said.", "More."),
)


@pytest.fixture(scope="module")
def metric():
    return Coverage()


def test_golden_shares(metric):
    out = metric.score("Acme will hire workers in Ohio.", ART)
    check_keys(metric, out)
    # headline content stems: acm(e) hire 300 ohio -> summary has acme, hire, ohio: 3/4
    assert out["cov_headline_content"] == pytest.approx(3 / 4)
    # headline entities {acme}, {ohio}: both carried; numbers {300}: none carried
    assert out["cov_headline_entities"] == 1.0
    assert out["cov_headline_numbers"] == 0.0
    # lede content: acm corp hire 300 worker ohio plant chief -> acme hire worker ohio = 4/8
    assert out["cov_lede_content"] == pytest.approx(4 / 8)
    parts = [v for k, v in out.items() if k != "coverage"]
    assert out["coverage"] == pytest.approx(sum(parts) / 8)


def test_embedding_orders_related_first(metric):
    near = metric.score("Acme Corp plans to hire 300 Ohio workers.", ART)["cov_headline_embed"]
    far = metric.score("The football season ended in a draw.", ART)["cov_headline_embed"]
    assert near > far


def test_untitled_article_scores_the_lede_alone(metric):
    lede = "Acme Corp will hire 300 workers in Ohio next year."
    art = article(lede, id="x", lede=lede)
    got = metric.score("Acme will hire 300 Ohio workers.", art)
    assert not any(k.startswith("cov_headline") for k in got)
    parts = [got[f"cov_lede_{part}"] for part in ("content", "entities", "numbers", "embed")]
    assert got["coverage"] == pytest.approx(sum(parts) / 4)
    assert got["cov_lede_numbers"] == 1.0


def test_missing_lede_is_an_error(metric):
    art = article("A body.", id="x", headline="A headline")
    with pytest.raises(ValueError, match="'x' has no lede"):
        metric.score("Something.", art)


def test_reference_carried_verbatim_scores_full_embed(metric):
    # Every lede token's best match in the summary is itself: recall 1, rescaled 1.
    summary = ART.lede + " It also builds a warehouse."
    assert metric.score(summary, ART)["cov_lede_embed"] == pytest.approx(1.0, abs=1e-5)


def test_unrelated_summary_scores_near_zero_embed(metric):
    out = metric.score("The football season ended in a draw at the stadium.", ART)
    assert out["cov_lede_embed"] < 0.35 and out["cov_headline_embed"] < 0.35


def test_batch_equals_one_by_one(metric):
    pairs = [("Acme will hire workers in Ohio.", ART), ("The season ended in a draw.", ART)]
    batch = metric.score_batch(pairs)
    metric.reset()
    assert batch == [metric.score(s, a) for s, a in pairs]
