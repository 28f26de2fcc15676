"""scripts/fit_coverage.py: the recall column each weighting gives, and the settings' matrices."""

import sys

import numpy as np
import pytest

from harness.metrics.coverage import article_recall, news_idf
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import fit_coverage as fc  # noqa: E402

BODY = ("Workers will open the plant in Zanzibar. Workers will open it soon. "
        "Zanzibar hosts the plant.")
ROWS = [{"doc_id": "d1", "summary": s, "article": BODY}
        for s in ("Workers open.", "Zanzibar hosts.", "Cats nap.")]


def test_recall_column_follows_the_metric_for_each_weighting():
    by_count, by_idf = fc.recall_column(ROWS), fc.recall_column(ROWS, news_idf())
    assert by_count.tolist() == pytest.approx([article_recall(r["summary"], BODY) for r in ROWS])
    assert by_idf.tolist() == pytest.approx(
        [article_recall(r["summary"], BODY, news_idf()) for r in ROWS])
    assert by_count[2] == by_idf[2] == 0.0  # nothing of the article carried
    # By count the common words carry more, by idf the story's own name.
    assert by_count[0] > by_count[1] and by_idf[0] < by_idf[1]


def test_variant_reads_the_chosen_weighting():
    data = {"token_names": ["cov_lede_content"], "token": {3: np.array([[0.1], [0.2]])},
            "article_recall": {"count": np.array([0.3, 0.4]), "idf": np.array([0.5, 0.6])}}
    names, x = fc.variant(data, 3, "lexical", 0, False, "idf")
    assert names == ["cov_lede_content", "cov_article_recall"]
    assert x[:, 1].tolist() == [0.5, 0.6]
    names, x = fc.variant(data, 3, "lexical", 0, False, None)
    assert names == ["cov_lede_content"] and x.shape == (2, 1)
