"""Issue 23: a refused rerun leaves every byte of the run folder as it was.

Hydra used to write ``.hydra/overrides.yaml`` (and open its log file) before
the fingerprint check, so a rerun refused for a changed setting relabelled
the folder's rows with its own overrides.
"""

from __future__ import annotations

import yaml

from tests.conftest import kill_midway
from tests.runs_helpers import run, run_cmd, snapshot, start, write_articles


def _refused(data, out):
    before = snapshot(out)
    refused = run(run_cmd(data, out, "model.lead3.k=2"))
    assert refused.returncode == 2, refused.stderr
    assert "models.lead3.k: 3 -> 2" in refused.stderr
    after = snapshot(out)
    assert after.keys() == before.keys()
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"the refused run changed {changed}"


def test_refused_rerun_of_a_complete_run_changes_no_byte(tmp_path):
    data = write_articles(tmp_path / "data", 12)
    out = tmp_path / "run"
    assert run(run_cmd(data, out)).returncode == 0
    assert {".hydra/overrides.yaml", "app.log", "fingerprint.json", "run.json"} <= set(
        snapshot(out))
    _refused(data, out)
    overrides = yaml.safe_load((out / ".hydra" / "overrides.yaml").read_text())
    assert "model.lead3.k=2" not in overrides


def test_refused_rerun_of_a_killed_run_changes_no_byte(tmp_path):
    data = write_articles(tmp_path / "data", 60)
    out = tmp_path / "run"
    kill_midway(start(run_cmd(data, out)), out / "scores.jsonl", at=10)
    with (out / "scores.jsonl").open("a") as fh:
        fh.write('{"article_id": "a05')  # a torn last line, as a kill can leave
    _refused(data, out)
    assert (out / ".harness.pid").is_file(), "the stale lock record is left for the resume"
