"""End to end through llama.cpp's own OpenAI-compatible server, started on 127.0.0.1.

``harness run 'models=[smollm2_server]'`` summarizes the seed article through the
server, and the ``llm_judge`` metric of the same run uses the server as its judge.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.llamacpp_support import require_llama_cpp, smollm2_gguf

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    require_llama_cpp()
    from harness.models.llamacpp_server import LocalServer

    # logits_all: the server returns log-probabilities only with it (for the judge).
    # One thread: see tests/test_llamacpp.py.
    with LocalServer(smollm2_gguf(), alias="smollm2", n_ctx=2048, n_threads=1,
                     extra={"logits_all": "true"}) as running:
        yield running


def test_harness_run_through_the_llama_cpp_server(server, tmp_path):
    """Summaries from the server, and the judge metric with the same server as its backend."""
    out = tmp_path / "run"
    judge = ("{_target_: harness.metrics.llm_judge.LLMJudge, cache_dir: " + str(tmp_path) +
             ", backend: {_target_: harness.models.openai_compat.OpenAISummarizer, "
             "name: judge, model: smollm2, base_url: '" + server.base_url + "'}}")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "models=[smollm2_server]",
         f"metrics=[rouge,{judge}]", f"model.smollm2_server.base_url={server.base_url}",
         "model.smollm2_server.max_tokens=24", f"hydra.run.dir={out}"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [json.loads(line) for line in (out / "summaries.jsonl").read_text().splitlines()]
    assert rows and all(r["model"] == "smollm2_server" and r["summary"] for r in rows)
    assert all(0 < r["tokens"] <= 24 for r in rows)  # the server's own usage count
    assert (out / "errors.jsonl").read_text() == ""
    record = json.loads((out / "run.json").read_text())
    identity = record["model_identities"]["smollm2_server"]
    assert identity["base_url"] == server.base_url and identity["model"] == "smollm2"
    lines = (out / "scores.jsonl").read_text().splitlines()
    scores = [json.loads(line)["scores"] for line in lines]
    assert all(1 <= s["judge_faithfulness"] <= 5 and 1 <= s["judge_coverage"] <= 5 for s in scores)
    assert "judge_faithfulness" in (out / "table.md").read_text()


def test_the_server_returns_first_token_logprobs(server):
    from harness.models.openai_compat import OpenAISummarizer

    backend = OpenAISummarizer(name="judge", base_url=server.base_url, model="smollm2")
    text, top = backend.judge([{"role": "user", "content": "Rate from 1 to 5."}], 4, 5)
    assert text and top is not None and len(top) == 5 and all(v <= 0 for v in top.values())
