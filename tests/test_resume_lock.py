"""Issue 23: one writer per run folder, checked with real `harness run` processes.

Two runs into one folder used to both exit 0, leaving two rows per (article,
model). A run that holds the folder is paused with SIGSTOP while the second
starts, so the overlap does not depend on the machine's speed.
"""

from __future__ import annotations

import json
import select
import signal
import subprocess
import time
from collections import Counter

from tests.conftest import kill_midway
from tests.runs_helpers import (
    row_keys,
    run,
    run_cmd,
    snapshot,
    start,
    wait_for_lines,
    write_articles,
)

N = 60


def _unique_complete(out):
    keys = row_keys(out)
    assert len(keys) == 2 * N and max(Counter(keys).values()) == 1


def test_second_run_into_a_locked_folder_exits_2_naming_the_holder(tmp_path):
    data = write_articles(tmp_path / "data", N)
    out = tmp_path / "run"
    first = start(run_cmd(data, out))
    try:
        wait_for_lines(out / "scores.jsonl", 4)
        first.send_signal(signal.SIGSTOP)  # holds the lock, writes nothing meanwhile
        before = snapshot(out)
        assert json.loads((out / ".harness.pid").read_text())["pid"] == first.pid
        t0 = time.monotonic()
        second = run(run_cmd(data, out))
        assert time.monotonic() - t0 < 60
        assert second.returncode == 2, second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and f"PID {first.pid}" in lines[0], second.stderr
        assert "wait_for_lock=true" in lines[0]
        assert snapshot(out) == before, "the refused run wrote nothing"
    finally:
        first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=120) == 0
    _unique_complete(out)
    assert not (out / ".harness.pid").exists(), "released at the end"


def test_wait_for_lock_waits_for_the_holder_then_resumes(tmp_path):
    data = write_articles(tmp_path / "data", N)
    out = tmp_path / "run"
    first = start(run_cmd(data, out))
    wait_for_lines(out / "scores.jsonl", 4)
    first.send_signal(signal.SIGSTOP)
    second = start(run_cmd(data, out, "wait_for_lock=true"), stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    try:
        ready, _, _ = select.select([second.stderr], [], [], 60)
        assert ready, "the waiting run says that it waits"
        line = second.stderr.readline()
        assert f"in use by PID {first.pid}; waiting" in line
        assert second.poll() is None
    finally:
        first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=120) == 0
    assert second.wait(timeout=120) == 0
    rest = second.stderr.read()
    assert f"kept {N} articles, {2 * N} summaries, {2 * N} score rows" in rest
    _unique_complete(out)


def test_stale_lock_of_a_killed_run_is_taken_over(tmp_path):
    data = write_articles(tmp_path / "data", N)
    out = tmp_path / "run"
    killed = start(run_cmd(data, out))
    kill_midway(killed, out / "scores.jsonl", at=10)
    assert json.loads((out / ".harness.pid").read_text())["pid"] == killed.pid
    again = run(run_cmd(data, out))
    assert again.returncode == 0, again.stderr
    assert f"locked by PID {killed.pid}, which is no longer running; taking it over" in (
        again.stderr)
    _unique_complete(out)

