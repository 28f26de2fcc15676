"""Per-article outcomes: ``Summarizer.summarize_each`` and the summarize step that records them."""

from __future__ import annotations

import json

from harness.models.base import Generation, Summarizer
from harness.models.cache import GenerationCache
from harness.run_folder import RunState, RunWriter
from harness.summarize import summarize_chunk
from tests.fakes import FailsOn, article


class PerArticle(Summarizer):
    """Tells its articles' failures apart in one call, as a request-per-article backend does."""

    cacheable = True

    def __init__(self, bad: str) -> None:
        super().__init__("per-article")
        self.bad = bad
        self.calls: list[list[str]] = []

    def summarize(self, articles):
        raise AssertionError("the run asks for per-article outcomes, not a batch")

    def summarize_each(self, articles):
        self.calls.append([a.id for a in articles])
        return [RuntimeError(f"cannot summarize {a.id}") if a.id == self.bad
                else Generation(a.lede, len(a.lede.split()), 0.01) for a in articles]


ARTICLES = [article(f"Body {i} says something.", id=f"d{i}", lede=f"Lede {i}.")
            for i in range(3)]


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_failed_article_is_an_error_row_without_a_second_call(tmp_path):
    model = PerArticle(bad="d1")
    writer = RunWriter(tmp_path, RunState())
    pairs = summarize_chunk(model, ARTICLES, writer)
    writer.close()
    assert model.calls == [["d0", "d1", "d2"]]  # the others' summaries came from that one call
    assert [a.id for a, _ in pairs] == ["d0", "d2"]
    (error,) = _rows(tmp_path / "errors.jsonl")
    assert (error["id"], error["stage"]) == ("d1", "summarize")
    assert error["error"] == "per-article: RuntimeError: cannot summarize d1"


def test_through_the_cache_only_summaries_are_kept_and_failures_asked_again(tmp_path):
    cache = GenerationCache(tmp_path / "cache")
    model = PerArticle(bad="d1")
    for run in ("r1", "r2"):
        writer = RunWriter(tmp_path / run, RunState())
        summarize_chunk(model, ARTICLES, writer, cache)
        writer.close()
    assert model.calls == [["d0", "d1", "d2"], ["d1"]]
    assert [r["cached"] for r in _rows(tmp_path / "r2" / "summaries.jsonl")] == [True, True]


def test_the_default_tries_the_batch_then_each_article_alone():
    outcomes = FailsOn("d1").summarize_each(ARTICLES)
    assert [o.text if isinstance(o, Generation) else str(o) for o in outcomes] == [
        "Lede 0.", "cannot summarize d1", "Lede 2."]
    assert [g.text for g in FailsOn("none").summarize_each(ARTICLES)] == [
        "Lede 0.", "Lede 1.", "Lede 2."]


def test_a_wrong_count_from_summarize_is_a_failed_batch():
    class Short(FailsOn):
        def summarize(self, articles):
            return super().summarize(articles)[:1]

    outcomes = Short("none").summarize_each(ARTICLES)
    assert [g.text for g in outcomes] == ["Lede 0.", "Lede 1.", "Lede 2."]
