"""The LLM judge: probability-weighted scores, robust parsing, errors, cache, any backend."""

from __future__ import annotations

import math

import pytest

from harness.metrics.base import check_keys
from harness.metrics.llm_judge import LLMJudge, expected_score, parse_score
from harness.models.openai_compat import OpenAISummarizer
from harness.scoring import score_each
from harness.types import Article
from tests.openai_fake import FakeOpenAI

ARTICLE = Article(id="a1", headline="Storm closes schools in Leeds",
                  lede="A storm closed 40 schools in Leeds on Friday.",
                  paragraphs=("A storm closed 40 schools in Leeds on Friday.",
                              "Forecasters expect more rain."))


def _judge(server: FakeOpenAI, tmp_path, **kw) -> LLMJudge:
    backend = OpenAISummarizer(name="judge", base_url=server.base_url, model="fake",
                               max_retries=0, max_concurrency=2)
    return LLMJudge(backend, cache_dir=str(tmp_path), **kw)


def test_expected_score_weights_the_score_tokens():
    top = {"4": math.log(0.6), " 5": math.log(0.2), "The": math.log(0.15), "3": math.log(0.05)}
    # (4*0.6 + 5*0.2 + 3*0.05) / 0.85; "The" is not a score and is left out.
    assert expected_score(top) == pytest.approx((2.4 + 1.0 + 0.15) / 0.85)
    assert expected_score({"The": -0.1}) is None
    assert expected_score(None) is None


@pytest.mark.parametrize("text, score", [
    ("4", 4.0), (" 5", 5.0), ("Score: 3", 3.0), ("**2**/5", 2.0), ("- Consistency: 1", 1.0),
    ("I would rate it 4 out of 5.", 4.0), ("10", None), ("4.5", None), ("The summary", None),
    ("", None),
])
def test_parse_score(text, score):
    assert parse_score(text) == score


def test_logprobs_give_a_weighted_score(tmp_path):
    top = {"4": math.log(0.5), "5": math.log(0.5)}
    with FakeOpenAI(logprobs=top, reply="4") as server:
        judge = _judge(server, tmp_path)
        values = judge.score("A storm closed schools.", ARTICLE)
    check_keys(judge, values)
    assert values == {"judge_faithfulness": 4.5, "judge_coverage": 4.5}
    body = server.bodies[-1]
    assert body["logprobs"] is True and body["top_logprobs"] == 20
    assert "Leeds" in body["messages"][0]["content"]


def test_prompts_carry_the_texts(tmp_path):
    class Backend:
        def judge(self, messages, max_tokens, top_logprobs, candidates=()):
            return "3", None

        def identity(self):
            return {}

    judge = LLMJudge(backend=Backend(), cache=False)
    faith = judge.prompt("faithfulness", "My summary.", ARTICLE)
    cover = judge.prompt("coverage", "My summary.", ARTICLE)
    assert "Consistency (1-5)" in faith and "My summary." in faith and "Forecasters" in faith
    assert "Storm closes schools in Leeds" in cover and "Coverage (1-5)" in cover
    assert "{" not in faith + cover


def test_without_logprobs_the_reply_is_parsed(tmp_path):
    with FakeOpenAI(reply="Score: 2") as server:
        values = _judge(server, tmp_path).score("A storm.", ARTICLE)
    assert values == {"judge_faithfulness": 2.0, "judge_coverage": 2.0}


def test_unparseable_judgment_is_a_row_error_and_the_cache_is_used(tmp_path):
    with FakeOpenAI(reply="The summary is fine.") as server:
        judge = _judge(server, tmp_path)
        (result,) = score_each(judge, [("A storm.", ARTICLE)])
        assert isinstance(result, ValueError) and "unparseable" in str(result)
        asked = sum(server.requests.values())
        score_each(judge, [("A storm.", ARTICLE)])
        assert sum(server.requests.values()) == asked  # cached raw judgment, not asked again


def test_batch_scores_many_pairs(tmp_path):
    with FakeOpenAI(reply="3", hold=2) as server:  # held until two are in flight
        judge = _judge(server, tmp_path)
        rows = judge.score_batch([(f"Summary {i}.", ARTICLE) for i in range(4)])
        assert server.full.is_set()
    assert [r["judge_coverage"] for r in rows] == [3.0] * 4
    assert server.max_in_flight == 2
