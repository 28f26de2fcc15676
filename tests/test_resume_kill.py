"""kill -9 in the middle of `harness run`, then the same command again: the rows
equal those of an uninterrupted run, with no duplicates and no torn lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, kill_midway


def _articles(folder, n):
    folder.mkdir()
    for i in range(n):
        body = " ".join(f"Sentence {j} of story {i} tells about the council vote {i + j}."
                        for j in range(12))
        (folder / f"a{i:03d}.txt").write_text(f"Council story {i}\n\n{body}\n\nMore on {i}.\n")


def _cmd(data, out, workers):
    return [sys.executable, "-m", "harness.cli", "run", "data=dir", f"data.path={data}",
            "models=[lead3,textrank]", "metrics=[rouge]", "batch_size=2",
            f"workers={workers}", f"hydra.run.dir={out}"]


def _rows(out, name):
    lines = (out / f"{name}.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in lines]
    if name == "summaries":
        rows = [{k: r[k] for k in ("article_id", "model", "summary")} for r in rows]
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


# workers=2: the kill also lands while jobs are in flight in the worker processes.
@pytest.mark.parametrize("workers", [1, 2])
def test_kill_and_resume_equals_uninterrupted(tmp_path, workers):
    data = tmp_path / "data"
    _articles(data, 120)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    full, killed = tmp_path / "full", tmp_path / "killed"
    subprocess.run(_cmd(data, full, workers), cwd=REPO, env=env, check=True, capture_output=True)

    proc = subprocess.Popen(_cmd(data, killed, workers), cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = kill_midway(proc, killed / "scores.jsonl", at=20)
    assert 0 < partial < 240, "the kill must land in the middle of the run"

    resumed = subprocess.run(_cmd(data, killed, workers), cwd=REPO, env=env, capture_output=True,
                             text=True)
    assert resumed.returncode == 0, resumed.stderr
    for name in ("articles", "summaries", "scores", "errors"):
        assert _rows(killed, name) == _rows(full, name), name
    assert len(_rows(killed, "scores")) == 240
