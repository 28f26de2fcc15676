"""Issue 23: interrupted runs are explained, and resumed.

SIGKILL leaves a folder without run.json (maybe with a torn last line):
``report`` and ``compare`` say in one line that it is incomplete and how to
resume; SIGINT and SIGTERM end a run with one line and exit 130 / 143; a full
disk is one line naming the folder; the resumed run says what it kept.
"""

from __future__ import annotations

import errno
import signal
import subprocess
import sys
from collections import Counter

import pytest

from harness import cli
from harness.jsonl import JsonlWriter, MalformedLine, read_jsonl
from harness.results.runs import RunFolderError, read_rows
from tests.conftest import kill_midway
from tests.runs_helpers import (
    row_keys,
    run,
    run_cmd,
    start,
    wait_for_lines,
    write_articles,
)

N = 60


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "harness.cli", *args]


def test_killed_run_is_reported_incomplete_then_resumed(tmp_path):
    data = write_articles(tmp_path / "data", N)
    out = tmp_path / "run"
    kill_midway(start(run_cmd(data, out)), out / "scores.jsonl", at=10)
    with (out / "scores.jsonl").open("a") as fh:
        fh.write('{"article_id": "a0')  # the torn last line a kill can leave
    rows = len(list(read_jsonl(out / "scores.jsonl")))
    assert 0 < rows < 2 * N
    for command in (["report", str(out)], ["compare", str(out), str(out)]):
        done = run(_cli(*command))
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert f"{out}: incomplete run (interrupted): {rows} score rows, no run.json" in lines[0]
        assert "a torn last line in scores.jsonl" in lines[0]
        assert "rerun the same command to resume" in lines[0]
        allowed = run(_cli(*command, "--allow-incomplete"))
        assert allowed.returncode == 0, allowed.stderr
        assert "using its complete rows" in allowed.stderr
    resumed = run(run_cmd(data, out))
    assert resumed.returncode == 0, resumed.stderr
    assert f"harness run: resuming {out}: kept " in resumed.stderr
    assert f"{rows} score rows" in resumed.stderr
    keys = row_keys(out)
    assert len(keys) == 2 * N and max(Counter(keys).values()) == 1
    assert run(_cli("report", str(out))).returncode == 0


@pytest.mark.parametrize(("sig", "code", "workers"), [(signal.SIGINT, 130, 1),
                                                      (signal.SIGTERM, 143, 2)])
def test_signal_ends_the_run_in_one_line_and_leaves_it_resumable(tmp_path, sig, code, workers):
    data = write_articles(tmp_path / "data", N)
    out = tmp_path / "run"
    cmd = run_cmd(data, out, f"workers={workers}")
    proc = start(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for_lines(out / "scores.jsonl", 6)
    # Stopped first, so that the signal lands in the middle of the run on any machine.
    proc.send_signal(signal.SIGSTOP)
    proc.send_signal(sig)
    proc.send_signal(signal.SIGCONT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    name = "SIGINT" if sig == signal.SIGINT else "SIGTERM"
    assert lines[0] == (f"harness run: interrupted ({name}); {out} keeps the rows written so "
                        "far: rerun the same command to resume")
    assert not (out / "run.json").exists()
    kept = len(row_keys(out))
    resumed = run(cmd)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{kept} score rows" in resumed.stderr
    keys = row_keys(out)
    assert len(keys) == 2 * N and max(Counter(keys).values()) == 1


QUIET = ["metrics=[rouge]", "hydra/job_logging=none", "hydra/hydra_logging=none",
         "models=[lead3,textrank]", "batch_size=2"]


def test_full_disk_is_one_line_naming_the_folder(tmp_path, monkeypatch, capsys):
    data = write_articles(tmp_path / "data", 12)
    out = tmp_path / "run"
    args = ["run", "data=dir", f"data.path={data}", *QUIET, f"hydra.run.dir={out}"]
    real_write = JsonlWriter.write
    calls = []

    def write(self, row):
        calls.append(1)
        if len(calls) > 8:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(self, row)

    monkeypatch.setattr(JsonlWriter, "write", write)
    assert cli.main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"harness run: no space left on the device of {out} (No space left on "
                   "device); free some and rerun the same command to resume"]
    monkeypatch.setattr(JsonlWriter, "write", real_write)
    assert cli.main(args) == 0
    assert "resuming" in capsys.readouterr().err
    keys = row_keys(out)
    assert len(keys) == 24 and max(Counter(keys).values()) == 1


def test_every_reader_skips_a_torn_last_line_and_names_a_malformed_one(tmp_path):
    path = tmp_path / "scores.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}\n{"a": 3')
    assert list(read_jsonl(path)) == [{"a": 1}, {"a": 2}]
    assert read_rows(path) == [{"a": 1}, {"a": 2}]
    path.write_text('{"a": 1}\nnot json\n{"a": 3}\n')
    with pytest.raises(MalformedLine, match=r"scores.jsonl:2: not valid JSON"):
        list(read_jsonl(path))
    with pytest.raises(RunFolderError, match=r"scores.jsonl:2: not valid JSON"):
        read_rows(path)


def test_score_folder_resumes_and_refuses_another_command(tmp_path, capsys):
    import json

    from harness.commands import score as score_cmd
    from tests.runs_helpers import snapshot

    src = tmp_path / "in.jsonl"
    text = "Council vote\n\nThe council voted on the budget. It passed. The mayor spoke."
    src.write_text("".join(json.dumps({"id": f"a{i}", "article": text, "summary":
                                       f"The council voted {i} times."}) + "\n"
                           for i in range(6)))
    full, out = tmp_path / "full", tmp_path / "out"
    assert score_cmd.main([str(src), "-o", str(full), "--metrics", "rouge"]) == 0
    assert score_cmd.main([str(src), "-o", str(out), "--metrics", "rouge"]) == 0
    # As a kill leaves it: no run.json, two rows and a torn third.
    (out / "run.json").unlink()
    lines = (out / "scores.jsonl").read_text().splitlines(True)
    (out / "scores.jsonl").write_text("".join(lines[:2]) + lines[2][:20])
    capsys.readouterr()
    before = snapshot(out)
    assert score_cmd.main([str(src), "-o", str(out), "--metrics", "rouge", "fragments"]) == 2
    err = capsys.readouterr().err
    assert f"{out}: incomplete run (interrupted): 2 score rows" in err and "another command" in err
    assert snapshot(out) == before
    assert score_cmd.main([str(src), "-o", str(out), "--metrics", "rouge"]) == 0
    assert f"resuming {out}: kept 2 score rows" in capsys.readouterr().err
    assert sorted(row_keys(out)) == sorted(row_keys(full)) and len(row_keys(out)) == 6
    assert score_cmd.main([str(src), "-o", str(out), "--metrics", "rouge"]) == 2
    assert "already holds a complete run" in capsys.readouterr().err
