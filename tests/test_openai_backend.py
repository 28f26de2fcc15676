"""The OpenAI-compatible backend against a real local HTTP server (tests/openai_fake.py).

The server answers 429, 500, stalls and malformed JSON on a schedule, to prove
the client's retries, the per-article error rows, the concurrency limit, the
early failure on a dead endpoint and the cache identity. Tests of timing wait
for the server's events (a request stalled, requests in flight), never race a
clock: a stalled request is never answered, and requests are held until the
concurrency limit is reached.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from harness.models.cache import GenerationCache
from harness.models.llamacpp_server import free_port
from harness.models.openai_compat import EndpointError, OpenAISummarizer
from harness.run_folder import RunState, RunWriter
from harness.summarize import summarize_chunk
from harness.types import Article
from tests.conftest import REPO
from tests.openai_fake import FakeOpenAI


def _article(i: int, marker: str = "") -> Article:
    return Article(id=f"a{i}", headline=f"Council votes {i}", lede=f"The Council voted {i}.",
                   paragraphs=(f"The Council voted on Monday {i}.",
                               f"Residents of Leeds welcomed it. {marker}".strip()))


def _model(server: FakeOpenAI, **kw) -> OpenAISummarizer:
    settings = {"name": "fake", "base_url": server.base_url, "model": "fake",
                "prompt": "Summarize:\n{article}", "max_tokens": 16, "timeout": 5.0,
                "max_retries": 2, **kw}
    return OpenAISummarizer(**settings)


def test_429_is_retried_with_backoff_then_succeeds():
    with FakeOpenAI() as server:
        model = _model(server)
        (generation,) = model.summarize([_article(1, "RATE2")])
    assert generation.text.startswith("Summary:")
    assert server.requests["RATE2"] == 3  # two 429s, then the answer
    # The client counts its retries in a header: 0, 1, 2.
    retries = [h.get("x-stainless-retry-count") for h in server.headers
               if "RATE2" in json.dumps(server.bodies[server.headers.index(h)])]
    assert retries == ["0", "1", "2"]


def test_a_timed_out_request_is_retried():
    """The first request is never answered: only the client's timeout ends it, then a retry."""
    timeout = 2.0  # the retry is answered at once; the bound leaves a loaded machine room
    with FakeOpenAI() as server:
        model = _model(server, timeout=timeout)
        (generation,) = model.summarize([_article(1, "SLOW1")])
        assert server.stalled.is_set()
    assert generation.text.startswith("Summary:")
    assert generation.seconds >= timeout  # the timed-out attempt counts
    assert server.requests["SLOW1"] == 2


def test_failed_articles_become_error_rows_and_the_others_are_kept(tmp_path):
    articles = [_article(0), _article(1, "FAIL"), _article(2, "BROKEN"), _article(3, "RATE2")]
    with FakeOpenAI() as server:
        model = _model(server, max_retries=2)
        writer = RunWriter(tmp_path, RunState())
        pairs = summarize_chunk(model, articles, writer)
        writer.close()
    assert [a.id for a, _ in pairs] == ["a0", "a3"]
    errors = [json.loads(line) for line in (tmp_path / "errors.jsonl").read_text().splitlines()]
    by_id = {e["id"]: e for e in errors}
    assert set(by_id) == {"a1", "a2"}
    assert by_id["a1"]["stage"] == "summarize" and "InternalServerError" in by_id["a1"]["error"]
    assert "a2" in by_id and by_id["a2"]["model"] == "fake"
    # 500s were retried (1 + max_retries), and the failed article was not asked
    # again alone: its outcome came back from the one round of requests.
    assert server.requests["FAIL"] == 3
    assert server.requests["plain"] == 1


def test_per_article_outcomes_come_from_one_round_of_requests():
    """``summarize_each`` returns the others' summaries and the bad one's error, no re-asking."""
    with FakeOpenAI() as server:
        model = _model(server, max_retries=0)
        outcomes = model.summarize_each([_article(0), _article(1, "FAIL"), _article(2)])
        assert not hasattr(model, "_known")  # no side channel for a retry to read
        asked = dict(server.requests)
        again = model.summarize_each([_article(1, "FAIL")])
    assert [type(o).__name__ for o in outcomes] == ["Generation", "InternalServerError",
                                                    "Generation"]
    assert asked == {"plain": 2, "FAIL": 1}
    # Asked again, the article is a new request: no outcome was kept from the last call.
    assert isinstance(again[0], Exception) and server.requests["FAIL"] == 2


def test_concurrency_is_capped():
    """Requests are held until three are in flight: the cap is reached, and never passed."""
    with FakeOpenAI(hold=3) as server:
        model = _model(server, max_concurrency=3)
        summaries = model.summarize([_article(i) for i in range(8)])
        assert server.full.is_set()
    assert len(summaries) == 8
    assert server.max_in_flight == 3


def test_token_usage_is_recorded_per_article(tmp_path):
    with FakeOpenAI(reply="Two words") as server:
        model = _model(server)
        generations = model.summarize([_article(1), _article(2)])
        writer = RunWriter(tmp_path, RunState())
        summarize_chunk(model, [_article(3)], writer)
        writer.close()
    assert [g.tokens for g in generations] == [2, 2]  # the server's completion_tokens
    assert set(model.usage["a1"]) == {"prompt_tokens", "completion_tokens"}
    (row,) = [json.loads(line) for line in (tmp_path / "summaries.jsonl").read_text().splitlines()]
    assert row["tokens"] == 2 and row["seconds"] > 0


def test_settings_reach_the_server_and_the_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("FAKE_KEY_FOR_TEST", "sk-test-123")
    with FakeOpenAI() as server:
        model = _model(server, api_key_env="FAKE_KEY_FOR_TEST", seed=7, stop=["\n\n"],
                       system_prompt="Be brief.")
        model.summarize([_article(1)])
    body = server.bodies[-1]
    assert body["seed"] == 7 and body["temperature"] == 0.0 and body["max_tokens"] == 16
    assert body["stop"] == ["\n\n"]
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert "The Council voted on Monday 1." in body["messages"][1]["content"]
    assert server.headers[-1]["authorization"] == "Bearer sk-test-123"
    assert "sk-test-123" not in json.dumps(model.identity())


def test_missing_key_variable_is_an_error(monkeypatch):
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    with FakeOpenAI() as server, pytest.raises(EndpointError, match="NO_SUCH_KEY_VAR"):
        _model(server, api_key_env="NO_SUCH_KEY_VAR")


def test_completions_endpoint():
    with FakeOpenAI() as server:
        model = _model(server, endpoint="completions")
        (generation,) = model.summarize([_article(1)])
    assert generation.text.startswith("Summary:")
    assert server.bodies[-1]["prompt"].startswith("Summarize:\nThe Council")


def test_cache_identity_covers_endpoint_model_prompt_and_settings(tmp_path):
    with FakeOpenAI() as server:
        base = _model(server).identity()
        assert _model(server, max_concurrency=1, timeout=9, max_retries=0).identity() == base
        for change in ({"model": "other"}, {"prompt": "Sum {article}"}, {"max_tokens": 5},
                       {"temperature": 0.5}, {"seed": 1}, {"endpoint": "completions"}):
            assert _model(server, **change).identity() != base, change
        model = _model(server)
        cache = GenerationCache(tmp_path)
        from harness.models.cache import summarize_cached

        first = summarize_cached(model, [_article(1)], cache)
        again = summarize_cached(model, [_article(1)], cache)
    assert not first[0][1] and again[0][1] and first[0][0].text == again[0][0].text
    assert server.requests["plain"] == 1
    with FakeOpenAI() as other:
        assert _model(other).identity() != base  # another endpoint (port)


def test_dead_endpoint_fails_the_run_early_with_exit_2(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EndpointError, match="does not answer"):
        OpenAISummarizer(name="dead", base_url=url, model="x")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "models=[smollm2_server]",
         f"model.smollm2_server.base_url={url}", f"hydra.run.dir={tmp_path / 'run'}"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=300,
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert f"endpoint {url} does not answer" in proc.stderr
    assert not (tmp_path / "run" / "summaries.jsonl").exists()
