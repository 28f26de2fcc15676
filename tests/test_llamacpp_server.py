"""End to end through llama.cpp's own OpenAI-compatible server, started on 127.0.0.1.

``harness run 'models=[smollm2_server]'`` summarizes the seed article through the
server, and ``llm_judge`` scores a summary with the server as its judge.
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
    from harness.models.llamacpp import LocalServer

    # logits_all: the server returns log-probabilities only with it (for the judge).
    with LocalServer(smollm2_gguf(), alias="smollm2", n_ctx=2048,
                     extra={"logits_all": "true"}) as running:
        yield running


def test_harness_run_through_the_llama_cpp_server(server, tmp_path):
    out = tmp_path / "run"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "models=[smollm2_server]",
         "metrics=[rouge]", f"+model_args.smollm2_server.base_url={server.base_url}",
         "+model_args.smollm2_server.max_tokens=24", f"hydra.run.dir={out}"],
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


def test_llm_judge_through_the_server(server, tmp_path):
    from harness.metrics.base import check_keys
    from harness.metrics.llm_judge import LLMJudge
    from harness.models.openai_compat import OpenAISummarizer
    from harness.types import Article

    backend = OpenAISummarizer(name="judge", base_url=server.base_url, model="smollm2",
                               max_concurrency=1)
    article = Article(id="a", headline="Storm closes schools in Leeds",
                      lede="A storm closed 40 schools in Leeds on Friday.",
                      paragraphs=("A storm closed 40 schools in Leeds on Friday.",
                                  "Forecasters expect more rain."))
    judge = LLMJudge(backend, cache_dir=str(tmp_path))
    values = judge.score("A storm closed 40 schools in Leeds.", article)
    check_keys(judge, values)
    text, top = backend.judge([{"role": "user", "content": "Rate from 1 to 5."}], 4, 5)
    assert top is not None and len(top) >= 1  # log-probabilities came back
