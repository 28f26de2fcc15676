"""harness.lru.LRU: the one bounded cache (embeddings, memos, probabilities, bodies)."""

import pytest

from harness.lru import LRU


def test_least_recently_used_goes_first_and_reads_count_as_use():
    cache = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the newest
    cache.put("c", 3)
    assert "b" not in cache and "a" in cache and "c" in cache and len(cache) == 2
    assert "a" in cache  # membership does not count as use
    cache.put("d", 4)
    assert "a" not in cache  # "a" was read before "c" was written


def test_rewriting_a_key_makes_it_the_newest_and_misses_give_the_default():
    cache = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    cache.put("c", 3)
    assert cache.get("a") == 10 and cache.get("b") is None and cache.get("b", 0) == 0
    cache.clear()
    assert len(cache) == 0 and not cache


def test_size_zero_keeps_nothing_and_negative_sizes_are_refused():
    cache = LRU(0)
    cache.put("a", 1)
    assert len(cache) == 0
    with pytest.raises(ValueError, match="at least 0"):
        LRU(-1)
