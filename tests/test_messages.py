"""Issue 26: each user error names the key, the value and the fix, in one line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from harness.models.extractive import TextRank
from tests.conftest import REPO


def _run(tmp_path, *overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", *overrides, "metrics=[rouge]",
         *([] if any(o.startswith("hydra.run.dir") for o in overrides)
           else [f"hydra.run.dir={tmp_path / 'run'}"])],
        cwd=REPO, capture_output=True, text=True, timeout=600,
        env={**os.environ, "HF_HUB_OFFLINE": "1"})


@pytest.mark.parametrize("overrides, message", [
    (["models=lead3"], "models='lead3': models takes a list, e.g. models=[lead3]"),
    (["models=[lead3]", "seed=abc"],
     "seed='abc': Value 'abc' of type 'str' could not be converted to Integer"),
    (["models=[lead3]", "model.lead3.k=two"], "model.lead3.k='two': k takes an integer"),
    (["models=[textrank]", "model.textrank.damping=1.5"],
     "damping must lie between 0 and 1 (exclusive; Mihalcea & Tarau use 0.85), got 1.5"),
    (["models=[lead3]", "data=hf", "data.name=3.0.0"],
     "cannot build data 'HubSource': no value set for path: set data.path=..."),
    (["models=[lead3]", "model.lead3.kk=2"], "unknown key 'model.lead3.kk'. Did you mean 'k'?"),
])
def test_message_names_key_value_and_fix(tmp_path, overrides, message):
    proc = _run(tmp_path, *overrides)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("harness run: configuration error: ")
    assert message in lines[0]
    assert "Did you mean 'models'" not in lines[0] and "Did you mean 'seed'" not in lines[0]


def test_missing_local_hf_folder_is_not_a_hub_problem(tmp_path):
    proc = _run(tmp_path, "models=[lead3]", "data=hf", f"data.path={tmp_path / 'nothere'}")
    assert proc.returncode == 2
    assert f"data.path {tmp_path / 'nothere'}: no such folder" in proc.stderr
    assert "hub cannot be reached" not in proc.stderr


def test_unwritable_run_folder_is_named_with_the_fix(tmp_path):
    (tmp_path / "file").write_text("")
    proc = _run(tmp_path, "models=[lead3]", f"hydra.run.dir={tmp_path / 'file' / 'run'}")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"harness run: configuration error: cannot write {tmp_path / 'file' / 'run'}: Not a "
        "directory. Choose a folder you can write with hydra.run.dir=DIR "
        "(hydra.sweep.dir=DIR with -m)")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_read_only_run_folder_is_named(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    proc = _run(tmp_path, "models=[lead3]", f"hydra.run.dir={folder}")
    assert proc.returncode == 2
    assert "cannot write" in proc.stderr and "Permission denied" in proc.stderr
    assert "Unable to configure handler" not in proc.stderr


@pytest.mark.parametrize("damping", [0, 1, 1.5, -0.1])
def test_textrank_damping_outside_its_range_is_refused(damping):
    with pytest.raises(ValueError, match="damping must lie between 0 and 1"):
        TextRank(damping=damping)
