"""Tests of harness.models.cache with a counting fake summarizer (no model weights)."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from harness.models.cache import (
    GenerationCache,
    cache_key,
    default_cache_dir,
    summarize_cached,
)
from harness.types import Article
from tests.fakes import Echo, article


def art(i: int, body: str | None = None) -> Article:
    text = body or f"article {i} says something new about topic {i}"
    return article(text, id=f"a{i}", headline="h")


def texts(results) -> list[tuple[str, bool]]:
    """``(summary, was_cached)`` of each ``summarize_cached`` result."""
    return [(generation.text, hit) for generation, hit in results]


def test_default_dir_reads_env(monkeypatch, tmp_path):
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("HARNESS_CACHE_DIR")
    assert default_cache_dir() == Path.home() / ".cache" / "harness"


def test_key_is_sha256_of_sorted_identity_and_body():
    import hashlib

    identity = {"b": 1, "a": [1, 2]}
    expected = hashlib.sha256(('{"a": [1, 2], "b": 1}' + "\0" + "body").encode()).hexdigest()
    assert cache_key(identity, "body") == expected
    assert cache_key({"a": [1, 2], "b": 1}, "body") == expected  # key order does not matter
    assert cache_key(identity, "body ") != expected


def test_only_misses_are_generated_in_one_call(tmp_path):
    cache = GenerationCache(tmp_path)
    model = Echo()
    first = texts(summarize_cached(model, [art(0), art(1)], cache))
    assert first == [("article 0 says", False), ("article 1 says", False)]
    second = texts(summarize_cached(model, [art(0), art(2), art(1), art(3)], cache))
    assert [hit for _, hit in second] == [True, False, True, False]
    assert model.calls == [["a0", "a1"], ["a2", "a3"]]
    assert [s for s, _ in second] == ["article 0 says", "article 2 says",
                                      "article 1 says", "article 3 says"]


def test_full_hit_does_not_call_model_and_changed_setting_misses(tmp_path):
    cache = GenerationCache(tmp_path)
    summarize_cached(Echo(), [art(0)], cache)
    again = Echo()
    assert texts(summarize_cached(again, [art(0)], cache)) == [("article 0 says", True)]
    assert again.calls == []
    other = Echo(words=2)
    assert texts(summarize_cached(other, [art(0)], cache)) == [("article 0", False)]


def test_same_body_under_another_id_hits(tmp_path):
    cache = GenerationCache(tmp_path)
    summarize_cached(Echo(), [art(0, "same text here")], cache)
    assert summarize_cached(Echo(), [art(9, "same text here")], cache)[0][1] is True


def test_entries_are_json_files_and_no_temp_files_remain(tmp_path):
    cache = GenerationCache(tmp_path)
    summarize_cached(Echo(), [art(0), art(1)], cache)
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert len(files) == 2 and all(p.suffix == ".json" for p in files)
    entry = json.loads(files[0].read_text())
    assert set(entry) == {"format", "summary", "model", "article_id"}


def test_corrupt_entry_is_a_miss_and_rewritten(tmp_path, caplog):
    cache = GenerationCache(tmp_path)
    key = cache_key(Echo().identity(), art(0).body)
    cache.path(key).parent.mkdir(parents=True)
    cache.path(key).write_text("{not json")
    model = Echo()
    assert texts(summarize_cached(model, [art(0)], cache)) == [("article 0 says", False)]
    assert "unreadable" in caplog.text
    assert cache.get(key) == "article 0 says"


def test_wrong_count_from_model_raises(tmp_path):
    class Short(Echo):
        def summarize(self, articles):
            return super().summarize(articles[:1])

    with pytest.raises(ValueError, match="returned 1 summaries for 2"):
        summarize_cached(Short(), [art(0), art(1)], GenerationCache(tmp_path))


def _hammer(directory: str, worker: int) -> None:
    cache = GenerationCache(directory)
    for round_ in range(200):
        cache.put("k" * 64, f"summary {round_ % 2}", worker=worker)
        value = cache.get("k" * 64)
        assert value in {"summary 0", "summary 1"}, value


def test_two_processes_sharing_a_key_never_see_a_partial_entry(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_hammer, args=(str(tmp_path), w)) for w in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["k" * 64 + ".json"]
