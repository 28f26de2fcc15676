"""Real subprocess runs of the command line (harness run, harness clean)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SEED_DIR

HARNESS = [sys.executable, "-m", "harness.cli"]


def _run(args, **kw):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([*HARNESS, *args], capture_output=True, text=True, cwd=REPO, env=env,
                          timeout=600, **kw)


def test_harness_run_on_seed_writes_results(tmp_path):
    out = tmp_path / "run"
    proc = _run(["run", "models=[lead3,textrank]", f"hydra.run.dir={out}"])
    assert proc.returncode == 0, proc.stderr
    for name in ("articles.jsonl", "summaries.jsonl", "scores.jsonl", "errors.jsonl",
                 "table.csv", "table.md", "config.yaml", "run.json"):
        assert (out / name).is_file(), name
    assert "lead3" in proc.stdout and "textrank" in proc.stdout
    scores = [json.loads(line) for line in (out / "scores.jsonl").read_text().splitlines()]
    assert {s["model"] for s in scores} == {"lead3", "textrank"}
    assert "rouge2_lede_f" in scores[0]["scores"]


def test_harness_clean_writes_one_article_per_line(tmp_path):
    out = tmp_path / "clean.jsonl"
    proc = _run(["clean", str(SEED_DIR / "000_d36b9ee4aee59a38.txt"), "-o", str(out)])
    assert proc.returncode == 0, proc.stderr
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["id"] == "000_d36b9ee4aee59a38"
    assert row["headline"].startswith("White House says not right time")
    assert len(row["paragraphs"]) == 12
    assert row["body"] == "\n\n".join(row["paragraphs"])
    assert {r["reason"] for r in row["removed"]} >= {"advertisement", "video", "newsletter"}


@pytest.mark.parametrize("args, message", [
    (["models=[lead33]"], "Did you mean 'lead3'"),
    (["data=dir", "data.path=/nonexistent/folder"], "does not exist"),
    (["seeed=3"], "seeed"),
    # With workers the metrics are built in the workers; their configs are
    # still checked here, at once.
    (["workers=2", "models=[lead3]",
      "metrics=[{_target_: harness.metrics.rouge.Rouge, use_stemer: true}]"],
     "Did you mean 'use_stemmer'"),
    (["workers=2", "models=[lead3]", "metrics=[nli]"], "no value set for model"),
])
def test_bad_configuration_exits_2_with_a_message(tmp_path, args, message):
    proc = _run(["run", *args, f"hydra.run.dir={tmp_path}"])
    assert proc.returncode == 2
    assert message in proc.stderr


def test_unknown_command_exits_2():
    proc = _run(["clena"])
    assert proc.returncode == 2 and "Did you mean 'clean'" in proc.stderr


def test_clean_of_missing_file_exits_2(tmp_path):
    proc = _run(["clean", str(Path(tmp_path) / "nope.txt")])
    assert proc.returncode == 2 and "nope.txt" in proc.stderr
