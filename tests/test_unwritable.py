"""Issue 26, messages: an output the user cannot write is one line and exit 2, never a
traceback. As root every folder is writable, so the tests put a folder where the lock
file or the output file should be (EISDIR for any user); test_messages.py has the
read-only folder for other users."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from harness.commands.output import OutputError, open_output
from harness.run_lock import LOCK, FolderLock, FolderLocked, FolderUnwritable
from tests.conftest import ACME_ARTICLE as ARTICLE
from tests.conftest import SEED_DIR
from tests.conftest import run_cli as _cli


def _one_line(proc: subprocess.CompletedProcess, prog: str) -> str:
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    lines = [x for x in proc.stderr.strip().splitlines() if x.startswith(f"harness {prog}:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def _blocked(folder):
    """A run folder whose lock file cannot be created: a folder holds its name."""
    (folder / LOCK).mkdir(parents=True)
    return folder


def test_a_folder_whose_lock_cannot_be_written_is_refused_in_one_line(tmp_path):
    lock = FolderLock(_blocked(tmp_path / "run"))
    with pytest.raises(FolderUnwritable, match=f"cannot write {tmp_path / 'run'}: "):
        lock.acquire()
    # A refusal like a held lock: the commands that refuse one refuse the other.
    assert issubclass(FolderUnwritable, FolderLocked)
    lock.release()  # nothing was taken: a no-op


def test_a_file_in_the_way_of_the_run_folder_is_refused_with_the_cause(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(FolderUnwritable,
                       match=f"cannot write {tmp_path / 'file' / 'run'}: Not a directory"):
        FolderLock(tmp_path / "file" / "run").acquire()


def test_run_into_an_unwritable_existing_folder_exits_2_in_one_line(tmp_path):
    folder = _blocked(tmp_path / "run")
    proc = _cli("run", "models=[lead3]", "metrics=[rouge]", f"hydra.run.dir={folder}")
    assert _one_line(proc, "run") == (f"harness run: cannot write {folder}: Is a directory; "
                                      "choose a folder this user can write")


def test_score_into_an_unwritable_run_folder_exits_2_in_one_line(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "article": ARTICLE, "summary": "Acme builds."}) + "\n")
    folder = _blocked(tmp_path / "out")
    line = _one_line(_cli("score", str(src), "-o", str(folder), "--metrics", "rouge"), "score")
    assert line.startswith(f"harness score: cannot write {folder}: ")


@pytest.mark.parametrize("command", ["score", "headline-check", "clean"])
def test_an_output_file_that_cannot_be_written_is_one_line(tmp_path, command):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "article": ARTICLE, "summary": "Acme builds.",
                               "headline": "Acme to build Ohio factory"}) + "\n")
    out = tmp_path / "nowhere" / "out.jsonl"
    args = {"score": ["score", str(src), "--metrics", "rouge"],
            "headline-check": ["headline-check", str(src)],
            "clean": ["clean", str(SEED_DIR)]}[command]
    line = _one_line(_cli(*args, "-o", str(out)), command)
    assert line == (f"harness {command}: cannot write {out}: No such file or directory (its "
                    f"folder {out.parent} does not exist); give -o a path this user can write")


def test_report_to_a_path_that_cannot_be_written_is_one_line(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "article": ARTICLE, "summary": "Acme builds."}) + "\n")
    run = tmp_path / "run"
    assert _cli("score", str(src), "-o", str(run), "--metrics", "rouge").returncode == 0
    out = tmp_path / "report.html"
    out.mkdir()
    line = _one_line(_cli("report", str(run), "-o", str(out)), "report")
    assert line.startswith(f"harness report: error: cannot write {out}: Is a directory")


def test_open_output_is_stdout_without_a_path_and_refuses_a_folder(tmp_path):
    assert open_output(None) is sys.stdout
    with pytest.raises(OutputError, match="give -o a path this user can write"):
        open_output(tmp_path)
